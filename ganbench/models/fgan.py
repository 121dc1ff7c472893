"""f-GAN: Nowozin et al. 2016 — a GAN for any f-divergence through its variational (Fenchel) lower bound.

The discriminator's raw output v is mapped by the divergence's output activation g_f into the domain of the
conjugate f*, giving T = g_f(v), and the two networks play

    F(G, T) = E_data[g_f(v(x))] - E_G[f*(g_f(v(G(z))))],

which T maximises (at the optimum F equals D_f(P_data || P_G)). The generator maximises E_G[g_f(v(G(z)))]
instead of minimising F, the variant the paper trains with (its Section 3.2). The activations and conjugates
are the paper's Table 2 / Table 6; f*(g_f(v)) is written in closed form so it is exact where the two separate
functions would overflow (JS: -log(2 - 2 sigmoid(v)) = softplus(v) - log 2).

Registered once per divergence: fgan_kl, fgan_rkl, fgan_js, fgan_pearson, fgan_hellinger, fgan_tv.

Networks (`arch`): on 28x28 grey images the paper's own MNIST networks ("mnist-mlp", ganbench.models.mnist_mlp:
Goodfellow et al.'s fully connected pair with batch norm in the generator and ELUs in the variational function,
100-d uniform noise); elsewhere DCGAN's ("standard"; the paper's LSUN experiments used the DCGAN architecture),
batch norm dropped for 2-D points as for every family. Optimiser: Adam 2e-4, beta1 0.5, as the paper's MNIST and
LSUN runs; batch 64, not the paper's MNIST batch of 4,096, which is larger than mnist5k's 4,000 training images
and 64 times the CPU cost of a step (settable with --batch-size).

Why the networks matter (issue 26, tests/test_zoo.py): on the DCGAN pair KL's critic runs away (d_loss falls
without bound, then blows up through exp(v - 1)) and the generator ends on one digit, worse with training; on the
paper's MNIST networks KL learns (mnist-classifier FID 440 against 2176 untrained at 6,000 steps). TV's bounded
activation 1/2 tanh saturates on both: the critic's output on real and generated images alike sits on the bound,
so neither network gets a gradient (its Section 3.2 generator objective is the same function for TV).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.mnist_mlp import Z_DIM as MNIST_Z_DIM
from ganbench.models.mnist_mlp import fgan_mnist_networks, mnist_like
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step

Divergence = Literal["kl", "rkl", "js", "pearson", "hellinger", "tv"]
LOG2 = math.log(2.0)


@dataclass(frozen=True)
class FDivergence:
    """One row of Nowozin et al.'s table: generator f(u) (u = p/q), activation g_f, conjugate f*, and
    f*(g_f(v)) in a numerically safe closed form; `derivative` is f', so f'(p/q) is the optimal T. As in the
    table, the polynomial f of Pearson chi-square is taken on the whole real line, so f*(t) = t^2/4 + t for all t."""

    name: str
    f: Callable[[torch.Tensor], torch.Tensor]
    derivative: Callable[[torch.Tensor], torch.Tensor]
    activation: Callable[[torch.Tensor], torch.Tensor]
    conjugate: Callable[[torch.Tensor], torch.Tensor]
    conjugate_of_activation: Callable[[torch.Tensor], torch.Tensor]


DIVERGENCES: dict[str, FDivergence] = {
    "kl": FDivergence(
        "Kullback-Leibler",
        f=lambda u: u * torch.log(u),
        derivative=lambda u: 1 + torch.log(u),
        activation=lambda v: v,
        conjugate=lambda t: torch.exp(t - 1),
        conjugate_of_activation=lambda v: torch.exp(v - 1),
    ),
    "rkl": FDivergence(
        "reverse Kullback-Leibler",
        f=lambda u: -torch.log(u),
        derivative=lambda u: -1 / u,
        activation=lambda v: -torch.exp(-v),
        conjugate=lambda t: -1 - torch.log(-t),
        conjugate_of_activation=lambda v: v - 1,
    ),
    "js": FDivergence(
        "Jensen-Shannon",
        f=lambda u: -(u + 1) * torch.log((1 + u) / 2) + u * torch.log(u),
        derivative=lambda u: torch.log(2 * u / (1 + u)),
        activation=lambda v: LOG2 - F.softplus(-v),
        conjugate=lambda t: -torch.log(2 - torch.exp(t)),
        conjugate_of_activation=lambda v: F.softplus(v) - LOG2,
    ),
    "pearson": FDivergence(
        "Pearson chi-square",
        f=lambda u: (u - 1) ** 2,
        derivative=lambda u: 2 * (u - 1),
        activation=lambda v: v,
        conjugate=lambda t: t**2 / 4 + t,
        conjugate_of_activation=lambda v: v**2 / 4 + v,
    ),
    "hellinger": FDivergence(
        "squared Hellinger",
        f=lambda u: (torch.sqrt(u) - 1) ** 2,
        derivative=lambda u: 1 - 1 / torch.sqrt(u),
        activation=lambda v: 1 - torch.exp(-v),
        conjugate=lambda t: t / (1 - t),
        conjugate_of_activation=lambda v: torch.exp(v) - 1,
    ),
    "tv": FDivergence(
        "total variation",
        f=lambda u: 0.5 * (u - 1).abs(),
        derivative=lambda u: 0.5 * torch.sign(u - 1),
        activation=lambda v: 0.5 * torch.tanh(v),
        conjugate=lambda t: t,
        conjugate_of_activation=lambda v: 0.5 * torch.tanh(v),
    ),
}


@dataclass(frozen=True)
class FganConfig(ModelConfig):
    """Nowozin et al.'s f-GAN; `divergence` picks the row of their table (fixed by each registered name); `arch`
    picks the networks: "mnist-mlp" the paper's MNIST pair (any image size, flattened), "standard" DCGAN's, "auto"
    the first on 28x28 grey images (with the paper's 100-d noise) and the second elsewhere."""

    divergence: Divergence = "js"
    arch: Literal["auto", "mnist-mlp", "standard"] = "auto"

    #: configs stored before `arch` existed trained DCGAN's pair on every shape
    ABSENT_MEANS: ClassVar[dict[str, str]] = {"arch": "standard"}

    def resolved_arch(self, shape: DataShape) -> str:
        """`arch` with "auto" replaced by what it stands for on `shape`."""
        if self.arch != "auto":
            return self.arch
        return "mnist-mlp" if mnist_like(shape) else "standard"

    def for_shape(self, shape: DataShape) -> FganConfig:
        config = super().for_shape(shape)
        return dataclasses.replace(config, z_dim=MNIST_Z_DIM) if config.resolved_arch(shape) == "mnist-mlp" else config

    def unsupported(self, shape: DataShape) -> str | None:
        if self.resolved_arch(shape) == "mnist-mlp" and shape.kind != "image":
            return "arch mnist-mlp builds networks for images only; use arch=standard (or auto) for points"
        return None


def objective(divergence: str) -> Objective:
    """The discriminator loss -F (so minimising it maximises the bound) and the generator's -E_G[g_f(v)]."""
    row = DIVERGENCES[divergence]

    def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return -(row.activation(real).mean() - row.conjugate_of_activation(fake).mean())

    def g_loss(fake: torch.Tensor) -> torch.Tensor:
        return -row.activation(fake).mean()

    return Objective(d_loss, g_loss)


def build_networks(shape: DataShape, config: FganConfig) -> tuple[nn.Module, nn.Module]:
    """The `arch`'s networks; the discriminator's logit is the variational function's raw output v."""
    if config.resolved_arch(shape) == "mnist-mlp":
        return fgan_mnist_networks(shape.sample_shape, config.z_dim, config.width)
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: FganConfig, amp: bool):
    """n_critic updates of the variational function, then one generator update.

    Logged: d_loss (-F, so -d_loss is the current divergence estimate) and g_loss.
    """
    return alternating_step(modules, batches, noise, objective(config.divergence), config.z_dim, amp)


register(
    Family(
        "fgan",
        "Nowozin et al. 2016, f-GAN: Training Generative Neural Samplers using Variational Divergence Minimization",
        FganConfig,
        build_networks,
        train_step,
    ),
    *(variant(f"fgan_{divergence}", divergence=divergence) for divergence in DIVERGENCES),
    own_name=False,
)
