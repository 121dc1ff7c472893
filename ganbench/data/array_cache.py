"""A disk cache for arrays that are slow to derive (decoded JPEGs, resized images), written atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ganbench.atomic import atomic_path
from ganbench.data.base import ArraySplit, DataConfig
from ganbench.paths import cache_dir


def array_cache_path(config: DataConfig, key: str) -> Path:
    """Where the derived arrays called `key` are kept: <cache dir>/arrays/<key>.npz.

    `key` must name everything the arrays depend on (dataset, split, size, preprocessing version).
    """
    return cache_dir(config.cache_dir) / "arrays" / f"{key}.npz"


def cached_split(config: DataConfig, key: str, build: Callable[[], ArraySplit]) -> ArraySplit:
    """The split saved under `key`, building and saving it first if it is not cached yet."""
    path = array_cache_path(config, key)
    if path.is_file():
        with np.load(path, allow_pickle=False) as archive:
            labels = archive["labels"] if "labels" in archive.files else None
            return ArraySplit(archive["data"], labels)
    split = build()
    arrays = {"data": split.data} if split.labels is None else {"data": split.data, "labels": split.labels}
    with atomic_path(path) as tmp:
        np.savez(tmp, **arrays)
    return split
