"""NDB and JS (Richardson & Weiss, NeurIPS 2018), the authors' ndb.py protocol (eitanrich/gans-n-gmms).

The reference samples are clustered by k-means into K bins (K = 100); each bin's centre is the mean of its
reference samples. Generated samples go to the nearest centre (L2). Per bin, a two-proportion z-test compares the
reference share with the generated share; NDB is the number of bins whose two-sided p-value is below 0.05, and JS
the Jensen-Shannon divergence (natural log) of the two bin histograms. Features wider than 1000 are clustered and
assigned on a random d // 6 of their dimensions, as the reference does for speed (seeded here, unseeded there);
whitening (per-dimension mean and std + 1e-6 of the reference) is an option, off as in the authors' MNIST runs.
With generated samples from the reference distribution about 0.05 K bins differ by chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: ndb.py: added to the reference std when whitening
WHITEN_EPSILON = 1e-6
#: ndb.py: above this many dimensions the binning uses a random d // 6 of them
MAX_FULL_DIMS = 1000


@dataclass(frozen=True)
class NdbBins:
    """k-means bins of the reference: centres (K, d) in the whitened space, reference shares (K,) largest first,
    reference size, whitening mean and std, and the dimensions distances are measured on."""

    centres: np.ndarray
    shares: np.ndarray
    n: int
    mean: np.ndarray | float
    std: np.ndarray | float
    dims: np.ndarray

    def assign(self, samples: np.ndarray) -> np.ndarray:
        """Index of each sample's nearest centre (L2 on `dims`, after whitening)."""
        x = ((np.asarray(samples, np.float64) - self.mean) / self.std)[:, self.dims]
        centres = self.centres[:, self.dims]
        squared = (x**2).sum(1)[:, None] - 2 * x @ centres.T + (centres**2).sum(1)[None, :]
        return np.argmin(squared, axis=1)

    def shares_of(self, samples: np.ndarray) -> np.ndarray:
        """The share of `samples` in each bin."""
        return np.bincount(self.assign(samples), minlength=len(self.centres)) / len(samples)


@dataclass(frozen=True)
class NdbResult:
    """NDB (bins that differ), K, JS, and per bin: reference and generated shares and whether it differs."""

    ndb: int
    bins: int
    js: float
    ref_shares: np.ndarray
    gen_shares: np.ndarray
    different: np.ndarray


def reference_bins(ref: np.ndarray, bins: int = 100, whiten: bool = False, seed: int = 0) -> NdbBins:
    """k-means (k-means++, 10 restarts, at most 100 iterations, `random_state=seed`) of the reference into `bins`
    bins, ordered by size (largest first), each centred on the mean of its members."""
    from sklearn.cluster import KMeans

    ref = np.asarray(ref, np.float64)
    n, d = ref.shape
    if n < bins:
        raise ValueError(f"NDB cannot form {bins} bins from {n} reference samples")
    mean, std = (ref.mean(0), ref.std(0) + WHITEN_EPSILON) if whiten else (0.0, 1.0)
    rng = np.random.default_rng(seed)
    dims = np.sort(rng.choice(d, d // 6, replace=False)) if d > MAX_FULL_DIMS else np.arange(d)
    white = (ref - mean) / std
    labels = KMeans(n_clusters=bins, max_iter=100, n_init=10, random_state=seed).fit(white[:, dims]).labels_
    counts = np.bincount(labels, minlength=bins)
    if (counts == 0).any():
        raise ValueError(f"k-means left {int((counts == 0).sum())} of {bins} NDB bins empty; use fewer bins")
    centres = np.stack([white[labels == i].mean(0) for i in range(bins)])
    order = np.argsort(-counts)  # the reference's (unstable) order of equal-sized bins
    return NdbBins(centres[order], counts[order] / n, n, mean, std, dims)


def different_bins(p1: np.ndarray, n1: int, p2: np.ndarray, n2: int, significance: float) -> np.ndarray:
    """Two-proportion z-test per bin (pooled standard error): True where the two-sided p-value < significance."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / se
    # a bin empty on both sides (se = 0, z = nan) does not differ
    return np.nan_to_num(2.0 * norm.cdf(-np.abs(z)), nan=1.0) < significance


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence of two histograms in nats (0 to log 2)."""
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        positive = a > 0
        return float(np.sum(a[positive] * np.log(a[positive] / m[positive])))

    return 0.5 * (kl(p) + kl(q))


def ndb_js(
    gen: np.ndarray, ref: np.ndarray, bins: int = 100, significance: float = 0.05, whiten: bool = False, seed: int = 0
) -> NdbResult:
    """NDB and JS of generated features `gen` (N, d) against reference features `ref` (M, d)."""
    binned = reference_bins(ref, bins, whiten, seed)
    gen_shares = binned.shares_of(gen)
    different = different_bins(binned.shares, binned.n, gen_shares, len(gen), significance)
    js = js_divergence(binned.shares, gen_shares)
    return NdbResult(int(different.sum()), bins, js, binned.shares, gen_shares, different)
