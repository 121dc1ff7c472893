"""`ring8`, `grid25` and `ring8_r1`: the 2-D Gaussian mixtures of VEEGAN and PacGAN, generated offline.

`grid25` is PacGAN's grid exactly (centres -4..4 step 2, std 0.05). `ring8` (radius 2, std 0.02) is PacGAN's
ring (radius 1, std 0.01) scaled by 2: the same mode spacing to std ratio (76.5) and radius to std ratio
(100), and the ring of Gulrajani et al.'s toy code before it divides by 1.414. `ring8_r1` is PacGAN's ring at
its own scale, with PacGAN's 100,000 training points (PacGAN draws them once per run; here once per seed).

Every mode gets exactly the same number of points (labels are the mode index,
shuffled), so the reference sets are perfectly balanced. A split is fixed by its
own seed mixed with DataConfig.seed: the default seed gives the standard sets.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.splits import check_split, fresh_copy, split_rng

SPLIT_SIZES = {"train": 50_000, "test": 10_000}
#: PacGAN's 2-D experiments train on 100,000 points (config.py: "num_sample": 100000).
PACGAN_SPLIT_SIZES = {"train": 100_000, "test": 10_000}
# Distinct fixed seeds per split so train and test never share points.
SPLIT_SEEDS = {"train": 1_000, "test": 2_000}
MODES_PROTOCOL = EvalProtocol(n_generated=2_500, n_reference=2_500, reference_split="train", metrics=("modes",))


def ring_centres(n_modes: int, radius: float) -> np.ndarray:
    """`n_modes` centres evenly spaced on a circle, the first on the positive x axis, float32 (n_modes, 2)."""
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def grid_centres(side: int, spacing: float) -> np.ndarray:
    """A `side` x `side` grid of centres with `spacing`, centred on the origin, float32 (side**2, 2), row-major."""
    coords = (np.arange(side) - (side - 1) / 2) * spacing
    xs, ys = np.meshgrid(coords, coords, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def sample_mixture(centres: np.ndarray, std: float, n: int, rng: np.random.Generator) -> ArraySplit:
    """`n` float32 points, an equal share (up to rounding) from each isotropic Gaussian, labelled by mode."""
    labels = rng.permutation(np.arange(n) % len(centres)).astype(np.int64)
    noise = rng.standard_normal((n, 2))
    points = (centres[labels].astype(np.float64) + std * noise).astype(np.float32)
    return ArraySplit(points, labels)


@functools.lru_cache(maxsize=8)
def _build(name: str, split: str, seed: int, size: int) -> ArraySplit:
    info = DATASETS.get(name).info
    return sample_mixture(info.modes, info.mode_std, size, split_rng(SPLIT_SEEDS[split], DataConfig(seed=seed)))


def _mixture_spec(
    name: str, description: str, centres: np.ndarray, std: float, sizes: dict[str, int] = SPLIT_SIZES
) -> DatasetSpec:
    centres.flags.writeable = False  # shared through the registry: nobody may move the modes
    info = DatasetInfo(
        name=name,
        kind="points",
        description=description,
        splits=tuple(sizes),
        # the mode metrics read the known modes; the reference they record is the whole reference split
        protocol=dataclasses.replace(MODES_PROTOCOL, n_reference=sizes[MODES_PROTOCOL.reference_split]),
        num_classes=len(centres),
        modes=centres,
        mode_std=std,
    )

    def load(split: str, config: DataConfig) -> ArraySplit:
        """Points float32 (N, 2) and int64 mode labels; identical for identical (split, config.seed)."""
        check_split(info, split)
        return fresh_copy(_build(name, split, config.seed, sizes[split]))

    return DatasetSpec(info=info, load=load)


DATASETS.add(
    "ring8",
    _mixture_spec(
        "ring8",
        "8 Gaussians (std 0.02) on a circle of radius 2: PacGAN's ring x 2 (same spacing/std), WGAN-GP's before /1.414",
        ring_centres(8, 2.0),
        0.02,
    ),
)
DATASETS.add(
    "ring8_r1",
    _mixture_spec(
        "ring8_r1",
        "8 Gaussians (std 0.01) on a circle of radius 1, 100k train points: PacGAN's ring at its own scale",
        ring_centres(8, 1.0),
        0.01,
        PACGAN_SPLIT_SIZES,
    ),
)
DATASETS.add(
    "grid25",
    _mixture_spec(
        "grid25",
        "5x5 grid of Gaussians (std 0.05), centres at -4..4 step 2: PacGAN's grid (50k train points; PacGAN 100k)",
        grid_centres(5, 2.0),
        0.05,
    ),
)
