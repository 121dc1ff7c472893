"""The reference GAN zoo. Importing this package registers the built-in families in MODELS."""

from __future__ import annotations

import torch
from torch import nn

from ganbench.models import cgan, dcgan, gan, lsgan, sngan, wgan, wgan_gp  # noqa: F401  (registration)
from ganbench.models.base import MODELS, DataShape, Family, ModelConfig
from ganbench.seeding import class_labels, noise


def build(family_name: str, shape: DataShape, config: ModelConfig | None = None) -> tuple[nn.Module, nn.Module]:
    """(generator, discriminator) of family `family_name` for data of `shape`; `config` defaults to the paper's."""
    family = MODELS.get(family_name)
    config = config if config is not None else family.default_config(shape)
    return family.build_networks(shape, config)


@torch.no_grad()
def generate(generator: nn.Module, n: int, seed: int, batch_size: int = 256, start: int = 0) -> torch.Tensor:
    """Samples `start` .. `start + n` of `generator` for evaluation seed `seed`, on the generator's device.

    Noise row i comes from ganbench.seeding.noise and conditional generators get the
    balanced labels of ganbench.seeding.class_labels, so the result does not depend on
    `batch_size`. The generator is used in whatever train/eval mode it is in.
    """
    device = next(generator.parameters()).device
    parts = []
    for first in range(start, start + n, batch_size):
        size = min(batch_size, start + n - first)
        z = noise(seed, size, generator.z_dim, start=first, device=device)
        labels = class_labels(size, generator.num_classes, first, device) if generator.num_classes else None
        parts.append(generator(z, labels))
    return torch.cat(parts)


__all__ = ["MODELS", "DataShape", "Family", "ModelConfig", "build", "generate"]
