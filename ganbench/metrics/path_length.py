"""Perceptual path length (Karras et al. 2019) from per-pair path lengths, as torch-fidelity reduces them."""

from __future__ import annotations

import numpy as np


def path_length(distances: np.ndarray, lower: float, higher: float) -> tuple[float, float]:
    """(mean, std) of the distances between the `lower` percentile (numpy's "lower" method) and the `higher`
    one ("higher" method), both kept; 0 / 100 keep every distance on that side. ValueError for no distances or
    percentiles out of order."""
    distances = np.asarray(distances)
    if distances.ndim != 1 or len(distances) == 0:
        raise ValueError(f"need a non-empty 1-d array of distances, got shape {distances.shape}")
    if not 0 <= lower < higher <= 100:
        raise ValueError(f"need 0 <= lower < higher <= 100 percentiles, got {lower} and {higher}")
    keep = np.ones(len(distances), dtype=bool)
    if lower > 0:
        keep &= np.percentile(distances, lower, method="lower") <= distances
    if higher < 100:
        keep &= distances <= np.percentile(distances, higher, method="higher")
    kept = distances[keep]
    return float(np.mean(kept)), float(np.std(kept))
