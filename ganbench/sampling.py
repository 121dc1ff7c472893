"""Drawing checked, seeded samples from a generator as uint8 image batches (or 2-D points).

Noise comes from ganbench.seeding in fixed chunks, so sample i is the same
whatever the batch size. The output range is detected from the first batch and
every batch is checked against it and against the dataset's shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from ganbench.data.base import DatasetInfo
from ganbench.errors import GanbenchError
from ganbench.seeding import class_labels, noise

OutputRange = Literal["auto", "-1,1", "0,1", "uint8"]
#: how far outside its range a float output may stray before it is an error (then it is clamped)
RANGE_SLACK = 1e-3


@dataclass(frozen=True)
class SamplingConfig:
    n: int
    seed: int = 0
    batch_size: int = 250
    z_dim: int | None = None
    output_range: OutputRange = "auto"


def generator_z_dim(generator: nn.Module, config: SamplingConfig) -> int:
    z_dim = config.z_dim or getattr(generator, "z_dim", None)
    if not isinstance(z_dim, int) or z_dim < 1:
        raise GanbenchError("the generator has no integer `z_dim` attribute; pass --z-dim N")
    return z_dim


def value_range(batch: torch.Tensor) -> tuple[float, float]:
    """(min, max) of a float batch in one host synchronisation; NaN anywhere makes both NaN."""
    low, high = torch.stack([batch.min(), batch.max()]).float().tolist()
    return low, high


def detect_range(batch: torch.Tensor, seen: tuple[float, float] | None = None) -> OutputRange:
    """[-1, 1] when any value is negative, else [0, 1]; uint8 tensors are uint8."""
    if batch.dtype == torch.uint8:
        return "uint8"
    return "-1,1" if (seen or value_range(batch))[0] < 0 else "0,1"


def to_uint8(batch: torch.Tensor, output_range: OutputRange, seen: tuple[float, float] | None = None) -> torch.Tensor:
    """Generated images in `output_range` as uint8 0..255, rounding as PIL does when saving a PNG.

    `seen` is the batch's (min, max) when the caller has it already (saves a device round trip).
    """
    if output_range == "uint8":
        if batch.dtype != torch.uint8:
            raise GanbenchError(f"--output-range uint8 was given but the generator returned {batch.dtype}")
        return batch
    low, high = (-1.0, 1.0) if output_range == "-1,1" else (0.0, 1.0)
    batch = batch.float()
    seen_low, seen_high = seen or value_range(batch)
    if seen_low < low - RANGE_SLACK or seen_high > high + RANGE_SLACK:
        raise GanbenchError(
            f"generator output spans [{seen_low:.3g}, {seen_high:.3g}], outside [{low:g}, {high:g}]; end the generator "
            "in tanh ([-1, 1]) or sigmoid ([0, 1]), return uint8, or set --output-range"
        )
    scaled = (batch - low) * (255.0 / (high - low))
    return scaled.round_().clamp_(0, 255).to(torch.uint8)


def check_batch(batch: torch.Tensor, info: DatasetInfo | None, expected_rows: int) -> tuple[float, float] | None:
    """Raise a one-line GanbenchError unless `batch` fits `info`; return its (min, max) for float batches."""
    if not isinstance(batch, torch.Tensor):
        raise GanbenchError(f"the generator returned {type(batch).__name__}, not a torch.Tensor")
    if len(batch) != expected_rows:
        raise GanbenchError(f"the generator returned {len(batch)} samples for {expected_rows} noise rows")
    seen = value_range(batch) if batch.is_floating_point() else None  # the only host sync per batch
    if seen is not None and not all(math.isfinite(v) for v in seen):
        raise GanbenchError("the generator returned NaN or inf values; check the weights (a diverged checkpoint?)")
    if info is None:
        return
    if info.kind == "points":
        if batch.ndim != 2 or batch.shape[1] != 2:
            raise GanbenchError(
                f"{info.name} expects points of shape (N, 2); the generator returned {tuple(batch.shape)[1:]} per sample"
            )
        return
    expected = (info.channels, info.resolution, info.resolution)
    if batch.ndim != 4 or tuple(batch.shape[1:]) != expected:
        raise GanbenchError(
            f"{info.name} expects images of shape {expected} (C, H, W); the generator returned {tuple(batch.shape[1:])}"
        )
    return seen


@torch.no_grad()
def sample_batches(
    generator: nn.Module, config: SamplingConfig, info: DatasetInfo | None, device: torch.device | str
) -> Iterator[torch.Tensor]:
    """uint8 NCHW image batches (or float points) of samples 0 .. n-1, on `device`, checked."""
    z_dim = generator_z_dim(generator, config)
    num_classes = int(getattr(generator, "num_classes", 0) or 0)
    output_range = config.output_range
    for first in range(0, config.n, config.batch_size):
        size = min(config.batch_size, config.n - first)
        z = noise(config.seed, size, z_dim, start=first, device=device)
        labels = class_labels(size, num_classes, first, device) if num_classes else None
        try:
            batch = generator(z, labels) if labels is not None else generator(z)
        except Exception as error:  # the user's code: report it in one line, whatever it raised
            first_line = (str(error).strip().splitlines() or [""])[-1]
            raise GanbenchError(
                f"the generator failed on noise of shape {tuple(z.shape)} ({type(error).__name__}: {first_line}); "
                "check --z-dim and the generator's forward(z[, labels])"
            ) from None
        seen = check_batch(batch, info, size)
        if info is not None and info.kind == "points":
            yield batch.float()
            continue
        if output_range == "auto":
            output_range = detect_range(batch, seen)
        yield to_uint8(batch, output_range, seen)
