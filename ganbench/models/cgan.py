"""`cgan`: class-conditional GAN — generator with conditional batch norm, spectrally normalised
projection discriminator (Miyato & Koyama 2018), hinge loss and the `sngan` optimizer settings.
Needs labelled data."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ganbench.models import sngan
from ganbench.models.base import MODELS, DataShape, Family, ModelConfig, require_labels
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class CganConfig(ModelConfig):
    """Miyato & Koyama's losses with Miyato et al.'s setting C optimizer."""


def build_networks(shape: DataShape, config: CganConfig) -> tuple[nn.Module, nn.Module]:
    """Conditional-batch-norm generator and projection discriminator for `shape.num_classes` classes."""
    require_labels("cgan", shape)
    return standard_networks(
        shape,
        config.z_dim,
        config.width,
        "conditional",
        "spectral",
        slope=0.1,
        double_conv=True,
        conditional=True,
        init_dcgan=False,
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: CganConfig, amp: bool):
    """Hinge-loss updates; reals carry their labels, fakes uniformly drawn ones."""
    return alternating_step(modules, batches, noise, Objective(sngan.d_loss, sngan.g_loss), config.z_dim, amp)


MODELS.add(
    "cgan",
    Family(
        "cgan",
        "Miyato & Koyama 2018, cGANs with Projection Discriminator",
        CganConfig,
        build_networks,
        train_step,
        conditional=True,
    ),
)
