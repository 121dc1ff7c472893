"""PacGAN packing (Lin et al. 2018) for any unconditional family: the discriminator judges m samples at once.

A pack is m consecutive samples of a batch (pack-major order), concatenated along features (points: m x 2
inputs) or channels (images: m x C channels, sample j filling channels j*C .. j*C + C - 1, as PacGAN's
stacked-MNIST code does). The generator is untouched; PacGAN's code runs it once per slot of the pack
(`generate_packed`), so its batch-norm statistics are those of one slot, never of all m x N samples.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.errors import GanbenchError

PACGAN_PAPER = "Lin et al. 2018, PacGAN: The power of two samples in generative adversarial networks"


def packed_shape(shape: DataShape, pack: int) -> DataShape:
    """The shape a packed discriminator's inner network is built for: `pack` times the channels (or features)."""
    return dataclasses.replace(shape, channels=shape.channels * pack)


class PackedDiscriminator(nn.Module):
    """Wraps a discriminator built for `pack` x C channels: (N * pack, C, ...) samples -> (N,) logits, one per pack."""

    def __init__(self, inner: nn.Module, pack: int) -> None:
        super().__init__()
        self.inner, self.pack = inner, pack

    @property
    def input_scale(self) -> float:
        """The inner network's input scale (see ganbench.models.step.gradient_penalty)."""
        return getattr(self.inner, "input_scale", 1.0)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if len(x) % self.pack:
            raise GanbenchError(f"a packed discriminator needs a multiple of {self.pack} samples, got {len(x)}")
        packs = x.reshape(len(x) // self.pack, x.shape[1] * self.pack, *x.shape[2:])
        return self.inner(packs, None)


def generate_packed(generator: nn.Module, z: torch.Tensor, labels: torch.Tensor | None, pack: int) -> torch.Tensor:
    """Fakes for `pack`-sample packs from noise `z` (N * pack rows): the generator runs once per slot on N rows
    (slot s gets rows s*N .. s*N + N - 1), and the results are interleaved so that pack i holds row i of every
    slot. With pack 1 it is one plain call, `generator(z, labels)`."""
    if pack == 1:
        return generator(z, labels)
    slots = [generator(chunk, None) for chunk in z.chunk(pack)]
    return torch.stack(slots, dim=1).flatten(0, 1)
