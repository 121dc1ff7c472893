"""`sngan`: Miyato et al. 2018 — spectrally normalised discriminator (their standard CNN: 3x3 + 4x4
stride-2 convs, LeakyReLU 0.1), hinge loss, Adam 2e-4 with betas 0.5/0.999 and one D step
(their setting C).

32x32 colour images (CIFAR-10) default to arch "collections-resnet": w86763777/pytorch-gan-collections'
`source/models/sngan.py` ResGenerator32 / ResDiscriminator32 with configs/SNGAN_CIFAR10_RES.txt (README: FID 14.32).
`sngan_collections_cnn` is its CNN (FID 17.81); `sngan_mimicry` is mimicry's `nets/sngan/sngan_32.py` (README
baseline FID 16.77 +- 0.04); see ganbench.models.reference32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import MODELS, DataShape, Family
from ganbench.models.blocks import standard_networks
from ganbench.models.reference32 import ArchConfig, reference_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class SnganConfig(ArchConfig):
    """Miyato et al.'s setting C (the ModelConfig defaults match it); on 32x32 colour images the `arch`'s
    published recipe (ganbench.models.reference32)."""

    arch: Literal["auto", "standard", "collections-resnet", "collections-cnn", "mimicry-resnet"] = "auto"

    BEST_32: ClassVar[str] = "collections-resnet"


def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Hinge loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Generator hinge loss -E[D(G(z))]."""
    return -fake.mean()


def build_networks(shape: DataShape, config: SnganConfig) -> tuple[nn.Module, nn.Module]:
    """The `arch`'s published networks, else a batch-norm generator and a spectral-norm discriminator (PyTorch
    default init, as SN does not need DCGAN's)."""
    return reference_networks("sngan", shape, config) or standard_networks(
        shape, config.z_dim, config.width, "batch", "spectral", slope=0.1, double_conv=True, init_dcgan=False
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: SnganConfig, amp: bool):
    """n_critic hinge-loss discriminator updates, then one generator update."""
    return alternating_step(modules, batches, noise, Objective(d_loss, g_loss), config.z_dim, amp, config.g_batch_mult)


SNGAN = Family("sngan", "Miyato et al. 2018, Spectral Normalization for GANs", SnganConfig, build_networks, train_step)
MODELS.add("sngan", SNGAN)
for _name, _arch, _paper in (
    ("sngan_collections_resnet", "collections-resnet", "pytorch-gan-collections SNGAN ResNet (source/models/sngan.py)"),
    ("sngan_collections_cnn", "collections-cnn", "pytorch-gan-collections SNGAN CNN (source/models/sngan.py)"),
    ("sngan_mimicry", "mimicry-resnet", "mimicry SNGAN 32x32 (torch_mimicry/nets/sngan/sngan_32.py)"),
):
    MODELS.add(_name, SNGAN.variant(_name, _paper, arch=_arch))
