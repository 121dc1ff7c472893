"""`lsgan`: Mao et al. 2017 — least-squares losses with targets a=0 (fake), b=1 (real), c=1 (generator),
on DCGAN networks with Adam 2e-4, betas 0.5/0.999."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class LsganConfig(ModelConfig):
    """Mao et al.'s 0-1 coding: the discriminator regresses fakes to `a` and reals to `b`; G pushes fakes to `c`."""

    a: float = 0.0
    b: float = 1.0
    c: float = 1.0


def losses(config: LsganConfig) -> Objective:
    """Halved mean squared errors to the configured targets."""

    def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((real - config.b) ** 2).mean() + 0.5 * ((fake - config.a) ** 2).mean()

    def g_loss(fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((fake - config.c) ** 2).mean()

    return Objective(d_loss, g_loss)


def build_networks(shape: DataShape, config: LsganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN networks."""
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: LsganConfig, amp: bool):
    """One discriminator and one generator update with the least-squares losses."""
    return alternating_step(modules, batches, noise, losses(config), config.z_dim, amp)


register(
    Family(
        "lsgan",
        "Mao et al. 2017, Least Squares Generative Adversarial Networks",
        LsganConfig,
        build_networks,
        train_step,
    ),
)
