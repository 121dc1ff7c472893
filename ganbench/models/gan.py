"""`gan`: Goodfellow et al. 2014 — MLP generator and discriminator, non-saturating generator loss.

The paper trained with SGD + momentum and maxout units; like most reproductions we
use Adam (2e-4, betas 0.5/0.999), ReLU/LeakyReLU MLPs and dropout in the discriminator.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import MODELS, DataShape, Family, ModelConfig
from ganbench.models.blocks import MlpDiscriminator, MlpGenerator, points_hidden, scaled
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class GanConfig(ModelConfig):
    """Goodfellow et al.'s GAN; `dropout` is the discriminator's dropout rate."""

    dropout: float = 0.3


def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator cross-entropy: -log D(x) - log(1 - D(G(z))), on logits."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss -log D(G(z)), on logits."""
    return F.softplus(-fake).mean()


def build_networks(shape: DataShape, config: GanConfig) -> tuple[nn.Module, nn.Module]:
    """MLPs for points and for flattened images (generator 256-512-1024 with tanh output, mirrored discriminator)."""
    if shape.kind == "points":
        hidden = points_hidden(config.width)
        return (
            MlpGenerator(config.z_dim, hidden, shape.sample_shape),
            MlpDiscriminator(shape.channels, hidden, dropout=config.dropout),
        )
    hidden = [scaled(c, config.width) for c in (256, 512, 1024)]
    pixels = shape.channels * shape.resolution**2
    return (
        MlpGenerator(config.z_dim, hidden, shape.sample_shape, tanh=True),
        MlpDiscriminator(pixels, hidden[::-1], dropout=config.dropout),
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: GanConfig, amp: bool):
    """One discriminator and one generator update with the cross-entropy losses."""
    return alternating_step(modules, batches, noise, Objective(d_loss, g_loss), config.z_dim, amp)


MODELS.add(
    "gan",
    Family(
        "gan",
        "Goodfellow et al. 2014, Generative Adversarial Nets",
        GanConfig,
        build_networks,
        train_step,
    ),
)
