"""Precision / recall (Kynkaanniemi et al. 2019) and density / coverage (Naeem et al. 2020) on features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganbench.metrics.config import DEFAULT_BLOCK_BYTES
from ganbench.metrics.shared_neighbours import NeighbourRequest, SharedNeighbours, shared_neighbours


@dataclass(frozen=True)
class ManifoldScores:
    precision: float | None
    recall: float | None
    density: float | None
    coverage: float | None


def manifold_request(pr_k: int | None, dc_k: int | None) -> NeighbourRequest:
    """What precision/recall (k = `pr_k`) and density/coverage (k = `dc_k`) read of the shared pass (None: skip)."""
    return NeighbourRequest(
        ref_balls=[k for k in (pr_k, dc_k) if k is not None], gen_balls=[pr_k] if pr_k is not None else []
    )


def manifold_from(found: SharedNeighbours, pr_k: int | None, dc_k: int | None) -> ManifoldScores:
    """Precision, recall, density and coverage from a shared pass that holds `manifold_request(pr_k, dc_k)`.

    precision: share of generated rows inside some reference pr_k-ball; recall: share of reference rows
    inside some generated pr_k-ball; density: mean number of reference dc_k-balls holding a generated row,
    over dc_k; coverage: share of reference dc_k-balls holding a generated row.
    """
    pr, dc = found.ref_balls.get(pr_k), found.ref_balls.get(dc_k)
    return ManifoldScores(
        precision=float(np.mean(pr.holding > 0)) if pr_k is not None else None,
        recall=float(np.mean(found.gen_balls[pr_k])) if pr_k is not None else None,
        density=float(np.mean(dc.holding, dtype=np.float64) / dc_k) if dc_k is not None else None,
        coverage=float(np.mean(dc.reached)) if dc_k is not None else None,
    )


def manifold_scores(
    real,
    fake,
    pr_k: int | None = 3,
    dc_k: int | None = 5,
    device: str | torch.device = "cpu",
    block_bytes: int = DEFAULT_BLOCK_BYTES,
) -> ManifoldScores:
    """Precision and recall with k = `pr_k`, density and coverage with k = `dc_k`, in one pass over the pairs.

    Definitions and comparisons are prdc's (strict `<`, k-th neighbour radius with the
    point itself counted first), so the results equal `prdc.compute_prdc` on the same
    features and k. Pass None for a k to skip that pair of metrics.
    """
    if pr_k is None and dc_k is None:
        raise ValueError("nothing to compute: both pr_k and dc_k are None")
    found = shared_neighbours(real, fake, manifold_request(pr_k, dc_k), device, block_bytes)
    return manifold_from(found, pr_k, dc_k)
