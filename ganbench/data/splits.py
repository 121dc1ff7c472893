"""Small helpers every dataset loader shares: split checks, seeded generators, fixed stratified splits."""

from __future__ import annotations

import numpy as np

from ganbench.data.base import ArraySplit, DataConfig, DatasetInfo
from ganbench.errors import GanbenchError


def check_split(info: DatasetInfo, split: str) -> None:
    """Raise a GanbenchError unless `split` is one of the dataset's declared splits."""
    if split not in info.splits:
        raise GanbenchError(f"dataset {info.name!r} has no split {split!r}; choose one of: {', '.join(info.splits)}")


def split_rng(split_seed: int, config: DataConfig) -> np.random.Generator:
    """The generator for one split: its fixed `split_seed` mixed with the user's DataConfig.seed.

    The same (split_seed, seed) always gives the same stream; any other seed gives an unrelated one.
    """
    if config.seed < 0:
        raise GanbenchError(f"data seed {config.seed} is negative; pass a seed >= 0")
    return np.random.default_rng([split_seed, config.seed])


def stratified_split(labels: np.ndarray, n_test: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) indices: `n_test` items held out with class proportions kept, fixed by `seed`."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(len(labels)), test_size=n_test, stratify=labels, random_state=seed)
    return np.sort(train), np.sort(test)


def fresh_copy(split: ArraySplit) -> ArraySplit:
    """A copy the caller may modify without touching the per-process cache it came from."""
    labels = None if split.labels is None else split.labels.copy()
    return ArraySplit(split.data.copy(), labels)
