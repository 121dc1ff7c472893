"""Tiny generators for scoring tests, importable as `tiny_generators:FACTORY` (tests/ is on sys.path)."""

from __future__ import annotations

import torch
from torch import nn


class TinyImageGenerator(nn.Module):
    """z (N, z_dim) -> images (N, channels, size, size) in [-1, 1] (tanh), or scaled by `scale` to break the range."""

    def __init__(
        self, z_dim: int = 16, channels: int = 1, size: int = 8, num_classes: int = 0, scale: float = 1.0
    ) -> None:
        super().__init__()
        torch.manual_seed(0)  # the weights are fixed: factories without --checkpoint must give the same generator
        self.z_dim, self.num_classes, self.scale = z_dim, num_classes, scale
        self.shape = (channels, size, size)
        self.embed = nn.Embedding(max(num_classes, 1), z_dim)
        self.net = nn.Linear(z_dim, channels * size * size)
        nn.init.normal_(self.net.weight, std=0.5)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            z = z + self.embed(labels)
        return torch.tanh(self.net(z)).view(-1, *self.shape) * self.scale


class NoZDim(TinyImageGenerator):
    def __init__(self) -> None:
        super().__init__()
        del self.z_dim


class NaNGenerator(TinyImageGenerator):
    def forward(self, z, labels=None):
        out = super().forward(z, labels)
        out[0, 0, 0, 0] = float("nan")
        return out


class TinyPointGenerator(nn.Module):
    """Points on `modes` of the ring of radius 2 (for mode-counting tests)."""

    def __init__(self, modes: int = 8) -> None:
        super().__init__()
        self.z_dim, self.num_classes, self.modes = 2, 0, modes
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, z: torch.Tensor, labels=None) -> torch.Tensor:
        index = (z[:, 0].abs() * 1000).long() % self.modes
        angle = index.float() * (2 * torch.pi / 8)
        return torch.stack([2 * angle.cos(), 2 * angle.sin()], dim=1) + 0.01 * z


def tiny() -> TinyImageGenerator:
    return TinyImageGenerator()


def conditional() -> TinyImageGenerator:
    return TinyImageGenerator(num_classes=10)


class LabelRecorder(TinyImageGenerator):
    """A conditional generator that remembers every label it was asked for (class-balance tests)."""

    seen: list[int] = []

    def forward(self, z, labels=None):
        LabelRecorder.seen.extend(labels.tolist())
        return super().forward(z, labels)


def label_recorder() -> LabelRecorder:
    LabelRecorder.seen = []
    return LabelRecorder(num_classes=10)


def out_of_range() -> TinyImageGenerator:
    return TinyImageGenerator(scale=5.0)


def wrong_shape() -> TinyImageGenerator:
    return TinyImageGenerator(size=9)


def no_z_dim() -> NoZDim:
    return NoZDim()


def nan() -> NaNGenerator:
    return NaNGenerator()


def five_modes() -> TinyPointGenerator:
    return TinyPointGenerator(5)


def not_a_module():
    return "nope"


class DigitLookup(nn.Module):
    """Real mnist5k test digits as a generator: labels[i] = code c gives a test image of class perm[c] (chosen by
    z), so a classifier recovers the code up to the permutation. Without `num_classes` it ignores labels."""

    def __init__(self, permutation: tuple[int, ...] = tuple(range(10)), conditional: bool = True) -> None:
        super().__init__()
        from ganbench.data.base import DATASETS, DataConfig

        test = DATASETS.get("mnist5k").load("test", DataConfig())
        self.z_dim, self.num_classes = 4, 10 if conditional else 0
        self.register_buffer("images", torch.as_tensor(test.data).float() / 127.5 - 1)
        self.by_class = [torch.nonzero(torch.as_tensor(test.labels) == c).flatten() for c in permutation]

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        pick = (z[:, 0].abs() * 1000).long()
        if labels is None:
            return self.images[pick % len(self.images)]
        index = torch.stack([self.by_class[c][p % len(self.by_class[c])] for c, p in zip(labels.tolist(), pick, strict=True)])
        return self.images[index]


def digit_lookup() -> DigitLookup:
    return DigitLookup()


def digit_lookup_permuted() -> DigitLookup:
    return DigitLookup(permutation=(3, 1, 4, 0, 5, 9, 2, 6, 8, 7))


def digit_lookup_unconditional() -> DigitLookup:
    return DigitLookup(conditional=False)


class OneDigitStacked(nn.Module):
    """Stacked-MNIST collapse: the same real digit (a test-split 7) in all three channels for every noise row."""

    def __init__(self) -> None:
        super().__init__()
        from ganbench.data.base import DATASETS, DataConfig

        digits = DATASETS.get("mnist5k").load("test", DataConfig())
        seven = torch.from_numpy(digits.data[int((digits.labels == 7).nonzero()[0][0])]).float() / 127.5 - 1
        self.z_dim, self.num_classes = 4, 0
        self.register_buffer("image", seven.repeat(3, 1, 1))

    def forward(self, z: torch.Tensor, labels=None) -> torch.Tensor:
        return self.image.expand(len(z), -1, -1, -1) + 0 * z[:, :1, None, None]


def one_digit_stacked() -> OneDigitStacked:
    return OneDigitStacked()
