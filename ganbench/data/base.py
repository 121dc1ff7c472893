"""What a dataset declares about itself, and the registry datasets live in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ganbench.registry import Registry


@dataclass(frozen=True)
class EvalProtocol:
    """How a dataset is evaluated by default: sample counts, reference split and metrics."""

    n_generated: int
    n_reference: int
    reference_split: str = "train"
    metrics: tuple[str, ...] = ("fid",)


@dataclass(frozen=True)
class DatasetInfo:
    """Static facts about a dataset, known without loading it.

    kind "image": data is uint8 NCHW with `channels` channels and `resolution` x `resolution` pixels.
    kind "points": data is float32 (N, 2); `modes` holds the known mode centres and `mode_std` their std.
    """

    name: str
    kind: Literal["image", "points"]
    description: str
    splits: tuple[str, ...]
    protocol: EvalProtocol
    resolution: int | None = None
    channels: int | None = None
    num_classes: int | None = None
    default_extractor: str | None = None
    modes: np.ndarray | None = field(default=None, compare=False, repr=False)
    mode_std: float | None = None
    downloads: bool = False


@dataclass(frozen=True)
class DataConfig:
    """Where download-backed datasets live and whether downloading is allowed."""

    data_dir: str | None = None
    cache_dir: str | None = None
    download: bool = True
    seed: int = 0


@dataclass
class ArraySplit:
    """One split in memory: images uint8 NCHW (or points float32 (N, 2)) and optional int64 labels."""

    data: np.ndarray
    labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: its static info and a loader for one split."""

    info: DatasetInfo
    load: Callable[[str, DataConfig], ArraySplit]


#: name -> DatasetSpec. Parametrised names such as "folder:PATH" are resolved by ganbench.data.resolve_dataset.
DATASETS: Registry[DatasetSpec] = Registry("dataset")
