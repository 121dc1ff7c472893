"""The 1-nearest-neighbour classifier two-sample test (Lopez-Paz & Oquab, ICLR 2017; 1-NN accuracy as in Xu et al.
2018, xuqiantong/GAN-Metrics `knn` with k = 1).

Real and generated features (equal counts) are pooled; every sample is classified by the label of its nearest
other sample (leave-one-out, squared L2). Accuracy near 0.5 means the two sets cannot be told apart; near 1 they
are separable (poor fidelity or missing modes); well below 0.5 means generated samples sit closer to real ones
than real ones to each other (copies of the reference). The p-value is that of a permutation test of the pooled
labels (the nearest-neighbour graph stays fixed): the share of label permutations whose accuracy reaches the
observed one, counted as (1 + hits) / (1 + permutations). Exact for any n, where the normal approximation of
Lopez-Paz & Oquab assumes independent held-out decisions, which leave-one-out decisions are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: bytes of one float64 block of the pooled distance matrix (rows x pooled x 8)
BLOCK_BYTES = 128 * 2**20


def block_rows(n: int, block_bytes: int = BLOCK_BYTES) -> int:
    """Rows of an (rows, n) float64 distance block that fit `block_bytes` (at least 1)."""
    return max(1, block_bytes // (8 * max(n, 1)))


@dataclass(frozen=True)
class OneNnTest:
    """Leave-one-out 1-NN accuracy overall, on the real and on the generated samples, and its permutation p-value."""

    accuracy: float
    accuracy_real: float
    accuracy_fake: float
    p_value: float


def nearest_other(pooled: np.ndarray, rows_per_block: int | None = None) -> np.ndarray:
    """Index of each row's nearest other row (squared L2 in float64; among equal distances the lowest index)."""
    return nearest_other_with_distance(pooled, rows_per_block)[0]


def nearest_other_with_distance(pooled: np.ndarray, rows_per_block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(index, L2 distance) of each row's nearest other row, float64 in row blocks (default: BLOCK_BYTES each)."""
    x = np.asarray(pooled, np.float64)
    norms = (x**2).sum(1)
    nearest, distance = np.empty(len(x), np.int64), np.empty(len(x))
    step = rows_per_block or block_rows(len(x))
    for start in range(0, len(x), step):
        rows = slice(start, min(start + step, len(x)))
        squared = norms[rows, None] - 2 * x[rows] @ x.T + norms[None, :]
        squared[np.arange(rows.stop - rows.start), np.arange(rows.start, rows.stop)] = np.inf
        nearest[rows] = np.argmin(squared, axis=1)
        distance[rows] = np.sqrt(np.maximum(squared[np.arange(rows.stop - rows.start), nearest[rows]], 0.0))
    return nearest, distance


def one_nn_test(real: np.ndarray, fake: np.ndarray, permutations: int = 1000, seed: int = 0) -> OneNnTest:
    """The test on `real` (n, d) and `fake` (m, d) features, real rows pooled first (label 1) as the reference
    code does; `permutations` seeded label shuffles give the p-value of accuracy above chance."""
    real, fake = np.asarray(real), np.asarray(fake)
    if len(real) < 1 or len(fake) < 1 or len(real) + len(fake) < 3:
        raise ValueError(f"the 1-NN test needs 3 or more samples with both sides present, got {len(real)} and {len(fake)}")
    labels = np.concatenate([np.ones(len(real), bool), np.zeros(len(fake), bool)])
    nearest = nearest_other(np.vstack([real, fake]))
    correct = labels[nearest] == labels
    accuracy = float(correct.mean())
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(permutations):
        shuffled = rng.permutation(labels)
        hits += (shuffled[nearest] == shuffled).mean() >= accuracy
    return OneNnTest(
        accuracy,
        float(correct[labels].mean()),
        float(correct[~labels].mean()),
        float((1 + hits) / (1 + permutations)),
    )
