"""PRD: precision and recall for distributions (Sajjadi et al., NeurIPS 2018), the authors' prd_score.py protocol.

Generated and reference features (equal counts) are clustered together by mini-batch k-means into 20 clusters;
the two cluster histograms P (reference) and Q (generated) give, for every slope lambda = tan(angle) on an
equiangular grid of 1001 angles in (0, pi/2), precision alpha(lambda) = sum_i min(lambda P_i, Q_i) and recall
beta(lambda) = alpha(lambda) / lambda. The curve is averaged over 10 clusterings; F_8 (recall-like: does the
model cover the reference?) and F_1/8 (precision-like: do its samples fall where the reference is?) are the
maxima of F_beta over the averaged curve. The reference clusters unseeded; here run r uses a k-means seed drawn
from one seeded generator, so the curve is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: prd_score.py: angles 0 and pi/2 are replaced by epsilon and pi/2 - epsilon
ANGLE_EPSILON = 1e-10
#: prd_score.py: added to the F_beta denominator
F_BETA_EPSILON = 1e-10


@dataclass(frozen=True)
class PrdCurve:
    """Precision and recall at each angle of the grid (both of shape (angles,)), averaged over the clusterings."""

    precision: np.ndarray
    recall: np.ndarray

    def max_f_beta(self, beta: float) -> float:
        """The largest F_beta over the curve's (precision, recall) pairs."""
        return float(np.max(f_beta(self.precision, self.recall, beta)))


def prd_from_histograms(
    eval_dist: np.ndarray, ref_dist: np.ndarray, angles: int = 1001, epsilon: float = ANGLE_EPSILON
) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall of discrete distribution `eval_dist` against `ref_dist` (same support) at `angles`
    equiangular slopes in [epsilon, pi/2 - epsilon]."""
    if not 3 <= angles <= 1_000_000:
        raise ValueError(f"PRD needs between 3 and 1e6 angles, got {angles}")
    slopes = np.tan(np.linspace(epsilon, np.pi / 2 - epsilon, num=angles))
    eval_dist, ref_dist = np.asarray(eval_dist, np.float64), np.asarray(ref_dist, np.float64)
    precision = np.minimum(ref_dist[None, :] * slopes[:, None], eval_dist[None, :]).sum(axis=1)
    return precision, precision / slopes


def cluster_histograms(
    eval_data: np.ndarray, ref_data: np.ndarray, clusters: int, seed: int, batch_size: int, n_init: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """The share of `eval_data` and of `ref_data` rows in each of `clusters` mini-batch k-means clusters of
    their union (k-means with `n_init` restarts, `batch_size`, `random_state=seed`)."""
    from sklearn.cluster import MiniBatchKMeans

    union = np.vstack([eval_data, ref_data])
    labels = MiniBatchKMeans(n_clusters=clusters, n_init=n_init, batch_size=batch_size, random_state=seed).fit(union).labels_
    eval_bins = np.bincount(labels[: len(eval_data)], minlength=clusters) / len(eval_data)
    ref_bins = np.bincount(labels[len(eval_data) :], minlength=clusters) / len(ref_data)
    return eval_bins, ref_bins


def prd_from_features(
    eval_data: np.ndarray,
    ref_data: np.ndarray,
    clusters: int = 20,
    angles: int = 1001,
    runs: int = 10,
    seed: int = 0,
    batch_size: int = 100,
) -> PrdCurve:
    """The PRD curve of generated `eval_data` against `ref_data` (equal row counts, as the authors require),
    averaged over `runs` clusterings in float64; run r's k-means seed is the r-th draw of a generator seeded
    with `seed`."""
    eval_data, ref_data = np.asarray(eval_data, np.float64), np.asarray(ref_data, np.float64)
    if len(eval_data) != len(ref_data):
        raise ValueError(f"PRD needs as many generated as reference rows, got {len(eval_data)} and {len(ref_data)}")
    if len(eval_data) + len(ref_data) < clusters:
        raise ValueError(f"PRD cannot form {clusters} clusters from {len(eval_data) + len(ref_data)} rows")
    states = np.random.default_rng(seed).integers(0, 2**31 - 1, size=runs)
    curves = [
        prd_from_histograms(*cluster_histograms(eval_data, ref_data, clusters, int(state), batch_size), angles)
        for state in states
    ]
    return PrdCurve(np.mean([c[0] for c in curves], axis=0), np.mean([c[1] for c in curves], axis=0))


def f_beta(precision: np.ndarray, recall: np.ndarray, beta: float) -> np.ndarray:
    """F_beta = (1 + beta^2) p r / (beta^2 p + r + 1e-10) elementwise, for p and r in [0, 1]."""
    precision, recall = np.asarray(precision), np.asarray(recall)
    if beta <= 0:
        raise ValueError(f"F_beta needs a positive beta, got {beta}")
    # float64 sums of shares may pass 1 by an ulp
    if not (np.all(precision >= 0) and np.all(precision <= 1 + 1e-9) and np.all(recall >= 0) and np.all(recall <= 1 + 1e-9)):
        raise ValueError("precision and recall must lie in [0, 1]")
    return (1 + beta**2) * precision * recall / (beta**2 * precision + recall + F_BETA_EPSILON)
