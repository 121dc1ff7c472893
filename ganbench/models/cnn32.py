"""pytorch-gan-collections' 32x32 convolutional GANs (w86763777/pytorch-gan-collections), module for module.

DCGAN: `source/models/dcgan.py` (Generator32 = Generator(M=2), Discriminator32, weights_init).
CNN (WGAN-GP, SNGAN): `source/models/wgangp.py` and `source/models/sngan.py` (Generator32, Discriminator32).
Module names are the authors' (main.N, linear), so tests compare per-layer shapes by name. At width 1 the
parameter counts equal the authors'; `width` scales every channel count (for quick tests only).
"""

from __future__ import annotations

import torch
from torch import nn

from ganbench.models.blocks import maybe_spectral, scaled


class CollectionsDcganGenerator32(nn.Module):
    """z viewed as (z, 1, 1) -> ConvT(z, 1024, 2) -> 4 stride-2 ConvT(4, 2, 1) halving the channels to 128, then
    to 3 -> tanh; BN + ReLU between, no biases, xavier-normal init (weights_init)."""

    def __init__(self, z_dim: int, channels: int, width: float = 1.0) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, 0
        c = [scaled(n, width) for n in (1024, 512, 256, 128)]
        layers: list[nn.Module] = [nn.ConvTranspose2d(z_dim, c[0], 2, 1, 0, bias=False), nn.BatchNorm2d(c[0]), nn.ReLU()]
        for cin, cout in zip(c, c[1:], strict=False):
            layers += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        layers += [nn.ConvTranspose2d(c[-1], channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)
        _xavier_normal_convs(self)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.main(z.view(len(z), self.z_dim, 1, 1))


class CollectionsDcganDiscriminator32(nn.Module):
    """Four Conv(5, 2, 2) without bias, 64 -> 512 channels, each followed by LeakyReLU(0.2) and (after the
    first) BatchNorm — after the activation, as the authors order it — then Linear(2*2*512, 1)."""

    def __init__(self, channels: int, width: float = 1.0) -> None:
        super().__init__()
        c = [scaled(n, width) for n in (64, 128, 256, 512)]
        layers: list[nn.Module] = [nn.Conv2d(channels, c[0], 5, 2, 2, bias=False), nn.LeakyReLU(0.2)]
        for cin, cout in zip(c, c[1:], strict=False):
            layers += [nn.Conv2d(cin, cout, 5, 2, 2, bias=False), nn.LeakyReLU(0.2), nn.BatchNorm2d(cout)]
        self.main = nn.Sequential(*layers)
        self.linear = nn.Linear(2 * 2 * c[-1], 1)
        _xavier_normal_convs(self)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.linear(torch.flatten(self.main(x), start_dim=1)).squeeze(1)


def _xavier_normal_convs(module: nn.Module) -> None:
    """collections' DCGAN weights_init: xavier-normal conv / transposed-conv weights, zero biases."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def _normal_init(module: nn.Module) -> nn.Module:
    """collections' CNN init: weights N(0, 0.02), zero biases."""
    nn.init.normal_(module.weight, std=0.02)
    nn.init.zeros_(module.bias)
    return module


class CollectionsCnnGenerator32(nn.Module):
    """Linear(z, 4*4*512) -> BN-ReLU -> three ConvT(4, 2, 1) 512 -> 256 -> 128 -> 64 with BN-ReLU -> Conv3x3(64, 3)
    -> tanh; all layers with bias, N(0, 0.02) init."""

    def __init__(self, z_dim: int, channels: int, width: float = 1.0) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, 0
        c = [scaled(n, width) for n in (512, 256, 128, 64)]
        self.base = c[0]
        self.linear = _normal_init(nn.Linear(z_dim, 4 * 4 * c[0]))
        layers: list[nn.Module] = [nn.BatchNorm2d(c[0]), nn.ReLU()]
        for cin, cout in zip(c, c[1:], strict=False):
            layers += [_normal_init(nn.ConvTranspose2d(cin, cout, 4, 2, 1)), nn.BatchNorm2d(cout), nn.ReLU()]
        layers += [_normal_init(nn.Conv2d(c[-1], channels, 3, 1, 1)), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.main(self.linear(z).view(len(z), self.base, 4, 4))


class CollectionsCnnDiscriminator32(nn.Module):
    """Conv3x3(3, 64), then three (Conv4x4 stride 2, Conv3x3) pairs 64 -> 128 -> 256 -> 512, LeakyReLU(0.1) after
    each, then Linear(4*4*512, 1); all with bias, N(0, 0.02) init; `spectral` (SNGAN) wraps every layer in
    spectral norm after the init."""

    def __init__(self, channels: int, width: float = 1.0, spectral: bool = False) -> None:
        super().__init__()
        c = [scaled(n, width) for n in (64, 128, 256, 512)]

        def conv(cin: int, cout: int, kernel: int, stride: int) -> list[nn.Module]:
            layer = _normal_init(nn.Conv2d(cin, cout, kernel, stride, 1))
            return [maybe_spectral(layer, spectral), nn.LeakyReLU(0.1)]

        layers = conv(channels, c[0], 3, 1)
        for cin, cout in zip(c, c[1:], strict=False):
            layers += conv(cin, cout, 4, 2) + conv(cout, cout, 3, 1)
        self.main = nn.Sequential(*layers)
        self.linear = maybe_spectral(_normal_init(nn.Linear(4 * 4 * c[-1], 1)), spectral)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.linear(torch.flatten(self.main(x), start_dim=1)).squeeze(1)
