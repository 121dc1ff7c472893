"""Precision / recall (Kynkaanniemi et al. 2019) and density / coverage (Naeem et al. 2020) on features."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganbench.metrics.config import DEFAULT_BLOCK_BYTES
from ganbench.metrics.knn import (
    FeatureSet,
    block_rows,
    common_centre,
    fast_squared_distances,
    knn_radii,
    strictly_within,
    tolerance,
)


@dataclass(frozen=True)
class ManifoldScores:
    precision: float | None
    recall: float | None
    density: float | None
    coverage: float | None


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
    centre = common_centre(torch.as_tensor(real), torch.as_tensor(fake)).to(device)
    real = FeatureSet.build(real, centre, device)
    fake = FeatureSet.build(fake, centre, device)
    if real.dim != fake.dim:
        raise ValueError(f"feature dimensions differ: {real.dim} and {fake.dim}")
    real_ks = tuple(k for k in (pr_k, dc_k) if k is not None)
    real_radii = knn_radii(real, real_ks, block_bytes)
    fake_radius = knn_radii(fake, (pr_k,), block_bytes)[pr_k] if pr_k is not None else None

    n_real, n_fake = len(real), len(fake)
    device = real.raw.device
    fake_in_real_ball = torch.zeros(n_fake, dtype=torch.bool, device=device)
    fake_ball_count = torch.zeros(n_fake, dtype=torch.int64, device=device)
    real_in_fake_ball = torch.zeros(n_real, dtype=torch.bool, device=device)
    real_covered = torch.zeros(n_real, dtype=torch.bool, device=device)
    rows_per_block = block_rows(n_fake, block_bytes)
    for start in range(0, n_real, rows_per_block):
        rows = slice(start, min(n_real, start + rows_per_block))
        d2 = fast_squared_distances(real, rows, fake)
        row_tol = tolerance(real, rows, fake)
        if pr_k is not None:
            within_real = strictly_within(d2, real_radii[pr_k][rows, None], row_tol, real, rows, fake)
            fake_in_real_ball |= within_real.any(0)
            real_in_fake_ball[rows] = strictly_within(d2, fake_radius[None, :], row_tol, real, rows, fake).any(1)
        if dc_k is not None:
            if dc_k == pr_k:
                within = within_real  # the same balls: no need to compare twice
            else:
                within = strictly_within(d2, real_radii[dc_k][rows, None], row_tol, real, rows, fake)
            fake_ball_count += within.sum(0)
            real_covered[rows] = within.any(1)
    return ManifoldScores(
        precision=float(fake_in_real_ball.double().mean()) if pr_k is not None else None,
        recall=float(real_in_fake_ball.double().mean()) if pr_k is not None else None,
        density=float(fake_ball_count.double().mean() / dc_k) if dc_k is not None else None,
        coverage=float(real_covered.double().mean()) if dc_k is not None else None,
    )
