"""Network building blocks shared by the families: conv nets for images, MLPs for points.

Every generator maps (z, labels) to samples and every discriminator maps
(x, labels) to one logit per sample, (N,); unconditional nets ignore labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganbench.data.base import DataShape
from ganbench.errors import GanbenchError

GenNorm = Literal["none", "batch", "conditional"]
DiscNorm = Literal["none", "batch", "spectral"]

#: Channels of the full-resolution feature map at width 1 (DCGAN's 64), doubling per halving up to 8x.
BASE_CHANNELS = 64
MAX_CHANNEL_FACTOR = 8


def image_plan(resolution: int) -> tuple[int, int]:
    """(base, levels) with resolution == base * 2**levels, 3 <= base <= 7 and levels >= 1.

    28 -> (7, 2), 32 -> (4, 3), 64 -> (4, 4), 8 -> (4, 1), 48 -> (6, 3).
    """
    base, levels = resolution, 0
    while base % 2 == 0 and base > 7:
        base //= 2
        levels += 1
    if not (3 <= base <= 7 and levels >= 1 and resolution <= 256):
        raise GanbenchError(
            f"image resolution {resolution} is not supported; resize the data to base * 2**k pixels with base "
            f"3..7 and k >= 1, up to 256 (for example 8, 28, 32, 48 or 64)"
        )
    return base, levels


def scaled(channels: int, width: float) -> int:
    """`channels` times the width multiplier, at least 1."""
    return max(1, int(round(channels * width)))


def level_channels(levels: int, width: float) -> list[int]:
    """Channels of the feature maps from the smallest (base) resolution up to half the output resolution."""
    return [scaled(BASE_CHANNELS * min(2 ** (levels - 1 - i), MAX_CHANNEL_FACTOR), width) for i in range(levels)]


def maybe_spectral(module: nn.Module, enabled: bool) -> nn.Module:
    """`module` with spectral normalisation of its weight when `enabled`."""
    return spectral_norm(module) if enabled else module


class LabelNorm(nn.Module):
    """Batch norm (plain, class-conditional or none) with one call signature: (h, labels)."""

    def __init__(self, kind: GenNorm, features: int, num_classes: int = 0, dims: int = 2) -> None:
        super().__init__()
        self.kind = kind
        batch_norm = nn.BatchNorm2d if dims == 2 else nn.BatchNorm1d
        self.shape = (-1, features, 1, 1) if dims == 2 else (-1, features)
        if kind == "batch":
            self.norm = batch_norm(features)
        elif kind == "conditional":
            # Per-class gain and bias (de Vries et al. 2017, Miyato & Koyama 2018), gain starting at 1.
            self.norm = batch_norm(features, affine=False)
            self.gain = nn.Embedding(num_classes, features)
            self.bias = nn.Embedding(num_classes, features)
            nn.init.ones_(self.gain.weight)
            nn.init.zeros_(self.bias.weight)
        else:
            self.norm = nn.Identity()

    def forward(self, h: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        h = self.norm(h)
        if self.kind == "conditional":
            h = h * self.gain(labels).view(self.shape) + self.bias(labels).view(self.shape)
        return h


class Head(nn.Module):
    """Discriminator output from the flattened features phi(x): a linear layer, plus the class projection
    <embed(y), phi(x)> when conditional (Miyato & Koyama 2018, eq. 3).

    phi(x) is what the standard CNN's dense layer reads, the whole final feature map (Miyato et al. 2018, Table 3),
    for the projection as for the linear layer. Miyato & Koyama sum the map over space first, but that belongs to
    their ResNets (registered as cgan_mimicry): on the standard CNN's 7 x 7 map of mnist5k the summed head let the
    discriminator win outright, with or without the projection (hinge d_loss 0 by step 400, FID 2131 / 2155
    against 2085 untrained), where the flattened one learns (990 at 400 steps, 663 at 1,000; issue 26).
    """

    def __init__(self, features: int, num_classes: int, spectral: bool) -> None:
        super().__init__()
        self.conditional = num_classes > 0
        self.linear = maybe_spectral(nn.Linear(features, 1), spectral)
        if self.conditional:
            self.embed = maybe_spectral(nn.Embedding(num_classes, features), spectral)

    def forward(self, h: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        h = h.flatten(1)
        if not self.conditional:
            return self.linear(h).squeeze(1)
        return (self.linear(h) + (self.embed(labels) * h).sum(dim=1, keepdim=True)).squeeze(1)


class ConvGenerator(nn.Module):
    """DCGAN generator: linear to a base x base map, stride-2 transposed convs with norm + ReLU, tanh output
    (`tanh` False: the last transposed conv's output as it is, BEGAN's linear output)."""

    def __init__(
        self, shape: DataShape, z_dim: int, width: float, norm: GenNorm, num_classes: int = 0, tanh: bool = True
    ) -> None:
        super().__init__()
        self.z_dim, self.num_classes, self.tanh = z_dim, num_classes, tanh
        base, levels = image_plan(shape.resolution)
        chans = level_channels(levels, width)
        self.base_shape = (chans[0], base, base)
        self.fc = nn.Linear(z_dim, chans[0] * base * base, bias=norm == "none")
        self.norms = nn.ModuleList([LabelNorm(norm, c, num_classes) for c in chans])
        self.ups = nn.ModuleList(
            [
                nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=norm == "none")
                for cin, cout in zip(chans, chans[1:], strict=False)
            ]
        )
        self.out = nn.ConvTranspose2d(chans[-1], shape.channels, 4, 2, 1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = F.relu(self.norms[0](self.fc(z).view(-1, *self.base_shape), labels))
        for up, norm in zip(self.ups, self.norms[1:], strict=True):
            h = F.relu(norm(up(h), labels))
        out = self.out(h)
        return torch.tanh(out) if self.tanh else out


class ConvDiscriminator(nn.Module):
    """DCGAN discriminator: stride-2 convs with LeakyReLU down to base x base, then `Head`.

    norm "batch" skips the first layer (Radford et al.); "spectral" normalises every
    weight (Miyato et al.). double_conv puts a 3x3 conv before each stride-2 conv, as in
    Miyato et al.'s standard CNN.
    """

    def __init__(
        self,
        shape: DataShape,
        width: float,
        norm: DiscNorm,
        slope: float = 0.2,
        double_conv: bool = False,
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        base, levels = image_plan(shape.resolution)
        chans = level_channels(levels, width)[::-1]
        spectral = norm == "spectral"
        layers: list[nn.Module] = []
        cin = shape.channels
        for i, cout in enumerate(chans):
            if double_conv:
                layers += [maybe_spectral(nn.Conv2d(cin, cout, 3, 1, 1), spectral), nn.LeakyReLU(slope)]
                cin = cout
            layers.append(maybe_spectral(nn.Conv2d(cin, cout, 4, 2, 1, bias=norm != "batch" or i == 0), spectral))
            if norm == "batch" and i > 0:
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.LeakyReLU(slope))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.head = Head(cin * base * base, num_classes, spectral)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.features(x), labels)


class MlpGenerator(nn.Module):
    """Fully connected generator: hidden layers with norm + ReLU, linear output (tanh for images)."""

    def __init__(
        self,
        z_dim: int,
        hidden: Sequence[int],
        out_shape: tuple[int, ...],
        norm: GenNorm = "none",
        num_classes: int = 0,
        tanh: bool = False,
    ) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.out_shape, self.tanh = out_shape, tanh
        sizes = [z_dim, *hidden]
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)])
        self.norms = nn.ModuleList([LabelNorm(norm, b, num_classes, dims=1) for b in hidden])
        self.out = nn.Linear(sizes[-1], math.prod(out_shape))

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = z
        for layer, norm in zip(self.layers, self.norms, strict=True):
            h = F.relu(norm(layer(h), labels))
        out = self.out(h)
        return (torch.tanh(out) if self.tanh else out).view(-1, *self.out_shape)


class MlpDiscriminator(nn.Module):
    """Fully connected discriminator on flattened inputs: hidden layers with LeakyReLU (+ dropout), then `Head`."""

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        spectral: bool = False,
        dropout: float = 0.0,
        slope: float = 0.2,
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        sizes = [in_features, *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(sizes, sizes[1:], strict=False):
            layers += [maybe_spectral(nn.Linear(a, b), spectral), nn.LeakyReLU(slope)]
            if dropout:
                layers.append(nn.Dropout(dropout))
        self.features = nn.Sequential(*layers)
        self.head = Head(sizes[-1], num_classes, spectral)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.features(x.flatten(1)), labels)


#: Hidden width of the point MLPs at width 1 (three hidden layers each).
POINTS_HIDDEN = 256


def points_hidden(width: float) -> list[int]:
    """Three equal hidden layers for the 2-D point MLPs."""
    return [scaled(POINTS_HIDDEN, width)] * 3


def dcgan_init(module: nn.Module) -> nn.Module:
    """Radford et al.'s initialisation: conv/linear weights N(0, 0.02), batch-norm gains N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)) and m.affine:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return module


def standard_networks(
    shape: DataShape,
    z_dim: int,
    width: float,
    g_norm: GenNorm,
    d_norm: DiscNorm,
    *,
    slope: float = 0.2,
    double_conv: bool = False,
    conditional: bool = False,
    init_dcgan: bool = True,
) -> tuple[nn.Module, nn.Module]:
    """The conv pair for images or the MLP pair for points, with the given norms.

    For points, generator batch norm is dropped (Gulrajani et al.'s toy nets have none)
    unless it is conditional, and discriminator batch norm is dropped as well.
    """
    classes = shape.num_classes if conditional else 0
    if shape.kind == "image":
        generator = ConvGenerator(shape, z_dim, width, g_norm, classes)
        discriminator = ConvDiscriminator(shape, width, d_norm, slope, double_conv, classes)
        if init_dcgan:
            dcgan_init(generator)
            dcgan_init(discriminator)
        return generator, discriminator
    hidden = points_hidden(width)
    generator = MlpGenerator(z_dim, hidden, shape.sample_shape, "conditional" if conditional else "none", classes)
    discriminator = MlpDiscriminator(
        shape.channels, hidden, spectral=d_norm == "spectral", slope=slope, num_classes=classes
    )
    return generator, discriminator
