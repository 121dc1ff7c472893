"""`sngan`: Miyato et al. 2018 — spectrally normalised discriminator (their standard CNN: 3x3 + 4x4
stride-2 convs, LeakyReLU 0.1), hinge loss, Adam 2e-4 with betas 0.5/0.999 and one D step
(their setting C).

32x32 colour images (CIFAR-10) default to arch "collections-resnet": w86763777/pytorch-gan-collections'
`source/models/sngan.py` ResGenerator32 / ResDiscriminator32 with configs/SNGAN_CIFAR10_RES.txt (README: FID 14.32).
`sngan_collections_cnn` is its CNN (FID 17.81); `sngan_mimicry` is mimicry's `nets/sngan/sngan_32.py` (README
baseline FID 16.77 +- 0.04); see ganbench.models.reference32.
48x48 and 64x64 colour images (STL-10, CelebA) default to mimicry's `nets/sngan/sngan_{48,64}.py` with the same
recipe (README baselines: STL-10 48 FID 39.56 +- 0.10, CelebA 64 FID 5.71 +- 0.02); see ganbench.models.resnet48_64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from torch import nn

from ganbench.models.base import DataShape, Family, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import hinge_d_loss, hinge_g_loss
from ganbench.models.reference32 import ArchConfig, reference_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class SnganConfig(ArchConfig):
    """Miyato et al.'s setting C (the ModelConfig defaults match it); on 32x32, 48x48 and 64x64 colour images the
    `arch`'s published recipe (ganbench.models.reference32)."""

    arch: Literal["auto", "standard", "collections-resnet", "collections-cnn", "mimicry-resnet"] = "auto"

    BEST_32: ClassVar[str] = "collections-resnet"
    MIMICRY_LARGE: ClassVar[tuple[int, ...]] = (48, 64)


def build_networks(shape: DataShape, config: SnganConfig) -> tuple[nn.Module, nn.Module]:
    """The `arch`'s published networks, else a batch-norm generator and a spectral-norm discriminator (PyTorch
    default init, as SN does not need DCGAN's)."""
    return reference_networks("sngan", shape, config) or standard_networks(
        shape, config.z_dim, config.width, "batch", "spectral", slope=0.1, double_conv=True, init_dcgan=False
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: SnganConfig, amp: bool):
    """n_critic hinge-loss discriminator updates, then one generator update."""
    return alternating_step(modules, batches, noise, Objective(hinge_d_loss, hinge_g_loss), config.z_dim, amp, config.g_batch_mult)


register(
    Family("sngan", "Miyato et al. 2018, Spectral Normalization for GANs", SnganConfig, build_networks, train_step),
    variant("sngan_collections_resnet", "pytorch-gan-collections SNGAN ResNet (source/models/sngan.py)", arch="collections-resnet"),
    variant("sngan_collections_cnn", "pytorch-gan-collections SNGAN CNN (source/models/sngan.py)", arch="collections-cnn"),
    variant("sngan_mimicry", "mimicry SNGAN ResNet (torch_mimicry/nets/sngan/sngan_{32,48,64}.py)", arch="mimicry-resnet"),
)
