"""`sngan`: Miyato et al. 2018 — spectrally normalised discriminator (their standard CNN: 3x3 + 4x4
stride-2 convs, LeakyReLU 0.1), hinge loss, Adam 2e-4 with betas 0.5/0.999 and one D step
(their setting C)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import MODELS, DataShape, Family, ModelConfig
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class SnganConfig(ModelConfig):
    """Miyato et al.'s setting C (the ModelConfig defaults match it)."""


def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Hinge loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Generator hinge loss -E[D(G(z))]."""
    return -fake.mean()


def build_networks(shape: DataShape, config: SnganConfig) -> tuple[nn.Module, nn.Module]:
    """Batch-norm generator, spectral-norm discriminator (PyTorch default init, as SN does not need DCGAN's)."""
    return standard_networks(
        shape, config.z_dim, config.width, "batch", "spectral", slope=0.1, double_conv=True, init_dcgan=False
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: SnganConfig, amp: bool):
    """n_critic hinge-loss discriminator updates, then one generator update."""
    return alternating_step(modules, batches, noise, Objective(d_loss, g_loss), config.z_dim, amp)


MODELS.add(
    "sngan",
    Family(
        "sngan",
        "Miyato et al. 2018, Spectral Normalization for GANs",
        SnganConfig,
        build_networks,
        train_step,
    ),
)
