"""`cgan`: class-conditional GAN — generator with conditional batch norm, spectrally normalised
projection discriminator (Miyato & Koyama 2018) on `sngan`'s standard CNN, its projection reading the flattened final
map as the CNN's dense layer does (ganbench.models.blocks.Head says why), hinge loss and the `sngan` optimizer
settings. Needs labelled data.

32x32 colour images (CIFAR-10/100) default to arch "mimicry-resnet": mimicry's cGAN-PD
`torch_mimicry/nets/cgan_pd/cgan_pd_32.py` (README baseline FID 10.84 +- 0.03 on CIFAR-10), also registered as
`cgan_mimicry`; see ganbench.models.reference32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from torch import nn

from ganbench.models.base import DataShape, Family, register, require_labels, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import hinge_d_loss, hinge_g_loss
from ganbench.models.reference32 import ArchConfig, reference_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class CganConfig(ArchConfig):
    """Miyato & Koyama's losses with Miyato et al.'s setting C optimizer; on 32x32 colour images the `arch`'s
    published recipe (ganbench.models.reference32)."""

    arch: Literal["auto", "standard", "mimicry-resnet"] = "auto"

    BEST_32: ClassVar[str] = "mimicry-resnet"


def build_networks(shape: DataShape, config: CganConfig) -> tuple[nn.Module, nn.Module]:
    """Conditional-batch-norm generator and projection discriminator for `shape.num_classes` classes."""
    require_labels("cgan", shape)
    return reference_networks("cgan", shape, config) or standard_networks(
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
    return alternating_step(modules, batches, noise, Objective(hinge_d_loss, hinge_g_loss), config.z_dim, amp, config.g_batch_mult)


register(
    Family(
        "cgan",
        "Miyato & Koyama 2018, cGANs with Projection Discriminator",
        CganConfig,
        build_networks,
        train_step,
        conditional=True,
    ),
    variant("cgan_mimicry", "mimicry cGAN-PD 32x32 (torch_mimicry/nets/cgan_pd/cgan_pd_32.py)", arch="mimicry-resnet"),
)
