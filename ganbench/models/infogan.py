"""`infogan`: Chen et al. 2016, InfoGAN — a GAN whose generator also takes latent codes, and a recognition
head Q (sharing the discriminator's trunk) that recovers them; both networks maximise a variational lower
bound of the mutual information I(c; G(z, c)).

Settings from the authors' code (openai/InfoGAN, launchers/run_mnist_exp.py and infogan_trainer.py): 62
uniform(-1, 1) noise variables, one 10-way categorical code and two continuous codes uniform on (-1, 1),
Q's continuous outputs are Gaussian means with fixed unit std, information weight 1 on both players, Adam
with beta1 0.5 at 1e-3 (generator) and 2e-4 (discriminator and Q), batch 128, non-saturating GAN loss.
Networks: the benchmark's DCGAN pair (their MNIST nets are DCGAN-like) with Q = FC 128 - BN - LeakyReLU - FC,
as in the paper's Table 1.

The categorical code is the generator's `labels` input (num_classes = categories), so scoring draws it
balanced (sample i gets code i mod 10), exactly the code prior; the uniform noise and continuous codes are made
from the standard-normal evaluation noise by erf(z / sqrt 2). The `code_recovery` metric then says how well
the code alone picks the digit class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.aux_blocks import CodedGenerator, HeadedDiscriminator, uniform_codes
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, frozen, optimize

#: Width of Q's hidden layer (Chen et al., Table 1).
Q_HIDDEN = 128


@dataclass(frozen=True)
class InfoganConfig(ModelConfig):
    """Chen et al.'s MNIST InfoGAN: `z_dim` incompressible noise variables (uniform), `categories` values of the
    categorical code, `continuous` uniform codes, `info_weight` lambda on the information term."""

    lr_g: float = 1e-3
    lr_d: float = 2e-4
    batch_size: int = 128
    z_dim: int = 62
    categories: int = 10
    continuous: int = 2
    info_weight: float = 1.0

    def validate(self) -> None:
        super().validate()
        if self.categories < 1 or self.continuous < 0:
            raise GanbenchError("bad model setting: infogan needs categories >= 1 and continuous >= 0")


class InfoGenerator(CodedGenerator):
    """A `CodedGenerator` whose noise part is uniform on (-1, 1) too (the authors' Uniform(62) noise)."""

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        noise = uniform_codes(z[:, : self.noise_dim])
        return super().forward(torch.cat([noise, z[:, self.noise_dim :]], dim=1), labels)


def build_networks(shape: DataShape, config: InfoganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN pair; the generator reads noise + one-hot code + continuous codes, the discriminator has Q."""
    width = CodedGenerator.input_dim(config.z_dim, config.categories, config.continuous)
    inner, body = standard_networks(shape, width, config.width, "batch", "batch")
    features = HeadedDiscriminator.features_dim(body)
    q = nn.Sequential(
        nn.Linear(features, Q_HIDDEN),
        nn.BatchNorm1d(Q_HIDDEN),
        nn.LeakyReLU(0.2),
        nn.Linear(Q_HIDDEN, config.categories + config.continuous),
    )
    generator = InfoGenerator(inner, config.z_dim, config.categories, config.continuous)
    return generator, HeadedDiscriminator(body, q)


def information_loss(q: torch.Tensor, codes: torch.Tensor, continuous: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(cross-entropy of the categorical code under Q, Gaussian negative log-likelihood of the continuous codes
    under unit-std Q), both means over the batch; H(c) minus their sum is the mutual-information bound."""
    categories = q.shape[1] - continuous.shape[1]
    categorical = F.cross_entropy(q[:, :categories].float(), codes)
    error = q[:, categories:].float() - continuous
    gaussian = (0.5 * error.square() + 0.5 * math.log(2 * math.pi)).sum(1).mean()
    return categorical, gaussian


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: InfoganConfig, amp: bool):
    """n_critic updates of D and Q (GAN loss + weighted information loss), then one generator update.

    Logged: d_loss, g_loss (both including the information term), mi_categorical (log K minus Q's
    cross-entropy on the generator's fakes: a lower bound of I(c; G(z, c)), at most log K) and
    continuous_nll.
    """
    g, d = modules.generator, modules.discriminator

    def fakes(n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z, codes = noise.normal(n, g.z_dim), noise.labels(n, config.categories)
        return z, codes, g.continuous_codes(z)

    for batch in batches:
        z, codes, continuous = fakes(len(batch.x))
        with torch.no_grad(), autocast(batch.x, amp):
            fake = g(z, codes)
        with autocast(batch.x, amp):
            real_logits = d(batch.x).float()
            fake_logits, q = d.both(fake)
            categorical, gaussian = information_loss(q, codes, continuous)
            d_loss = cross_entropy_d_loss(real_logits, fake_logits.float()) + config.info_weight * (categorical + gaussian)
        optimize(modules.d_opt, d_loss)

    z, codes, continuous = fakes(len(batches[-1].x))
    with frozen(d):
        with autocast(z, amp):
            fake_logits, q = d.both(g(z, codes))
            categorical, gaussian = information_loss(q, codes, continuous)
            g_loss = non_saturating_g_loss(fake_logits.float()) + config.info_weight * (categorical + gaussian)
        optimize(modules.g_opt, g_loss)
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "mi_categorical": math.log(config.categories) - categorical.detach(),
        "continuous_nll": gaussian.detach(),
    }


register(
    Family(
        "infogan",
        "Chen et al. 2016, InfoGAN: Interpretable Representation Learning by Information Maximizing GANs",
        InfoganConfig,
        build_networks,
        train_step,
    ),
)
