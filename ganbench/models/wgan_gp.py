"""`wgan_gp`: Gulrajani et al. 2017 — Wasserstein critic with gradient penalty 10, Adam 1e-4 with
betas 0/0.9, 5 critic steps; no batch norm in the critic (it would break the per-sample penalty).

2-D points: the authors' own toy settings (`gan_toy.py` of igul222/improved_wgan_training): 3 ReLU layers of
512 in both networks without normalisation, z ~ N(0, I_2), penalty weight 0.1, 5 critic steps, Adam 1e-4 with
betas 0.5/0.9 as TensorFlow's AdamOptimizer applies them (`adam_epsilon`), batch 256, the data divided by its
standard deviation (`standardize`). Their loop (critic steps
first, no generator step at iteration 0) is the order of ganbench.models.step.alternating_step.

32x32 colour images (CIFAR-10) default to arch "collections-resnet": w86763777/pytorch-gan-collections'
`source/models/wgangp.py` ResGenerator32 / ResDiscriminator32 with configs/WGANGP_CIFAR10_RES.txt (README: FID 16.95).
`wgan_gp_collections_cnn` is its CNN (FID 19.83); `wgan_gp_mimicry` is mimicry's `nets/wgan_gp/wgan_gp_32.py`
(README baseline FID 22.29 +- 0.06); see ganbench.models.reference32.
48x48 and 64x64 colour images (STL-10, CelebA) default to mimicry's `nets/wgan_gp/wgan_gp_{48,64}.py` with the same
recipe (README baseline: STL-10 48 FID 43.01 +- 0.19; mimicry publishes no WGAN-GP number at 64); see
ganbench.models.resnet48_64.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from ganbench.models.base import DataShape, Family, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import wasserstein_d_loss, wasserstein_g_loss
from ganbench.models.optim import adam, tensorflow_adam
from ganbench.models.points import toy_networks
from ganbench.models.reference32 import ArchConfig, reference_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step, gradient_penalty

#: gan_toy.py's settings (MODE = 'wgan-gp').
TOY_POINTS = {
    "z_dim": 2,
    "batch_size": 256,
    "beta1": 0.5,
    "beta2": 0.9,
    "gp_weight": 0.1,
    "n_critic": 5,
    "standardize": True,
    "adam_epsilon": "tensorflow",
}


@dataclass(frozen=True)
class WganGpConfig(ArchConfig):
    """Gulrajani et al.'s settings; `gp_weight` is the penalty coefficient lambda; `standardize` (points): the
    networks work on the data divided by its standard deviation, the penalty measured in those units;
    `adam_epsilon` "tensorflow": Adam's epsilon added as tf.train.AdamOptimizer adds it (gan_toy.py's optimizer,
    ganbench.models.optim.TensorFlowAdam), "torch": as torch.optim.Adam does. On 32x32,
    48x48 and 64x64 colour images the `arch`'s published recipe (ganbench.models.reference32)."""

    arch: Literal["auto", "standard", "collections-resnet", "collections-cnn", "mimicry-resnet"] = "auto"

    lr_g: float = 1e-4
    lr_d: float = 1e-4
    beta1: float = 0.0
    beta2: float = 0.9
    n_critic: int = 5
    gp_weight: float = 10.0
    standardize: bool = False
    adam_epsilon: Literal["torch", "tensorflow"] = "torch"

    BEST_32: ClassVar[str] = "collections-resnet"
    MIMICRY_LARGE: ClassVar[tuple[int, ...]] = (48, 64)

    def for_shape(self, shape: DataShape) -> WganGpConfig:
        config = super().for_shape(shape)
        return dataclasses.replace(config, **TOY_POINTS) if shape.kind == "points" else config


def build_networks(shape: DataShape, config: WganGpConfig) -> tuple[nn.Module, nn.Module]:
    """gan_toy.py's networks for points; for images the `arch`'s published networks, else a batch-norm generator
    and a normalisation-free critic."""
    if shape.kind == "points" and config.resolved_arch(shape) == "standard":
        return toy_networks(config.z_dim, shape.channels, config.width, shape.scale if config.standardize else 1.0)
    return reference_networks("wgan_gp", shape, config) or standard_networks(shape, config.z_dim, config.width, "batch", "none")


def make_optimizers(g: nn.Module, d: nn.Module, config: WganGpConfig, device: torch.device):
    """Adam for both networks; TensorFlow's Adam where the protocol is gan_toy.py's (`adam_epsilon`)."""
    make = tensorflow_adam if config.adam_epsilon == "tensorflow" else adam
    betas = (config.beta1, config.beta2)
    return make(g.parameters(), config.lr_g, betas, device), make(d.parameters(), config.lr_d, betas, device)


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: WganGpConfig, amp: bool):
    """n_critic penalised critic updates with the Wasserstein losses, then one generator update."""

    def penalty(d, batch, fake, fake_labels, step_noise):
        return config.gp_weight * gradient_penalty(d, batch, fake, fake_labels, step_noise)

    objective = Objective(wasserstein_d_loss, wasserstein_g_loss, penalty=penalty)
    return alternating_step(modules, batches, noise, objective, config.z_dim, amp, config.g_batch_mult)


register(
    Family(
        "wgan_gp",
        "Gulrajani et al. 2017, Improved Training of Wasserstein GANs",
        WganGpConfig,
        build_networks,
        train_step,
        make_optimizers=make_optimizers,
        double_backward=True,
    ),
    variant(
        "wgan_gp_collections_resnet",
        "pytorch-gan-collections WGAN-GP ResNet (source/models/wgangp.py)",
        arch="collections-resnet",
    ),
    variant("wgan_gp_collections_cnn", "pytorch-gan-collections WGAN-GP CNN (source/models/wgangp.py)", arch="collections-cnn"),
    variant(
        "wgan_gp_mimicry",
        "mimicry WGAN-GP ResNet (torch_mimicry/nets/wgan_gp/wgan_gp_{32,48,64}.py)",
        arch="mimicry-resnet",
    ),
)
