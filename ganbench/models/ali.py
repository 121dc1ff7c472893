"""`ali`: ALI / BiGAN (Dumoulin et al. 2017; Donahue et al. 2017) — an encoder, a generator and a discriminator
that judges (sample, code) pairs: (x, E(x)) against (G(z), z).

The generator module holds both the decoder (what samples; `forward(z)`) and the encoder (`encode(x, eps)`),
so the pair is trained by one optimizer and checkpointed, resumed and loaded like any generator. Updates are
simultaneous, as ALI's `ali_algorithm`: the discriminator loss -log D(x, E(x)) - log(1 - D(G(z), z)) and the
generator/encoder loss with the labels swapped, both from the same parameters.

Defaults. 2-D points: the ALI rows of PacGAN Table 1 (`synthetic_data_experiments/2DGrid_ALI/pacgan_task.py`):
PacGAN's generator as decoder, an encoder on x concatenated with 2-D noise (2 layers of 400, batch norm, ReLU),
a joint maxout discriminator on (x, z), Adam 1e-4 with beta1 0.8, batch 100. Images: ALI's CIFAR-10
optimiser (Adam 1e-4, beta1 0.5, batch 100, z of 64) with the DCGAN conv nets and a Gaussian encoder.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import ConvDiscriminator, ConvGenerator, dcgan_init, scaled
from ganbench.models.points import PACGAN_POINTS, BatchNormMlpGenerator, MaxoutDiscriminator, normal_init
from ganbench.models.simultaneous import apply_gradients
from ganbench.models.step import Batch, GanModules, StepNoise

IMAGE_DEFAULTS = {"z_dim": 64, "batch_size": 100, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.5, "beta2": 0.999}


@dataclass(frozen=True)
class AliConfig(ModelConfig):
    """Dumoulin et al.'s ALI (defaults per data kind in the module docstring)."""

    def for_shape(self, shape: DataShape) -> AliConfig:
        return dataclasses.replace(self, **(PACGAN_POINTS if shape.kind == "points" else IMAGE_DEFAULTS))


class AliGenerator(nn.Module):
    """Decoder and encoder together: forward(z) -> samples; encode(x, eps) -> codes (N, z_dim), stochastic
    through eps (N, encoder_noise) standard-normal noise."""

    def __init__(self, decoder: nn.Module, encoder: nn.Module, z_dim: int, encoder_noise: int, gaussian: bool):
        super().__init__()
        self.decoder, self.encoder = decoder, encoder
        self.z_dim, self.num_classes, self.encoder_noise, self.gaussian = z_dim, 0, encoder_noise, gaussian

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z)

    def encode(self, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        if not self.gaussian:  # PacGAN's 2-D encoder: the noise is an input
            return self.encoder(torch.cat([x.flatten(1), eps], dim=1))
        mean, log_std = self.encoder(x, None).chunk(2, dim=1)
        return mean + log_std.exp() * eps


class JointDiscriminator(nn.Module):
    """D(x, z): features of x and of z, joined, to one logit per pair."""

    joint = True  # judges (sample, code) pairs: forward(x, z)

    def __init__(self, x_features: nn.Module, x_size: int, z_dim: int, hidden: int, maxout: bool) -> None:
        super().__init__()
        self.x_features, self.maxout = x_features, maxout
        if maxout:  # PacGAN's ALI: the maxout stack on the concatenated pair
            self.head = x_features
        else:
            self.z_features = nn.Sequential(nn.Linear(z_dim, hidden), nn.LeakyReLU(0.2))
            self.head = nn.Sequential(nn.Linear(x_size + hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        if self.maxout:
            return self.head(torch.cat([x.flatten(1), z], dim=1))
        joined = torch.cat([self.x_features(x).flatten(1), self.z_features(z)], dim=1)
        return self.head(joined).squeeze(1)


class _ConvFeatures(nn.Module):
    """A DCGAN discriminator's conv stack without its head."""

    def __init__(self, shape: DataShape, width: float, out: int | None = None) -> None:
        super().__init__()
        conv = ConvDiscriminator(shape, width, "none")
        self.features = conv.features
        self.size = conv.head.linear.in_features
        self.out = nn.Linear(self.size, out) if out else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x).flatten(1)
        return self.out(h) if self.out is not None else h


def build_networks(shape: DataShape, config: AliConfig) -> tuple[nn.Module, nn.Module]:
    """PacGAN's ALI networks for points; DCGAN conv nets with a Gaussian encoder for images."""
    if shape.kind == "points":
        dim, hidden = shape.channels, scaled(400, config.width)
        decoder = BatchNormMlpGenerator(config.z_dim, [hidden] * 4, dim)
        encoder = BatchNormMlpGenerator(2 * dim, [hidden] * 2, config.z_dim)
        generator = AliGenerator(decoder, encoder, config.z_dim, dim, gaussian=False)
        joint = MaxoutDiscriminator(dim + config.z_dim, scaled(200, config.width), 5, 3)
        discriminator = JointDiscriminator(joint, 0, config.z_dim, 0, maxout=True)
        return normal_init(generator), normal_init(discriminator)
    decoder = ConvGenerator(shape, config.z_dim, config.width, "batch")
    encoder = _ConvFeatures(shape, config.width, 2 * config.z_dim)
    generator = AliGenerator(decoder, encoder, config.z_dim, config.z_dim, gaussian=True)
    x_features = _ConvFeatures(shape, config.width)
    discriminator = JointDiscriminator(x_features, x_features.size, config.z_dim, scaled(512, config.width), False)
    return dcgan_init(generator), dcgan_init(discriminator)


def step_losses(modules: GanModules, batch: Batch, noise: StepNoise, config: AliConfig, amp: bool):
    """(d_loss, g_loss) of one simultaneous ALI update on one real batch, with the step's noise drawn (float32)."""
    g, d, x = modules.generator, modules.discriminator, batch.x
    z = noise.normal(len(x), config.z_dim)
    eps = noise.normal(len(x), g.encoder_noise)
    real_logits = d(x, g.encode(x, eps))
    fake_logits = d(g(z), z)
    d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    g_loss = F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()
    return d_loss, g_loss


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: AliConfig, amp: bool):
    """One simultaneous ALI update on one real batch (float32)."""
    d_loss, g_loss = step_losses(modules, batches[-1], noise, config, amp)
    apply_gradients(modules, d_loss, g_loss)
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


register(
    Family(
        "ali",
        "Dumoulin et al. 2017, Adversarially Learned Inference (= BiGAN, Donahue et al. 2017)",
        AliConfig,
        build_networks,
        train_step,
        packable=False,
        simultaneous_losses=step_losses,
    ),
)
