"""`ebgan`: Zhao et al. 2017, Energy-based GAN — an auto-encoder discriminator whose energy is the
reconstruction error D(x) = ||Dec(Enc(x)) - x||, a margin loss, and the pulling-away term (EBGAN-PT).

    L_D = D(x) + max(0, m - D(G(z)))        L_G = D(G(z)) + lambda_PT * f_PT(Enc(G(z)))

f_PT(S) = 1 / (N (N - 1)) sum_{i != j} (S_i . S_j / (|S_i| |S_j|))^2 pushes the encodings of a batch of fakes
apart (less mode collapse). Settings from the paper: margin m = 10 for MNIST-sized images (its LSUN/CelebA
values are larger, its ImageNet 128 px 40), lambda_PT = 0.1. The auto-encoder is made of the benchmark's DCGAN
trunks (strided convs with batch norm, a linear code of `code_dim`, the DCGAN generator as decoder) and
Adam uses DCGAN's settings: the paper searched both per dataset, so these are our choices, as is the margin
for 2-D points (there is no paper value; the energy of a 2-D error is on the scale of the data, ~1).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.ae_blocks import AutoEncoderDiscriminator, gan_generator
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import dcgan_init
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, frozen, optimize

#: EBGAN's margin for 2-D points (our choice: no paper value).
POINTS_MARGIN = 1.0


@dataclass(frozen=True)
class EbganConfig(ModelConfig):
    """Zhao et al.'s EBGAN-PT: `margin` m of the discriminator's hinge on fake energies, `pt_weight` lambda_PT
    of the pulling-away term, `code_dim` the auto-encoder's code size."""

    margin: float = 10.0
    pt_weight: float = 0.1
    code_dim: int = 128

    def validate(self) -> None:
        super().validate()
        if self.batch_size < 2:
            raise GanbenchError("bad model setting: ebgan's pulling-away term needs batch_size of at least 2")

    def for_shape(self, shape: DataShape) -> EbganConfig:
        config = super().for_shape(shape)
        return dataclasses.replace(config, margin=POINTS_MARGIN) if shape.kind == "points" else config


def pulling_away(codes: torch.Tensor) -> torch.Tensor:
    """f_PT: mean squared cosine similarity over the ordered pairs i != j of a batch of codes (N >= 2)."""
    unit = F.normalize(codes.float().flatten(1), dim=1)
    n = len(unit)
    similarity = unit @ unit.T
    return (similarity.square().sum() - similarity.diagonal().square().sum()) / (n * (n - 1))


def discriminator_loss(real_energy: torch.Tensor, fake_energy: torch.Tensor, margin: float) -> torch.Tensor:
    """E[D(x)] + E[max(0, m - D(G(z)))]."""
    return real_energy.mean() + F.relu(margin - fake_energy).mean()


def build_networks(shape: DataShape, config: EbganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN generator; auto-encoder discriminator with the L2-norm energy."""
    discriminator = AutoEncoderDiscriminator(shape, config.width, config.code_dim, "l2_norm")
    if shape.kind == "image":
        dcgan_init(discriminator)
    return gan_generator(shape, config.z_dim, config.width), discriminator


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: EbganConfig, amp: bool):
    """n_critic margin-loss updates of the auto-encoder, then one generator update with the pulling-away term.

    Logged: d_loss, g_loss, real_energy (mean D(x) of the last batch), pulling_away (f_PT of the fakes).
    """
    g, d = modules.generator, modules.discriminator
    for batch in batches:
        z = noise.normal(len(batch.x), config.z_dim)
        with torch.no_grad(), autocast(batch.x, amp):
            fake = g(z)
        with autocast(batch.x, amp):
            real_energy = d(batch.x)
            d_loss = discriminator_loss(real_energy, d(fake), config.margin)
        optimize(modules.d_opt, d_loss)

    z = noise.normal(len(batches[-1].x), config.z_dim)
    with frozen(d):
        with autocast(z, amp):
            fake = g(z)
            reconstruction, codes = d.reconstruct(fake)
            pt = pulling_away(codes)
            g_loss = d.energy(fake, reconstruction).mean() + config.pt_weight * pt
        optimize(modules.g_opt, g_loss)
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "real_energy": real_energy.detach().mean(),
        "pulling_away": pt.detach(),
    }


register(
    Family(
        "ebgan",
        "Zhao et al. 2017, Energy-based Generative Adversarial Network",
        EbganConfig,
        build_networks,
        train_step,
    ),
)
