"""Drawing checked, seeded samples from a generator as uint8 image batches (or 2-D points).

Noise comes from ganbench.seeding in fixed chunks, so sample i is the same
whatever the batch size. The output range is detected from the first batch and
every batch is checked against it and against the dataset's shape.
"""

from __future__ import annotations

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


def detect_range(batch: torch.Tensor) -> OutputRange:
    """[-1, 1] when any value is negative, else [0, 1]; uint8 tensors are uint8."""
    if batch.dtype == torch.uint8:
        return "uint8"
    return "-1,1" if bool((batch < 0).any()) else "0,1"


def to_uint8(batch: torch.Tensor, output_range: OutputRange) -> torch.Tensor:
    """Generated images in `output_range` as uint8 0..255, rounding as PIL does when saving a PNG."""
    if output_range == "uint8":
        if batch.dtype != torch.uint8:
            raise GanbenchError(f"--output-range uint8 was given but the generator returned {batch.dtype}")
        return batch
    low, high = (-1.0, 1.0) if output_range == "-1,1" else (0.0, 1.0)
    batch = batch.float()
    seen_low, seen_high = float(batch.min()), float(batch.max())
    if seen_low < low - RANGE_SLACK or seen_high > high + RANGE_SLACK:
        raise GanbenchError(
            f"generator output spans [{seen_low:.3g}, {seen_high:.3g}], outside [{low:g}, {high:g}]; end the generator "
            "in tanh ([-1, 1]) or sigmoid ([0, 1]), return uint8, or set --output-range"
        )
    scaled = (batch - low) * (255.0 / (high - low))
    return scaled.round_().clamp_(0, 255).to(torch.uint8)


def check_batch(batch: torch.Tensor, info: DatasetInfo | None, expected_rows: int) -> None:
    if not isinstance(batch, torch.Tensor):
        raise GanbenchError(f"the generator returned {type(batch).__name__}, not a torch.Tensor")
    if len(batch) != expected_rows:
        raise GanbenchError(f"the generator returned {len(batch)} samples for {expected_rows} noise rows")
    if batch.is_floating_point() and not bool(torch.isfinite(batch).all()):
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
        check_batch(batch, info, size)
        if info is not None and info.kind == "points":
            yield batch.float()
            continue
        if output_range == "auto":
            output_range = detect_range(batch)
        yield to_uint8(batch, output_range)
