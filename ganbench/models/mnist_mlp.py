"""The fully connected MNIST pairs of Goodfellow et al. 2014: as their code trains it (`gan`) and as f-GAN's MNIST
experiment used it (`fgan_*`).

Goodfellow et al. (goodfeli/adversarial, mnist.yaml): a generator of two 1200-unit ReLU layers and a sigmoid output,
fed the code's default Gaussian noise, and a discriminator of two maxout layers (240 units, 5 pieces) and a sigmoid
unit, trained with dropout (AdversaryCost2: inputs kept with probability 0.8, hidden units 0.5, scaled by the
inverse as torch's Dropout does).

Nowozin et al. 2016, Section 4 ("MNIST Digits"): "we use ... the generator and variational function model
proposed in [Goodfellow et al. 2014]. With z ~ Uniform_100(-1, 1) as input, the generator model has two linear
layers each followed by batch normalization and ReLU activation and a final linear layer followed by the sigmoid
function. The variational function V(x) has three linear layers with exponential linear unit in between." The
layer sizes are Goodfellow et al.'s (goodfeli/adversarial, mnist.yaml): 1200 and 1200 generator units, 240 and 240
discriminator units (maxout there, ELU here as f-GAN says). Neither paper's initialisation is PyTorch's, which
is kept.

Two adaptations, both exact: ganbench draws N(0, 1) noise everywhere, so the generator maps it to the paper's
Uniform(-1, 1) through erf(z / sqrt 2) (the probability integral transform) before its first layer; and
ganbench's images are in [-1, 1], so the sigmoid's [0, 1] output is stretched to 2 sigmoid(a) - 1 = tanh(a / 2).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.models.aux_blocks import uniform_codes
from ganbench.models.blocks import scaled
from ganbench.models.points import Maxout

#: Goodfellow et al.'s MNIST generator hidden units (f-GAN's generator adds batch norm).
GENERATOR_HIDDEN = 1200
#: Goodfellow et al.'s MNIST discriminator hidden units (maxout pieces there, ELU in f-GAN's V).
CRITIC_HIDDEN = 240
#: f-GAN's MNIST noise: 100 dimensions, uniform on [-1, 1].
Z_DIM = 100
#: MNIST's image side, which the papers' networks are given for.
MNIST_RESOLUTION = 28
#: Goodfellow et al.'s maxout pieces per discriminator unit.
MAXOUT_PIECES = 5
#: Goodfellow et al.'s dropout: of the discriminator's inputs, and of its hidden units.
INPUT_DROPOUT, HIDDEN_DROPOUT = 0.2, 0.5


def mnist_like(shape: DataShape) -> bool:
    """Whether `shape` is what the papers' MNIST networks were given: 28 x 28 grey images."""
    return shape.kind == "image" and shape.channels == 1 and shape.resolution == MNIST_RESOLUTION


class UniformPriorMlpGenerator(nn.Module):
    """z ~ N(0, I) -> erf(z / sqrt 2) ~ U(-1, 1) -> [linear, batch norm, ReLU] x 2 -> linear -> 2 sigmoid - 1."""

    def __init__(self, z_dim: int, hidden: int, out_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.z_dim, self.num_classes, self.out_shape = z_dim, 0, out_shape
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, math.prod(out_shape)),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return torch.tanh(0.5 * self.net(uniform_codes(z))).view(-1, *self.out_shape)


class EluMlpCritic(nn.Module):
    """Flattened image -> [linear, ELU] x 2 -> linear: the variational function's raw output v, shape (N,)."""

    def __init__(self, in_features: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ELU(), nn.Linear(hidden, hidden), nn.ELU(), nn.Linear(hidden, 1)
        )

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x.flatten(1)).squeeze(1)


def fgan_mnist_networks(sample_shape: tuple[int, ...], z_dim: int, width: float) -> tuple[nn.Module, nn.Module]:
    """f-GAN's MNIST generator and variational function for images of `sample_shape`, hidden units times
    `width`."""
    generator = UniformPriorMlpGenerator(z_dim, scaled(GENERATOR_HIDDEN, width), sample_shape)
    return generator, EluMlpCritic(math.prod(sample_shape), scaled(CRITIC_HIDDEN, width))


class ReluMlpGenerator(nn.Module):
    """Goodfellow et al.'s MNIST generator: z -> [linear, ReLU] x 2 -> linear -> 2 sigmoid - 1 (their sigmoid output,
    stretched to ganbench's [-1, 1] images)."""

    def __init__(self, z_dim: int, hidden: int, out_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.z_dim, self.num_classes, self.out_shape = z_dim, 0, out_shape
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, math.prod(out_shape)),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return torch.tanh(0.5 * self.net(z)).view(-1, *self.out_shape)


class MaxoutDropoutDiscriminator(nn.Module):
    """Goodfellow et al.'s MNIST discriminator: flattened image -> dropout (INPUT_DROPOUT) -> [maxout, dropout
    (`hidden_dropout`)] x 2 -> linear logit, shape (N,)."""

    def __init__(self, in_features: int, units: int, hidden_dropout: float = HIDDEN_DROPOUT) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Dropout(INPUT_DROPOUT),
            Maxout(in_features, units, MAXOUT_PIECES),
            nn.Dropout(hidden_dropout),
            Maxout(units, units, MAXOUT_PIECES),
            nn.Dropout(hidden_dropout),
        )
        self.out = nn.Linear(units, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.out(self.features(x.flatten(1))).squeeze(1)


def gan_mnist_networks(
    sample_shape: tuple[int, ...], z_dim: int, width: float, hidden_dropout: float
) -> tuple[nn.Module, nn.Module]:
    """Goodfellow et al.'s MNIST generator and discriminator for images of `sample_shape`, hidden units times
    `width`, the discriminator's hidden dropout `hidden_dropout`."""
    generator = ReluMlpGenerator(z_dim, scaled(GENERATOR_HIDDEN, width), sample_shape)
    return generator, MaxoutDropoutDiscriminator(math.prod(sample_shape), scaled(CRITIC_HIDDEN, width), hidden_dropout)
