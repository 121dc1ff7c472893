"""Statistics across training seeds: mean, std, bootstrap confidence interval, Welch's t-test."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Resamples of the percentile bootstrap, its fixed seed, and the interval's confidence level.
BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95
#: Significance level of the adjacent-pair tests.
ALPHA = 0.05
TEST_NAME = "Welch's t-test (two-sided, unequal variances)"


def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1); the std is NaN for fewer than 2 values."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return math.nan, math.nan
    std = float(values.std(ddof=1)) if values.size > 1 else math.nan
    return float(values.mean()), std


def bootstrap_ci(
    values, confidence: float = CONFIDENCE, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean: resample the values with replacement
    `resamples` times (numpy default_rng(seed)), take the mean of each resample, and return the
    (1-confidence)/2 and (1+confidence)/2 percentiles of those means. Same values and seed, same interval.

    NaN for fewer than 2 values. With few seeds (3-5) the percentile bootstrap is narrower than the
    true uncertainty of the mean: read it as a description of the seeds' spread, not a guarantee.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, size=(resamples, values.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class WelchResult:
    """Welch's t statistic, its Welch-Satterthwaite degrees of freedom and the two-sided p-value (NaN: untestable)."""

    t: float
    df: float
    p: float


def welch_test(a, b) -> WelchResult:
    """Welch's two-sided t-test of equal means (scipy.stats.ttest_ind with equal_var=False).

    Needs at least 2 values on each side and some spread; otherwise every field is NaN.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size < 2 or b.size < 2:
        return WelchResult(math.nan, math.nan, math.nan)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    if va + vb == 0:
        return WelchResult(math.nan, math.nan, math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_ind(a, b, equal_var=False)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return WelchResult(float(result.statistic), float(df), float(result.pvalue))


def t_interval(mean: float, se: float | None, n: int | None, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t confidence interval mean +- t_{(1+confidence)/2, n-1} * se; the point (mean, mean) when the
    standard error is unknown or n < 2 (nothing to widen it by)."""
    if se is None or n is None or n < 2 or not math.isfinite(se):
        return mean, mean
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * se
    return mean - half, mean + half


def welch_from_summary(mean_a: float, se_a: float, n_a: int, mean_b: float, se_b: float, n_b: int) -> float:
    """Two-sided Welch p-value from two summaries (mean, standard error, n); NaN when untestable."""
    if min(n_a, n_b) < 2 or se_a + se_b <= 0 or not math.isfinite(se_a + se_b):
        return math.nan
    result = stats.ttest_ind_from_stats(
        mean_a, se_a * math.sqrt(n_a), n_a, mean_b, se_b * math.sqrt(n_b), n_b, equal_var=False
    )
    return float(result.pvalue)
