"""mimicry's 48x48 (STL-10) and 64x64 (CelebA) ResNet GANs, module for module.

kwotsin/mimicry `torch_mimicry/nets/sngan/sngan_{48,64}.py` and `nets/wgan_gp/wgan_gp_{48,64}.py`, built from the
blocks of `modules/resblocks.py` (SNGAN) and `nets/wgan_gp/wgan_gp_resblocks.py` (WGAN-GP: the shortcut convs keep
PyTorch's default init), as ganbench.models.resnet32 reproduces them.

Generator: l1 Linear(z, bw*bw*ngf) -> GBlocks halving the channels (48: ngf 512, bw 6, 3 blocks; 64: ngf 1024, bw 4,
4 blocks) -> BN -> ReLU -> conv3x3 -> tanh. Discriminator (ndf 1024): DBlockOptimized(3, 64) -> DBlocks doubling the
channels 64 -> 128 -> 256 -> 512 with downsampling -> DBlock(512, 1024) (downsampling at 64 only) -> ReLU -> sum
over space (WGAN-GP: mean) -> Linear(1024, 1). Module names are the authors' (block2.., b5/c5 or b6/c6; l5 or l6),
so tests compare per-layer shapes by name. At width 1 the parameter counts equal the authors'; `width` scales every
channel count (for quick tests only).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.blocks import maybe_spectral, scaled
from ganbench.models.resnet32 import MimicryDBlock, MimicryDBlockOptimized, MimicryGBlock, same_conv, xavier_init


@dataclass(frozen=True)
class Layout:
    """One resolution's nets: generator width `ngf` at `bottom_width`, `g_blocks` upsampling blocks; whether the
    discriminator's last block downsamples; the name of its linear head for SNGAN and for WGAN-GP."""

    ngf: int
    bottom_width: int
    g_blocks: int
    last_down: bool
    sngan_head: str
    wgan_head: str


#: sngan_48.py / wgan_gp_48.py and sngan_64.py / wgan_gp_64.py
LAYOUTS = {
    48: Layout(ngf=512, bottom_width=6, g_blocks=3, last_down=False, sngan_head="l5", wgan_head="l6"),
    64: Layout(ngf=1024, bottom_width=4, g_blocks=4, last_down=True, sngan_head="l6", wgan_head="l6"),
}
NDF = 1024


class MimicryGeneratorLarge(nn.Module):
    """ResNetGenerator48 / ResNetGenerator64 of mimicry's SNGAN and WGAN-GP: l1 and (SNGAN) the output conv
    xavier-uniform gain 1; `wgan`: the output conv and the shortcuts keep PyTorch's default init (wgan_gp_*.py)."""

    def __init__(self, z_dim: int, channels: int, resolution: int, width: float = 1.0, wgan: bool = False) -> None:
        super().__init__()
        layout = LAYOUTS[resolution]
        self.z_dim, self.num_classes, self.bottom_width = z_dim, 0, layout.bottom_width
        widths = [scaled(layout.ngf >> k, width) for k in range(layout.g_blocks + 1)]
        self.ngf = widths[0]
        self.l1 = xavier_init(nn.Linear(z_dim, layout.bottom_width**2 * self.ngf))
        self.block_names = [f"block{k + 2}" for k in range(layout.g_blocks)]
        for name, cin, cout in zip(self.block_names, widths, widths[1:], strict=False):
            self.add_module(name, MimicryGBlock(cin, cout, 0, wgan))
        last = layout.g_blocks + 2
        self.norm_name, self.conv_name = f"b{last}", f"c{last}"
        self.add_module(self.norm_name, nn.BatchNorm2d(widths[-1]))
        self.add_module(self.conv_name, same_conv(widths[-1], channels, 3, None if wgan else 1.0, False))

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.l1(z).view(len(z), self.ngf, self.bottom_width, self.bottom_width)
        for name in self.block_names:
            h = getattr(self, name)(h)
        h = F.relu(getattr(self, self.norm_name)(h))
        return torch.tanh(getattr(self, self.conv_name)(h))


class MimicryDiscriminatorLarge(nn.Module):
    """ResNetDiscriminator48 / ResNetDiscriminator64 of mimicry's SNGAN (`spectral`: spectral norm on every layer,
    sum pooling) and WGAN-GP (`wgan`: mean pooling, the shortcut convs keep PyTorch's default init); the head is
    xavier-uniform gain 1 in both."""

    def __init__(
        self, channels: int, resolution: int, width: float = 1.0, spectral: bool = False, wgan: bool = False
    ) -> None:
        super().__init__()
        layout = LAYOUTS[resolution]
        widths = [scaled(NDF >> k, width) for k in (4, 3, 2, 1, 0)]
        self.mean_pool = wgan
        self.block1 = MimicryDBlockOptimized(channels, widths[0], spectral, wgan)
        self.block2 = MimicryDBlock(widths[0], widths[1], True, spectral, wgan)
        self.block3 = MimicryDBlock(widths[1], widths[2], True, spectral, wgan)
        self.block4 = MimicryDBlock(widths[2], widths[3], True, spectral, wgan)
        self.block5 = MimicryDBlock(widths[3], widths[4], layout.last_down, spectral, wgan)
        self.head_name = layout.wgan_head if wgan else layout.sngan_head
        self.add_module(self.head_name, maybe_spectral(xavier_init(nn.Linear(widths[4], 1)), spectral))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = x
        for block in (self.block1, self.block2, self.block3, self.block4, self.block5):
            h = block(h)
        h = F.relu(h)
        h = h.mean(dim=(2, 3)) if self.mean_pool else h.sum(dim=(2, 3))
        return getattr(self, self.head_name)(h).squeeze(1)
