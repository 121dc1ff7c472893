"""`dcgan`: Radford et al. 2015 — transposed-conv generator, strided-conv discriminator, batch norm,
LeakyReLU 0.2, N(0, 0.02) init, Adam 2e-4 with betas 0.5/0.999, non-saturating loss."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ganbench.models import gan
from ganbench.models.base import MODELS, DataShape, Family, ModelConfig
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class DcganConfig(ModelConfig):
    """Radford et al.'s settings (the ModelConfig defaults are theirs)."""


def build_networks(shape: DataShape, config: DcganConfig) -> tuple[nn.Module, nn.Module]:
    """Batch norm in both networks (MLPs without batch norm for points)."""
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: DcganConfig, amp: bool):
    """One discriminator and one generator update with the cross-entropy losses of `gan`."""
    return alternating_step(modules, batches, noise, Objective(gan.d_loss, gan.g_loss), config.z_dim, amp)


DCGAN = Family(
    "dcgan", "Radford et al. 2015, Unsupervised Representation Learning with DCGANs", DcganConfig, build_networks, train_step
)
MODELS.add("dcgan", DCGAN)
