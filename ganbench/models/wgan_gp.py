"""`wgan_gp`: Gulrajani et al. 2017 — Wasserstein critic with gradient penalty 10, Adam 1e-4 with
betas 0/0.9, 5 critic steps; no batch norm in the critic (it would break the per-sample penalty)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ganbench.models import wgan
from ganbench.models.base import MODELS, DataShape, Family, ModelConfig
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step, gradient_penalty


@dataclass(frozen=True)
class WganGpConfig(ModelConfig):
    """Gulrajani et al.'s settings; `gp_weight` is the penalty coefficient lambda."""

    lr_g: float = 1e-4
    lr_d: float = 1e-4
    beta1: float = 0.0
    beta2: float = 0.9
    n_critic: int = 5
    gp_weight: float = 10.0


def build_networks(shape: DataShape, config: WganGpConfig) -> tuple[nn.Module, nn.Module]:
    """Batch-norm generator, normalisation-free critic."""
    return standard_networks(shape, config.z_dim, config.width, "batch", "none")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: WganGpConfig, amp: bool):
    """n_critic penalised critic updates (Wasserstein losses of `wgan`), then one generator update."""

    def penalty(d, batch, fake, fake_labels, step_noise):
        return config.gp_weight * gradient_penalty(d, batch, fake, fake_labels, step_noise)

    objective = Objective(wgan.d_loss, wgan.g_loss, penalty=penalty)
    return alternating_step(modules, batches, noise, objective, config.z_dim, amp)


MODELS.add(
    "wgan_gp",
    Family(
        "wgan_gp",
        "Gulrajani et al. 2017, Improved Training of Wasserstein GANs",
        WganGpConfig,
        build_networks,
        train_step,
        double_backward=True,
    ),
)
