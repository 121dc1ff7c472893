"""The 32x32 ResNet GAN of Miyato et al.'s chainer code as two reproductions ship it, module for module.

mimicry (kwotsin/mimicry): `torch_mimicry/modules/resblocks.py` (GBlock, DBlock, DBlockOptimized),
`modules/layers.py` (ConditionalBatchNorm2d, SN wrappers) and the nets in `nets/{dcgan,wgan_gp,sngan,cgan_pd}/*_32.py`
(with `nets/wgan_gp/wgan_gp_resblocks.py` for WGAN-GP's shortcut convs).
pytorch-gan-collections (w86763777/pytorch-gan-collections): `source/models/{wgangp,sngan}.py`
(ResGenBlock, ResGenerator32, OptimizedResDisblock, ResDisBlock, ResDiscriminator32).

Module names are the authors' (mimicry: l1, block2..4, b5, c5 / block1..4, l5, l_y; collections: linear, blocks,
output / model, linear), so tests compare per-layer shapes by name. At width 1 the parameter counts equal the
authors'; `width` scales every channel count (for quick tests only).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.blocks import maybe_spectral, scaled

GAIN_RESIDUAL = math.sqrt(2.0)


def _xavier(module: nn.Module, gain: float = 1.0, zero_bias: bool = False) -> nn.Module:
    nn.init.xavier_uniform_(module.weight, gain)
    if zero_bias and getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
    return module


def _conv(cin: int, cout: int, kernel: int, gain: float | None, spectral: bool, zero_bias: bool = False) -> nn.Module:
    """A same-padding conv, xavier-initialised with `gain` (None: PyTorch's default init), then maybe spectral-normed."""
    conv = nn.Conv2d(cin, cout, kernel, 1, kernel // 2)
    if gain is not None:
        _xavier(conv, gain, zero_bias)
    return maybe_spectral(conv, spectral)


# --- mimicry ---------------------------------------------------------------------------------------


class ConditionalBatchNorm2d(nn.Module):
    """mimicry's ConditionalBatchNorm2d: BatchNorm2d(affine=False), then per-class gain and bias from one
    Embedding(num_classes, 2C) initialised gain ~ N(1, 0.02), bias 0."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.channels = channels
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.embed = nn.Embedding(num_classes, 2 * channels)
        with torch.no_grad():
            self.embed.weight[:, :channels].normal_(1.0, 0.02)
            self.embed.weight[:, channels:].zero_()

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = self.bn(x)
        gain, bias = self.embed(y).chunk(2, 1)
        return gain.view(-1, self.channels, 1, 1) * out + bias.view(-1, self.channels, 1, 1)


class MimicryGBlock(nn.Module):
    """BN-ReLU-up-conv3x3-BN-ReLU-conv3x3 plus up-conv1x1 shortcut; bilinear upsampling (align_corners=False).
    `default_shortcut_init`: WGAN-GP's resblocks re-create c_sc after init (PyTorch's default init)."""

    def __init__(self, cin: int, cout: int, num_classes: int = 0, default_shortcut_init: bool = False) -> None:
        super().__init__()
        self.conditional = num_classes > 0
        self.b1 = ConditionalBatchNorm2d(cin, num_classes) if self.conditional else nn.BatchNorm2d(cin)
        self.c1 = _conv(cin, cout, 3, GAIN_RESIDUAL, False)
        self.b2 = ConditionalBatchNorm2d(cout, num_classes) if self.conditional else nn.BatchNorm2d(cout)
        self.c2 = _conv(cout, cout, 3, GAIN_RESIDUAL, False)
        self.c_sc = _conv(cin, cout, 1, None if default_shortcut_init else 1.0, False)

    def _norm(self, norm: nn.Module, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return norm(h, y) if self.conditional else norm(h)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = F.relu(self._norm(self.b1, x, y))
        h = self.c1(_bilinear_up(h))
        h = self.c2(F.relu(self._norm(self.b2, h, y)))
        return h + self.c_sc(_bilinear_up(x))


def _bilinear_up(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class MimicryDBlockOptimized(nn.Module):
    """First discriminator block: conv3x3-ReLU-conv3x3-avgpool plus avgpool-conv1x1 shortcut."""

    def __init__(self, cin: int, cout: int, spectral: bool, default_shortcut_init: bool = False) -> None:
        super().__init__()
        self.c1 = _conv(cin, cout, 3, GAIN_RESIDUAL, spectral)
        self.c2 = _conv(cout, cout, 3, GAIN_RESIDUAL, spectral)
        self.c_sc = _conv(cin, cout, 1, None if default_shortcut_init else 1.0, spectral)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.avg_pool2d(self.c2(F.relu(self.c1(x))), 2)
        return h + self.c_sc(F.avg_pool2d(x, 2))


class MimicryDBlock(nn.Module):
    """Pre-activation block ReLU-conv3x3(cin->cin)-ReLU-conv3x3(->cout)[-avgpool] plus conv1x1[-avgpool] shortcut
    when the shape changes, else identity.

    mimicry's block applies an in-place ReLU to its input before the shortcut reads it
    (`nn.ReLU(True)` in `_residual`, evaluated before `_shortcut(x)`), so its shortcut sees relu(x); this is
    reproduced here because the published numbers were produced by that code.
    """

    def __init__(
        self, cin: int, cout: int, downsample: bool, spectral: bool, default_shortcut_init: bool = False
    ) -> None:
        super().__init__()
        self.downsample = downsample
        self.c1 = _conv(cin, cin, 3, GAIN_RESIDUAL, spectral)
        self.c2 = _conv(cin, cout, 3, GAIN_RESIDUAL, spectral)
        self.learnable_sc = cin != cout or downsample
        if self.learnable_sc:
            self.c_sc = _conv(cin, cout, 1, None if default_shortcut_init else 1.0, spectral)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(x)
        h = self.c2(F.relu(self.c1(x)))
        shortcut = self.c_sc(x) if self.learnable_sc else x
        if self.downsample:
            h, shortcut = F.avg_pool2d(h, 2), F.avg_pool2d(shortcut, 2)
        return h + shortcut


class MimicryGenerator32(nn.Module):
    """mimicry's 32x32 generator (DCGANGenerator32, WGANGPGenerator32, SNGANGenerator32, CGANPDGenerator32):
    l1 Linear(z, 4*4*256) -> 3 x GBlock(256, 256, up) -> BN -> ReLU -> c5 conv3x3(256, 3) -> tanh.
    l1 and c5 xavier gain 1 (`wgan`: c5 and the shortcuts keep PyTorch's default init, as in WGANGPGenerator32);
    `num_classes` > 0: conditional batch norm in the blocks (cGAN-PD)."""

    def __init__(self, z_dim: int, channels: int, width: float = 1.0, num_classes: int = 0, wgan: bool = False) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.ngf = scaled(256, width)
        self.l1 = _xavier(nn.Linear(z_dim, 4 * 4 * self.ngf))
        self.block2 = MimicryGBlock(self.ngf, self.ngf, num_classes, wgan)
        self.block3 = MimicryGBlock(self.ngf, self.ngf, num_classes, wgan)
        self.block4 = MimicryGBlock(self.ngf, self.ngf, num_classes, wgan)
        self.b5 = nn.BatchNorm2d(self.ngf)
        self.c5 = _conv(self.ngf, channels, 3, None if wgan else 1.0, False)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.l1(z).view(len(z), self.ngf, 4, 4)
        for block in (self.block2, self.block3, self.block4):
            h = block(h, labels)
        return torch.tanh(self.c5(F.relu(self.b5(h))))


class MimicryDiscriminator32(nn.Module):
    """mimicry's 32x32 discriminator: block1 DBlockOptimized(3, 128) -> block2 DBlock(128, 128, down) -> block3,
    block4 DBlock(128, 128) -> ReLU -> sum over space (`mean_pool`: mean, WGANGPDiscriminator32) -> l5 Linear(128, 1),
    plus the projection <l_y(y), h> when `num_classes` > 0 (CGANPDDiscriminator32). `spectral`: spectral norm on every
    layer (SNGAN, cGAN-PD); `wgan`: the shortcut convs keep PyTorch's default init (wgan_gp_resblocks.py)."""

    def __init__(
        self,
        channels: int,
        width: float = 1.0,
        spectral: bool = False,
        mean_pool: bool = False,
        num_classes: int = 0,
        wgan: bool = False,
    ) -> None:
        super().__init__()
        ndf = scaled(128, width)
        self.mean_pool = mean_pool
        self.block1 = MimicryDBlockOptimized(channels, ndf, spectral, wgan)
        self.block2 = MimicryDBlock(ndf, ndf, True, spectral, wgan)
        self.block3 = MimicryDBlock(ndf, ndf, False, spectral)
        self.block4 = MimicryDBlock(ndf, ndf, False, spectral)
        self.l5 = maybe_spectral(_xavier(nn.Linear(ndf, 1)), spectral)
        self.l_y = maybe_spectral(_xavier(nn.Embedding(num_classes, ndf)), spectral) if num_classes else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = F.relu(self.block4(self.block3(self.block2(self.block1(x)))))
        h = h.mean(dim=(2, 3)) if self.mean_pool else h.sum(dim=(2, 3))
        out = self.l5(h)
        if self.l_y is not None:
            out = out + (self.l_y(labels) * h).sum(dim=1, keepdim=True)
        return out.squeeze(1)


# --- pytorch-gan-collections ------------------------------------------------------------------------


class ResGenBlock(nn.Module):
    """collections' generator block: BN-ReLU-Upsample(nearest)-conv3x3-BN-ReLU-conv3x3 plus Upsample-conv1x1."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.residual = nn.Sequential(
            nn.BatchNorm2d(cin),
            nn.ReLU(),
            nn.Upsample(scale_factor=2),
            _conv(cin, cout, 3, GAIN_RESIDUAL, False, zero_bias=True),
            nn.BatchNorm2d(cout),
            nn.ReLU(),
            _conv(cout, cout, 3, GAIN_RESIDUAL, False, zero_bias=True),
        )
        self.shortcut = nn.Sequential(nn.Upsample(scale_factor=2), _conv(cin, cout, 1, 1.0, False, zero_bias=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.residual(x) + self.shortcut(x)


class CollectionsResGenerator32(nn.Module):
    """collections' ResGenerator32: Linear(z, 4*4*256) -> 3 x ResGenBlock(256, 256) -> BN-ReLU-conv3x3-tanh;
    xavier init (gain 1 outside the residual branches), zero biases."""

    def __init__(self, z_dim: int, channels: int, width: float = 1.0) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, 0
        self.ngf = scaled(256, width)
        self.linear = _xavier(nn.Linear(z_dim, 4 * 4 * self.ngf), 1.0, zero_bias=True)
        self.blocks = nn.Sequential(*(ResGenBlock(self.ngf, self.ngf) for _ in range(3)))
        self.output = nn.Sequential(
            nn.BatchNorm2d(self.ngf), nn.ReLU(), _conv(self.ngf, channels, 3, 1.0, False, zero_bias=True), nn.Tanh()
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.output(self.blocks(self.linear(z).view(len(z), self.ngf, 4, 4)))


class OptimizedResDisblock(nn.Module):
    """collections' first discriminator block: conv3x3-ReLU-conv3x3-avgpool plus avgpool-conv1x1."""

    def __init__(self, cin: int, cout: int, spectral: bool) -> None:
        super().__init__()
        self.shortcut = nn.Sequential(nn.AvgPool2d(2), _conv(cin, cout, 1, 1.0, spectral, zero_bias=True))
        self.residual = nn.Sequential(
            _conv(cin, cout, 3, GAIN_RESIDUAL, spectral, zero_bias=True),
            nn.ReLU(),
            _conv(cout, cout, 3, GAIN_RESIDUAL, spectral, zero_bias=True),
            nn.AvgPool2d(2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.residual(x) + self.shortcut(x)


class ResDisBlock(nn.Module):
    """collections' pre-activation block: ReLU-conv3x3(cin->cout)-ReLU-conv3x3[-avgpool] plus conv1x1[-avgpool]
    when the shape changes (out-of-place ReLUs: the shortcut sees the raw input)."""

    def __init__(self, cin: int, cout: int, down: bool, spectral: bool) -> None:
        super().__init__()
        shortcut: list[nn.Module] = []
        if cin != cout or down:
            shortcut.append(_conv(cin, cout, 1, 1.0, spectral, zero_bias=True))
        if down:
            shortcut.append(nn.AvgPool2d(2))
        self.shortcut = nn.Sequential(*shortcut)
        residual: list[nn.Module] = [
            nn.ReLU(),
            _conv(cin, cout, 3, GAIN_RESIDUAL, spectral, zero_bias=True),
            nn.ReLU(),
            _conv(cout, cout, 3, GAIN_RESIDUAL, spectral, zero_bias=True),
        ]
        if down:
            residual.append(nn.AvgPool2d(2))
        self.residual = nn.Sequential(*residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.residual(x) + self.shortcut(x)


class CollectionsResDiscriminator32(nn.Module):
    """collections' ResDiscriminator32: OptimizedResDisblock(3, 128) -> ResDisBlock(128, 128, down) -> 2 x
    ResDisBlock(128, 128) -> ReLU -> sum over space -> Linear(128, 1). `spectral` (SNGAN): spectral norm everywhere
    and a bias-free linear layer; without it (WGAN-GP) the linear layer has a bias."""

    def __init__(self, channels: int, width: float = 1.0, spectral: bool = False) -> None:
        super().__init__()
        ndf = scaled(128, width)
        self.model = nn.Sequential(
            OptimizedResDisblock(channels, ndf, spectral),
            ResDisBlock(ndf, ndf, True, spectral),
            ResDisBlock(ndf, ndf, False, spectral),
            ResDisBlock(ndf, ndf, False, spectral),
            nn.ReLU(),
        )
        self.linear = maybe_spectral(_xavier(nn.Linear(ndf, 1, bias=not spectral)), spectral)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.linear(self.model(x).sum(dim=(2, 3))).squeeze(1)
