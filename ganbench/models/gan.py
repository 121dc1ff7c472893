"""`gan`: Goodfellow et al. 2014 — non-saturating cross-entropy GAN.

Images: the paper trained MLPs with SGD + momentum and maxout units; like most reproductions we use Adam
(2e-4, betas 0.5/0.999), ReLU/LeakyReLU MLPs and dropout in the discriminator.
2-D points: the GAN of the mode-collapse tables (PacGAN, Lin et al. 2018, Table 1, row "GAN"; its code
`synthetic_data_experiments/2DGrid_GAN&PacGAN/`): PacGAN's networks (ganbench.models.points), z ~ N(0, I_2),
batch 100, Adam 1e-4 with beta1 0.8 (Blocks' convention after 2017; 0.2 under the older one) and the
simultaneous update of ALI's `ali_algorithm`. `pacgan2` .. `pacgan4` are this family with pack = 2 .. 4.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import MlpDiscriminator, MlpGenerator, scaled
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.packing import PACGAN_PAPER
from ganbench.models.points import PACGAN_POINTS, pacgan_networks
from ganbench.models.simultaneous import simultaneous_losses, simultaneous_step
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step


@dataclass(frozen=True)
class GanConfig(ModelConfig):
    """Goodfellow et al.'s GAN; `dropout` is the image discriminator's dropout rate (PacGAN's 2-D maxout
    discriminator has none); `simultaneous`: update both networks from the same parameters in one step
    (PacGAN's code) instead of discriminator first, then generator."""

    dropout: float = 0.3
    simultaneous: bool = False

    def for_shape(self, shape: DataShape) -> GanConfig:
        if shape.kind == "points":
            return dataclasses.replace(self, **PACGAN_POINTS, simultaneous=True)
        return self

    def validate(self) -> None:
        super().validate()
        if self.simultaneous and self.n_critic != 1:
            raise GanbenchError("bad model setting: a simultaneous update has n_critic 1; drop n_critic or simultaneous")


def build_networks(shape: DataShape, config: GanConfig) -> tuple[nn.Module, nn.Module]:
    """PacGAN's networks for points; for images, MLPs on flattened pixels (generator 256-512-1024 with tanh
    output, mirrored discriminator)."""
    if shape.kind == "points":
        return pacgan_networks(config.z_dim, shape.channels, config.width)
    hidden = [scaled(c, config.width) for c in (256, 512, 1024)]
    pixels = shape.channels * shape.resolution**2
    return (
        MlpGenerator(config.z_dim, hidden, shape.sample_shape, tanh=True),
        MlpDiscriminator(pixels, hidden[::-1], dropout=config.dropout),
    )


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: GanConfig, amp: bool):
    """One discriminator and one generator update with the cross-entropy losses (at once when simultaneous)."""
    objective = Objective(cross_entropy_d_loss, non_saturating_g_loss)
    if config.simultaneous:
        return simultaneous_step(modules, batches[0], noise, objective, config.z_dim, amp)
    return alternating_step(modules, batches, noise, objective, config.z_dim, amp)


def step_losses(modules: GanModules, batch: Batch, noise: StepNoise, config: GanConfig, amp: bool):
    """The losses of the simultaneous update (PacGAN's 2-D protocol)."""
    objective = Objective(cross_entropy_d_loss, non_saturating_g_loss)
    return simultaneous_losses(modules, batch, noise, objective, config.z_dim, amp)


register(
    Family(
        "gan",
        "Goodfellow et al. 2014, Generative Adversarial Nets",
        GanConfig,
        build_networks,
        train_step,
        simultaneous_losses=step_losses,
    ),
    *(variant(f"pacgan{m}", f"{PACGAN_PAPER} (gan, pack={m})", pack=m) for m in (2, 3, 4)),
)
