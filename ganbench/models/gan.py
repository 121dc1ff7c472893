"""`gan`: Goodfellow et al. 2014 — non-saturating cross-entropy GAN.

Images (`arch`): on 28x28 grey images the paper's own MNIST networks ("mnist-mlp", ganbench.models.mnist_mlp:
1200-1200 ReLU generator, maxout 240 x 5 discriminator with dropout, batch 100, 100-d noise); elsewhere, and with packing,
ReLU/LeakyReLU MLPs 256-512-1024 with dropout in the discriminator ("standard"). The paper trained with SGD +
momentum; like most reproductions we use Adam (2e-4, betas 0.5/0.999). On mnist5k the standard MLPs collapse onto
one or two digits (FID 1729 at full width, 1842 at a quarter, 2,000 steps) where the paper's pair learns (563 at
full width and 6,000 steps, 9 digits; issue 26).
2-D points: the GAN of the mode-collapse tables (PacGAN, Lin et al. 2018, Table 1, row "GAN"; its code
`synthetic_data_experiments/2DGrid_GAN&PacGAN/`): PacGAN's networks (ganbench.models.points), z ~ N(0, I_2),
batch 100, Adam 1e-4 with beta1 0.8 (Blocks' convention after 2017; 0.2 under the older one) and the
simultaneous update of ALI's `ali_algorithm`. `pacgan2` .. `pacgan4` are this family with pack = 2 .. 4.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Literal

from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import MlpDiscriminator, MlpGenerator, scaled
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.mnist_mlp import HIDDEN_DROPOUT, gan_mnist_networks, mnist_like
from ganbench.models.packing import PACGAN_PAPER
from ganbench.models.points import PACGAN_POINTS, pacgan_networks
from ganbench.models.simultaneous import simultaneous_losses, simultaneous_step
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step

#: Goodfellow et al.'s MNIST batch and noise dimension (mnist.yaml: batch_size 100, nvis 100).
MNIST_BATCH, MNIST_Z_DIM = 100, 100


@dataclass(frozen=True)
class GanConfig(ModelConfig):
    """Goodfellow et al.'s GAN; `dropout` is the image discriminator's dropout rate on its hidden units (0.5 on the
    paper's MNIST pair, which also drops 0.2 of its inputs; PacGAN's 2-D maxout discriminator has none);
    `simultaneous`: update both networks from the same parameters in one step (PacGAN's code) instead of
    discriminator first, then generator; `arch`: see the module."""

    dropout: float = 0.3
    simultaneous: bool = False
    arch: Literal["auto", "mnist-mlp", "standard"] = "auto"

    #: configs stored before `arch` existed trained the standard MLPs on every image shape
    ABSENT_MEANS: ClassVar[dict[str, str]] = {"arch": "standard"}

    def resolved_arch(self, shape: DataShape) -> str:
        """`arch` with "auto" replaced by what it stands for on `shape`: the paper's MNIST pair on 28x28 grey
        images without packing (a packed discriminator's inner shape has pack x the channels, so packing keeps the
        standard pair for generator and discriminator alike)."""
        if self.arch != "auto":
            return self.arch
        return "mnist-mlp" if mnist_like(shape) and self.pack == 1 else "standard"

    def for_shape(self, shape: DataShape) -> GanConfig:
        if shape.kind == "points":
            return dataclasses.replace(self, **PACGAN_POINTS, simultaneous=True)
        if self.resolved_arch(shape) == "mnist-mlp":
            return dataclasses.replace(self, batch_size=MNIST_BATCH, z_dim=MNIST_Z_DIM, dropout=HIDDEN_DROPOUT)
        return self

    def unsupported(self, shape: DataShape) -> str | None:
        if self.arch == "mnist-mlp" and shape.kind != "image":
            return "arch mnist-mlp builds networks for images only; use arch=standard (or auto) for points"
        return None

    def validate(self) -> None:
        super().validate()
        if self.simultaneous and self.n_critic != 1:
            raise GanbenchError(
                "bad model setting: a simultaneous update has n_critic 1; drop n_critic or simultaneous"
            )


def build_networks(shape: DataShape, config: GanConfig) -> tuple[nn.Module, nn.Module]:
    """PacGAN's networks for points; for images, the `arch`'s: Goodfellow et al.'s MNIST pair, or MLPs on flattened
    pixels (generator 256-512-1024 with tanh output, mirrored discriminator)."""
    if shape.kind == "points":
        return pacgan_networks(config.z_dim, shape.channels, config.width)
    if config.resolved_arch(shape) == "mnist-mlp":
        return gan_mnist_networks(shape.sample_shape, config.z_dim, config.width, config.dropout)
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
