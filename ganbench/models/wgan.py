"""`wgan`: Arjovsky et al. 2017 — Wasserstein critic with weight clipping at 0.01, RMSProp 5e-5,
5 critic steps per generator step, DCGAN networks (batch norm kept, as in the paper's DCGAN runs)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganbench.models import optim
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import wasserstein_d_loss, wasserstein_g_loss
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class WganConfig(ModelConfig):
    """Arjovsky et al.'s settings; `clip` bounds every critic weight to [-clip, clip]. Betas are unused."""

    lr_g: float = 5e-5
    lr_d: float = 5e-5
    n_critic: int = 5
    clip: float = 0.01


def clipper(bound: float):
    """A function clamping every critic parameter to [-bound, bound] in place."""

    @torch.no_grad()
    def clip(critic: nn.Module) -> None:
        for p in critic.parameters():
            p.clamp_(-bound, bound)

    return clip


def build_networks(shape: DataShape, config: WganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN networks."""
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def make_optimizers(g: nn.Module, d: nn.Module, config: WganConfig, device: torch.device):
    """RMSProp for both networks."""
    return optim.rmsprop(g.parameters(), config.lr_g, device), optim.rmsprop(d.parameters(), config.lr_d, device)


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: WganConfig, amp: bool):
    """n_critic clipped critic updates, then one generator update."""
    objective = Objective(wasserstein_d_loss, wasserstein_g_loss, after_d_step=clipper(config.clip))
    return alternating_step(modules, batches, noise, objective, config.z_dim, amp)


register(
    Family(
        "wgan",
        "Arjovsky et al. 2017, Wasserstein GAN",
        WganConfig,
        build_networks,
        train_step,
        make_optimizers=make_optimizers,
    ),
)
