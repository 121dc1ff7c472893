"""`acgan`: Odena et al. 2017, Conditional Image Synthesis with Auxiliary Classifier GANs — the generator
gets the class as a one-hot vector beside the noise; the discriminator has a second head, a classifier of
the class, trained on real and fake images. Needs labelled data.

    L_S = E[log P(S=real | x)] + E[log P(S=fake | G(z, c))]     L_C = E[log P(C=c | x)] + E[log P(C=c | G(z, c))]

The discriminator maximises L_S + L_C, the generator L_C - L_S (with the non-saturating form of -L_S, as
for `gan` and `dcgan`). Paper settings: Adam 2e-4 with beta1 0.5, batch 100, 100 noise dimensions; networks
are the benchmark's DCGAN pair (the paper's are DCGAN-like), so `acgan` sits beside `cgan` (projection
discriminator, conditional batch norm) with only the conditioning differing in kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.aux_blocks import CodedGenerator, HeadedDiscriminator
from ganbench.models.base import DataShape, Family, ModelConfig, register, require_labels
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, frozen, optimize


@dataclass(frozen=True)
class AcganConfig(ModelConfig):
    """Odena et al.'s settings; `class_weight` scales the auxiliary classification loss (1 in the paper)."""

    batch_size: int = 100
    z_dim: int = 100
    class_weight: float = 1.0


def build_networks(shape: DataShape, config: AcganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN pair; the generator reads noise + one-hot class, the discriminator has a class head."""
    require_labels("acgan", shape)
    width = CodedGenerator.input_dim(config.z_dim, shape.num_classes)
    inner, body = standard_networks(shape, width, config.width, "batch", "batch")
    classifier = nn.Linear(HeadedDiscriminator.features_dim(body), shape.num_classes)
    return CodedGenerator(inner, config.z_dim, shape.num_classes), HeadedDiscriminator(body, classifier)


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: AcganConfig, amp: bool):
    """n_critic discriminator updates (source + class on real and fake), then one generator update.

    Logged: d_loss, g_loss, class_loss_real (the auxiliary classifier's cross-entropy on real images) and
    class_loss_fake (on the generator's images, as the generator saw them).
    """
    g, d = modules.generator, modules.discriminator
    for batch in batches:
        n = len(batch.x)
        z, labels = noise.normal(n, config.z_dim), noise.labels(n, g.num_classes)
        with torch.no_grad(), autocast(batch.x, amp):
            fake = g(z, labels)
        with autocast(batch.x, amp):
            real_logit, real_classes = d.both(batch.x)
            fake_logit, fake_classes = d.both(fake)
            class_real = F.cross_entropy(real_classes.float(), batch.y)
            class_fake = F.cross_entropy(fake_classes.float(), labels)
            d_loss = cross_entropy_d_loss(real_logit.float(), fake_logit.float()) + config.class_weight * (class_real + class_fake)
        optimize(modules.d_opt, d_loss)

    n = len(batches[-1].x)
    z, labels = noise.normal(n, config.z_dim), noise.labels(n, g.num_classes)
    with frozen(d):
        with autocast(z, amp):
            fake_logit, fake_classes = d.both(g(z, labels))
            class_fake = F.cross_entropy(fake_classes.float(), labels)
            g_loss = non_saturating_g_loss(fake_logit.float()) + config.class_weight * class_fake
        optimize(modules.g_opt, g_loss)
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "class_loss_real": class_real.detach(),
        "class_loss_fake": class_fake.detach(),
    }


register(
    Family(
        "acgan",
        "Odena et al. 2017, Conditional Image Synthesis with Auxiliary Classifier GANs",
        AcganConfig,
        build_networks,
        train_step,
        conditional=True,
    ),
)
