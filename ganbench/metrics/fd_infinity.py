"""FD-infinity (Chong & Forsyth, CVPR 2020): the Frechet distance extrapolated to infinitely many samples.

FD computed from N generated samples is biased upwards by about c / N. The authors' score_infinity.py draws
subsets of N = linspace(5000, n, 15) generated samples (each subset without replacement, subsets independent),
computes FD_N against the full reference statistics, fits FD_N = FD_inf + c / N by ordinary least squares and
reports the intercept. The references draw unseeded; here the subsets come from a seeded generator, so the
value is reproducible. The schedule of sizes is a setting (ganbench.metrics.config.subset_sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganbench.metrics.frechet import frechet_distance


@dataclass(frozen=True)
class FdInfinity:
    """The extrapolated value, the subset sizes, FD at each size and the fitted slope (FD_N ~ value + slope / N)."""

    value: float
    sizes: tuple[int, ...]
    distances: tuple[float, ...]
    slope: float


def fd_infinity(
    gen_features: np.ndarray,
    ref_mean: np.ndarray,
    ref_cov: np.ndarray,
    sizes: tuple[int, ...],
    seed: int,
) -> FdInfinity:
    """FD-infinity of `gen_features` (n, d) against reference statistics, over the subset `sizes`.

    Each size draws its own subset without replacement from one seeded numpy generator; FD_N uses the subset's
    mean and unbiased covariance (ganbench.metrics.frechet, float64); the value is the intercept of the least
    squares line of FD_N on 1 / N.
    """
    features = np.asarray(gen_features, dtype=np.float64)
    if len(sizes) < 2 or len(set(sizes)) < 2:
        raise ValueError(f"FD-infinity needs at least two different subset sizes, got {sizes}")
    if max(sizes) > len(features) or min(sizes) < 2:
        raise ValueError(f"subset sizes {sizes} do not fit {len(features)} generated samples")
    rng = np.random.default_rng(seed)
    distances = []
    for size in sizes:
        subset = features[rng.choice(len(features), size, replace=False)]
        distances.append(frechet_distance(subset.mean(0), np.cov(subset, rowvar=False), ref_mean, ref_cov))
    slope, intercept = np.polyfit(1.0 / np.asarray(sizes, np.float64), np.asarray(distances), 1)
    return FdInfinity(float(intercept), tuple(sizes), tuple(distances), float(slope))
