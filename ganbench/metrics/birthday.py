"""The birthday-paradox support estimate (Arora & Zhang 2017), with the duplicate threshold calibrated on real data.

If batches of s samples from a distribution with N equally likely outcomes hold a duplicate with probability P,
then P = 1 - exp(-s(s - 1) / (2N)), so N = s(s - 1) / (2 ln(1 / (1 - P))). Arora & Zhang find near-duplicates by
eye among the closest pairs of each batch; here a pair of generated samples is a duplicate when their feature
distance is below a threshold read off real data: the q-quantile (q = 0.01) of the reference samples' distances
to their nearest other reference sample, so fewer than 1% of real samples have a neighbour that close. For batch
sizes doubling up to half the generated set, seeded batches (drawn without replacement) give the duplicate rate;
N is read at the size whose rate is nearest 1/2, with the 95% Clopper-Pearson interval of that rate carried
through the formula. When no batch holds a duplicate, N is only bounded below, and the estimate is that bound;
when every batch of the smallest size holds one, N is 0 to the formula (lower the smallest size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from ganbench.metrics.two_sample import block_rows, nearest_other_with_distance


@dataclass(frozen=True)
class BirthdayEstimate:
    """The threshold, the batch sizes and their duplicate rates, the size the estimate is read at, the support
    estimate with its 95% interval (high is inf when the rate's lower bound is 0), and whether it is a bound."""

    threshold: float
    sizes: tuple[int, ...]
    rates: tuple[float, ...]
    size: int
    support: float
    support_low: float
    support_high: float
    lower_bound_only: bool


def duplicate_threshold(reference: np.ndarray, quantile: float) -> float:
    """The `quantile` of the reference rows' distances to their nearest other reference row."""
    return float(np.quantile(nearest_other_with_distance(reference)[1], quantile))


def close_pairs(
    features: np.ndarray, threshold: float, rows_per_block: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(pairs (k, 2) with i < j, distances (k,)) of all rows closer than `threshold`, closest first."""
    x = np.asarray(features, np.float64)
    norms = (x**2).sum(1)
    found_pairs, found_distances = [], []
    step = rows_per_block or block_rows(len(x))
    for start in range(0, len(x), step):
        block = x[start : start + step]
        squared = np.maximum(norms[start : start + len(block), None] - 2 * block @ x.T + norms[None, :], 0.0)
        rows, cols = np.nonzero(squared < threshold**2)
        keep = cols > rows + start
        found_pairs.append(np.stack([rows[keep] + start, cols[keep]], axis=1))
        found_distances.append(np.sqrt(squared[rows[keep], cols[keep]]))
    pairs, distances = np.concatenate(found_pairs), np.concatenate(found_distances)
    order = np.argsort(distances, kind="stable")
    return pairs[order], distances[order]


def duplicate_rate(pairs: np.ndarray, n: int, size: int, batches: int, rng: np.random.Generator) -> float:
    """Share of `batches` random batches of `size` of n rows (without replacement) holding both ends of a pair."""
    hits = 0
    member = np.zeros(n, bool)
    for _ in range(batches):
        rows = rng.choice(n, size, replace=False)
        member[rows] = True
        hits += bool(len(pairs)) and bool((member[pairs[:, 0]] & member[pairs[:, 1]]).any())
        member[rows] = False
    return hits / batches


def support_from_rate(size: int, rate: float) -> float:
    """N with 1 - exp(-size(size - 1) / (2N)) = rate: inf at rate 0, 0 at rate 1."""
    if rate <= 0:
        return float("inf")
    if rate >= 1:
        return 0.0
    return size * (size - 1) / (2 * -np.log1p(-rate))


def birthday_support(
    generated: np.ndarray, reference: np.ndarray, quantile: float = 0.01, min_batch: int = 16, batches: int = 200, seed: int = 0
) -> BirthdayEstimate:
    """The support estimate of `generated` features with the threshold from `reference` features."""
    n = len(generated)
    sizes = []
    while min_batch * 2 ** len(sizes) <= n // 2:
        sizes.append(min_batch * 2 ** len(sizes))
    if not sizes:
        raise ValueError(f"the birthday test needs at least {2 * min_batch} generated samples for batches of {min_batch}")
    threshold = duplicate_threshold(reference, quantile)
    pairs, _ = close_pairs(generated, threshold)
    rng = np.random.default_rng(seed)
    rates = [duplicate_rate(pairs, n, size, batches, rng) for size in sizes]
    # no duplicates anywhere: the largest size bounds N best
    at = len(sizes) - 1 if max(rates) == 0 else int(np.argmin([abs(rate - 0.5) for rate in rates]))
    size, rate = sizes[at], rates[at]
    interval = binomtest(round(rate * batches), batches).proportion_ci(0.95, method="exact")
    low, high = support_from_rate(size, interval.high), support_from_rate(size, interval.low)
    support = low if rate == 0 else support_from_rate(size, rate)
    return BirthdayEstimate(threshold, tuple(sizes), tuple(rates), size, support, low, high, rate == 0)
