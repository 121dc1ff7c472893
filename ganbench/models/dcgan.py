"""`dcgan`: Radford et al. 2015 — transposed-conv generator, strided-conv discriminator, batch norm,
LeakyReLU 0.2, N(0, 0.02) init, Adam 2e-4 with betas 0.5/0.999, non-saturating loss.

32x32 colour images (CIFAR-10) default to arch "collections-dcgan": w86763777/pytorch-gan-collections'
`source/models/dcgan.py` (Generator32 / Discriminator32) with configs/DCGAN_CIFAR10.txt (README: FID 42.72), the
only DCGAN architecture with a published CIFAR-10 FID at 50k samples against the train set. `dcgan_mimicry` is
mimicry's `nets/dcgan/dcgan_32.py` (the SNGAN ResNet without spectral norm, non-saturating loss), which mimicry
publishes no 50k baseline for (see ganbench.models.reference32).
`pacdcgan2` .. `pacdcgan4` are this family with pack = 2 .. 4 (PacGAN, Lin et al. 2018: its stacked-MNIST rows
PacDCGAN2-4); any other family takes `--set pack=M` the same way (ganbench.models.packing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from torch import nn

from ganbench.models.base import DataShape, Family, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.packing import PACGAN_PAPER
from ganbench.models.reference32 import ArchConfig, reference_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class DcganConfig(ArchConfig):
    """Radford et al.'s settings (the ModelConfig defaults are theirs); on 32x32 colour images the `arch`'s
    published recipe (ganbench.models.reference32)."""

    arch: Literal["auto", "standard", "collections-dcgan", "mimicry-resnet"] = "auto"

    BEST_32: ClassVar[str] = "collections-dcgan"


def build_networks(shape: DataShape, config: DcganConfig) -> tuple[nn.Module, nn.Module]:
    """The `arch`'s published networks, else batch norm in both networks (MLPs without batch norm for points)."""
    return reference_networks("dcgan", shape, config) or standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: DcganConfig, amp: bool):
    """One discriminator and one generator update with the cross-entropy losses."""
    objective = Objective(cross_entropy_d_loss, non_saturating_g_loss)
    return alternating_step(modules, batches, noise, objective, config.z_dim, amp, config.g_batch_mult)


register(
    Family("dcgan", "Radford et al. 2015, Unsupervised Representation Learning with DCGANs", DcganConfig, build_networks, train_step),
    variant("dcgan_collections", "pytorch-gan-collections DCGAN (source/models/dcgan.py)", arch="collections-dcgan"),
    variant("dcgan_mimicry", "mimicry DCGAN 32x32 (torch_mimicry/nets/dcgan/dcgan_32.py)", arch="mimicry-resnet"),
    *(variant(f"pacdcgan{m}", f"{PACGAN_PAPER} (dcgan, pack={m})", pack=m) for m in (2, 3, 4)),
)
