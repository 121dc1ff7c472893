"""Generators fed codes beside the noise, and discriminators with a second head (ACGAN, InfoGAN).

`CodedGenerator` keeps the generator contract: it is called with standard-normal z (N, z_dim) and int labels,
and turns them into the code the inner network sees: noise, the one-hot label (ACGAN's class, InfoGAN's
categorical code) and, for InfoGAN, continuous codes uniform on (-1, 1), made from normal coordinates by
erf(z / sqrt 2) = 2 Phi(z) - 1 (an exact transform, so evaluation noise gives the paper's code prior).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.blocks import MlpDiscriminator


def uniform_codes(z: torch.Tensor) -> torch.Tensor:
    """Standard-normal coordinates mapped to Uniform(-1, 1) through the normal CDF."""
    return torch.erf(z / math.sqrt(2.0))


class CodedGenerator(nn.Module):
    """(z, labels) -> inner(concat(noise, one_hot(labels), uniform codes)).

    z_dim = noise_dim + n_continuous (the last n_continuous coordinates become the continuous codes);
    num_classes is the size of the one-hot part (labels are required when it is positive).
    """

    def __init__(self, inner: nn.Module, noise_dim: int, num_classes: int, n_continuous: int = 0) -> None:
        super().__init__()
        self.inner = inner
        self.noise_dim, self.n_continuous = noise_dim, n_continuous
        self.z_dim, self.num_classes = noise_dim + n_continuous, num_classes

    @staticmethod
    def input_dim(noise_dim: int, num_classes: int, n_continuous: int = 0) -> int:
        """Width of the inner network's input."""
        return noise_dim + num_classes + n_continuous

    def continuous_codes(self, z: torch.Tensor) -> torch.Tensor:
        """The continuous codes (N, n_continuous) a given z carries."""
        return uniform_codes(z[:, self.noise_dim :])

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        parts = [z[:, : self.noise_dim]]
        if self.num_classes:
            if labels is None:
                raise ValueError("this generator needs labels (its categorical code)")
            parts.append(F.one_hot(labels, self.num_classes).to(z.dtype))
        if self.n_continuous:
            parts.append(self.continuous_codes(z))
        return self.inner(torch.cat(parts, dim=1))


class HeadedDiscriminator(nn.Module):
    """An unconditional discriminator (`ConvDiscriminator` or `MlpDiscriminator`) plus an auxiliary head on its
    last features. forward(x) is the real/fake logit (N,); both(x) gives (logit, aux output) from one pass."""

    def __init__(self, body: nn.Module, aux: nn.Module) -> None:
        super().__init__()
        self.body, self.aux = body, aux
        self.flatten_input = isinstance(body, MlpDiscriminator)

    @staticmethod
    def features_dim(body: nn.Module) -> int:
        """Width of the flattened features the heads read."""
        return body.head.linear.in_features

    def both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body.features(x.flatten(1) if self.flatten_input else x)
        return self.body.head(h, None), self.aux(h.flatten(1))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(x)
