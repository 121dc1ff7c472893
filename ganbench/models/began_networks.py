"""Berthelot et al.'s own BEGAN networks (BEGAN, 2017, Section 3.3 and Figure 1), for images of any size.

Decoder (the generator has the same shape, not the same weights): a linear layer, not followed by a nonlinearity,
from the input to a base x base x n map, then per scale two 3x3 convolutions with ELUs and a nearest-neighbour
upsampling by 2 (none after the last scale), and a 3x3 convolution to the image's channels with a linear output.
Encoder: a 3x3 convolution with an ELU, then per scale i = 1..r two 3x3 convolutions of n * i filters with ELUs
("the convolution filters are increased linearly with each down-sampling") and a stride-2 3x3 convolution
(sub-sampling) between scales, and a linear layer to the embedding h. Every convolution but the output one has its
ELU, the sub-sampling included ("3x3 convolutions with exponential linear units applied at their outputs"). Read
beside carpedm20/BEGAN-tensorflow's `models.py`, the reimplementation most runs use: the same layout, though as
written its TF-slim layers keep slim's default ReLU on the fully connected layers and on the sub-sampling and
output convolutions, where the paper has none.

The paper's images are 64x64 and 128x128 (base 8); here the side is halved while it is even and its half at least
7 (28 -> 7, 32 -> 8, 64 -> 8, 48 -> 12, 8 -> 8). n is 64 at width 1 (the paper and carpedm20 use 64
or 128).
"""

from __future__ import annotations

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.models.blocks import scaled

#: The paper's filter count n at width 1.
FILTERS = 64
#: The smallest base side the halving stops at (28x28 images get a 7x7 base).
MIN_BASE = 7


def scales(resolution: int) -> tuple[int, int]:
    """(base side, number of scales r) for a square image of side `resolution`: halved while it is even and its half
    at least MIN_BASE, so resolution = base * 2 ** (r - 1)."""
    base, count = resolution, 1
    while base % 2 == 0 and base // 2 >= MIN_BASE:
        base, count = base // 2, count + 1
    return base, count


def conv_elu(in_channels: int, out_channels: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, 3, stride, 1), nn.ELU()]


class BeganDecoder(nn.Module):
    """(N, in_dim) -> (N, C, H, W) images with a linear output."""

    def __init__(self, shape: DataShape, in_dim: int, width: float) -> None:
        super().__init__()
        self.base, count = scales(shape.resolution)
        self.filters = scaled(FILTERS, width)
        n = self.filters
        self.project = nn.Linear(in_dim, self.base * self.base * n)
        layers: list[nn.Module] = []
        for level in range(count):
            layers += conv_elu(n, n) + conv_elu(n, n)
            if level < count - 1:
                layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
        layers.append(nn.Conv2d(n, shape.channels, 3, 1, 1))
        self.body = nn.Sequential(*layers)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.body(self.project(h).view(len(h), self.filters, self.base, self.base))


class BeganEncoder(nn.Module):
    """(N, C, H, W) images -> (N, out_dim) embedding (linear)."""

    def __init__(self, shape: DataShape, out_dim: int, width: float) -> None:
        super().__init__()
        base, count = scales(shape.resolution)
        n = scaled(FILTERS, width)
        layers = conv_elu(shape.channels, n)
        previous = n
        for level in range(count):
            filters = n * (level + 1)
            layers += conv_elu(previous, filters) + conv_elu(filters, filters)
            if level < count - 1:
                layers += conv_elu(filters, filters, stride=2)
            previous = filters
        self.body = nn.Sequential(*layers)
        self.embed = nn.Linear(base * base * previous, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(self.body(x).flatten(1))
