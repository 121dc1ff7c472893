"""Memorization and data-copying tests on extractor features: generated samples against the training set.

Four measures, all on pool features (Euclidean unless said otherwise), each a pure function here:

* `ratio_test` -- the nearest-neighbour ratio test in the spirit of Carlini et al. 2023 ("Extracting
  training data from diffusion models"): a generated sample is flagged as memorized when its distance to
  its nearest training sample, d1, is small against its distances to the next nearest ones,
  ratio = d1 / mean(d2 .. d_{k+1}) < threshold. Defaults (`ganbench.metrics.config.MemorizationConfig`): k = 50, Carlini et al.'s
  neighbourhood of 50 nearest training images, and threshold 1/3, their threshold (Gu et al. 2023, "On
  memorization in diffusion models", use the same 1/3 with k = 1). Carlini et al. compare pixels; here the
  distances are between extractor features, so the test is about semantic near-copies, and its
  normalisation is ours: the ratio is in [0, 1], 0 for an exact copy, and for independent samples of a
  smooth distribution in high dimension it is close to 1. When d1 and the mean are both 0 (a copy of a
  training point repeated k + 1 times) the ratio is 0.
* `memorization_distance` -- MiFID's memorization distance (Bai et al. 2021, "On training sample
  memorization: lessons from benchmarking generative modeling with a large-scale competition"): the mean
  over generated samples of min over training samples of 1 - |cos(g, t)|, with the absolute cosine and
  all-zero feature rows dropped on both sides, as in the competition's code. 0 means every sample points
  in the direction of some training sample.
* `authenticity` -- AuthPct (Alaa et al. 2022, "How faithful is your synthetic data?"), computed as the
  dgm-eval code of Stein et al. 2023 does: a generated sample g with nearest training sample t is authentic
  when d(g, t) > d(t, t'), t' the nearest other training sample of t (strictly greater, so exact copies are
  never authentic); authpct = 100 x the authentic fraction, in percent.
* `ct_test` -- the C_T data-copying test (Meehan, Chaudhuri and Dasgupta 2020), as in the authors' code:
  k-means on the training features (fixed seed) cuts the space into cells; in each cell the distances of
  generated and of held-out samples to their nearest training sample in that cell are compared with a
  Mann-Whitney U test, Z-scored under the null with the authors' continuity correction,
  Z = (U - (m n / 2 - 0.5)) / sqrt(m n (m + n + 1) / 12) (U counts generated-above-held-out pairs, ties
  half); C_T is the mean of the cell Z scores weighted by each cell's share of held-out samples, over
  the cells holding more than `ct_min_generated` generated samples (the authors' tau = 20 / m). Strongly
  negative: generated samples sit closer to the training data than fresh data does (copying); about 0:
  fine; positive: farther (underfitting). Without a usable partition (one cell asked for, fewer training
  samples than cells, or no cell with enough generated samples) the single-cell test over all samples
  is returned. Unlike dgm-eval there is no PCA to 64 dimensions first (that is only for speed there), and
  k-means is fitted on a seeded subsample of at most 10,000 training samples (`MemorizationConfig`).

Each function here makes its own passes (through `ganbench.metrics.exact_knn` and `ganbench.metrics.shared_neighbours`:
float32 distance blocks of bounded size, on the GPU when `device` is one, with every comparison float32
rounding could flip measured again exactly). The presets instead read one shared pass
(`neighbours.shared_neighbours`, through `authenticity`'s `nearest` / `train_radius` and `ct_test`'s
`gen_nearest`), which gives the same values. Memory is O((N + M) D) plus one block, never N x M.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import rankdata

from ganbench.metrics.config import DEFAULT_BLOCK_BYTES
from ganbench.metrics.exact_knn import FeatureSet, Neighbours, as_features, common_centre, cross_nearest, knn_radii
from ganbench.metrics.shared_neighbours import CosineNearest, NeighbourRequest, shared_neighbours

# --------------------------------------------------------------------------------------------------------
# the ratio test


@dataclass(frozen=True)
class RatioTest:
    """Per generated sample: ratio d1 / mean(d2 .. d_{k+1}), whether it is flagged, and its k + 1 nearest
    training samples (`neighbours.indices[:, 0]` is the nearest)."""

    ratios: np.ndarray
    flagged: np.ndarray
    neighbours: Neighbours
    threshold: float

    @property
    def memorized_fraction(self) -> float:
        return float(self.flagged.mean()) if len(self.flagged) else 0.0

    @property
    def nearest_index(self) -> np.ndarray:
        return self.neighbours.indices[:, 0]

    def flagged_indices(self) -> np.ndarray:
        """Indices of the flagged generated samples, most copy-like (smallest ratio) first."""
        flagged = np.flatnonzero(self.flagged)
        return flagged[np.argsort(self.ratios[flagged], kind="stable")]


def ratios_from_neighbours(neighbours: Neighbours, threshold: float) -> RatioTest:
    """The ratio test from precomputed neighbours (N, k + 1), k >= 1."""
    distances = neighbours.distances.astype(np.float64)
    if distances.shape[1] < 2:
        raise ValueError("the ratio test needs at least the 2 nearest training samples per generated sample")
    nearest, rest = distances[:, 0], distances[:, 1:].mean(axis=1)
    ratios = np.divide(nearest, rest, out=np.zeros_like(nearest), where=rest > 0)
    return RatioTest(ratios, ratios < threshold, neighbours, threshold)


def ratio_test(
    gen,
    train,
    neighbours: int = 50,
    threshold: float = 1 / 3,
    device: str | torch.device = "cpu",
    block_bytes: int = DEFAULT_BLOCK_BYTES,
) -> RatioTest:
    """Nearest-neighbour ratio test of generated features `gen` (N, D) against training features `train`
    (M, D), M > `neighbours`: flagged when d1 / mean(d2 .. d_{neighbours+1}) < `threshold`."""
    found = cross_nearest(gen, train, neighbours + 1, device, block_bytes)
    return ratios_from_neighbours(found, threshold)


# --------------------------------------------------------------------------------------------------------
# MiFID's memorization distance


def cosine_nearest(
    gen, train, device: str | torch.device = "cpu", block_bytes: int = DEFAULT_BLOCK_BYTES
) -> CosineNearest:
    """Min cosine distance 1 - |cos| of every non-zero row of `gen` to the non-zero rows of `train`.

    The search runs on the float32 distance blocks of the shared neighbour pass; every pair float32
    rounding could put first is measured again in float64 from the raw features, so the minimum is exact
    and a copy reads as 0 up to float64 rounding (see `ganbench.metrics.shared_neighbours.CosineSweep`).
    """
    found = shared_neighbours(train, gen, NeighbourRequest(cosine=True), device, block_bytes).cosine
    if found is None:
        raise ValueError("every training feature row is zero: cosine distances are undefined")
    return found


def memorization_distance(
    gen, train, device: str | torch.device = "cpu", block_bytes: int = DEFAULT_BLOCK_BYTES
) -> float:
    """MiFID's memorization distance: mean over generated samples of min over training samples of 1 - |cos|."""
    return cosine_nearest(gen, train, device, block_bytes).mean


# --------------------------------------------------------------------------------------------------------
# AuthPct


@dataclass(frozen=True)
class Authenticity:
    """Per generated sample: authentic or not, with the two distances compared; `authpct` in percent."""

    authentic: np.ndarray
    gen_distance: np.ndarray
    train_radius: np.ndarray

    @property
    def authpct(self) -> float:
        return 100.0 * float(self.authentic.mean()) if len(self.authentic) else float("nan")


def train_nearest_other(
    train, device: str | torch.device = "cpu", block_bytes: int = DEFAULT_BLOCK_BYTES
) -> np.ndarray:
    """For each training row, the distance to its nearest other training row (a duplicate gives 0)."""
    t = as_features(train, "train")
    if len(t) < 2:
        raise ValueError("need at least 2 training samples for nearest-other distances")
    features = FeatureSet.build(t, common_centre(t).to(device), device)
    return knn_radii(features, (1,), block_bytes)[1].cpu().numpy()


def authenticity(
    gen,
    train,
    device: str | torch.device = "cpu",
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    nearest: Neighbours | None = None,
    train_radius: np.ndarray | None = None,
) -> Authenticity:
    """AuthPct of generated features `gen` against training features `train` (at least 2 rows).

    `nearest` may pass precomputed neighbours of `gen` in `train` (first column = nearest), e.g. those of
    the ratio test, and `train_radius` the distance of every training row to its nearest other training
    row (`train_nearest_other`), to skip those passes.
    """
    if nearest is None:
        nearest = cross_nearest(gen, train, 1, device, block_bytes)
    radius = train_nearest_other(train, device, block_bytes) if train_radius is None else np.asarray(train_radius)
    gen_distance = nearest.distances[:, 0]
    train_radius = radius[nearest.indices[:, 0]]
    return Authenticity(gen_distance > train_radius, gen_distance, train_radius)


# --------------------------------------------------------------------------------------------------------
# C_T


def mann_whitney_z(gen_distances, heldout_distances) -> float:
    """Meehan et al.'s Z-scored Mann-Whitney U of generated vs held-out nearest-training distances.

    U = #(gen > held-out) + #(ties) / 2 over all pairs (scipy's U for the first sample); under the null
    it has mean m n / 2 and variance m n (m + n + 1) / 12 (no tie correction), and the authors subtract
    0.5 from the mean as a continuity correction.
    """
    gen_distances = np.asarray(gen_distances, dtype=np.float64).ravel()
    heldout_distances = np.asarray(heldout_distances, dtype=np.float64).ravel()
    m, n = len(gen_distances), len(heldout_distances)
    if m == 0 or n == 0:
        raise ValueError("the Mann-Whitney test needs at least one generated and one held-out distance")
    ranks = rankdata(np.concatenate([gen_distances, heldout_distances]))
    u = ranks[:m].sum() - m * (m + 1) / 2
    return float((u - (m * n / 2 - 0.5)) / math.sqrt(m * n * (m + n + 1) / 12))


@dataclass(frozen=True)
class CTResult:
    """C_T and its parts: per-cell Z (NaN for unused cells), held-out share per cell, which cells were used.

    `partitioned` is False when the single-cell fallback was used (then there is one "cell": everything).
    """

    score: float
    cell_z: np.ndarray
    cell_weights: np.ndarray
    used: np.ndarray
    gen_counts: np.ndarray
    partitioned: bool


def _nearest_distance(queries: np.ndarray, reference: np.ndarray, device, block_bytes) -> np.ndarray:
    return cross_nearest(queries, reference, 1, device, block_bytes).distances[:, 0]


def _cell_distances(gen, gen_rows, heldout, heldout_rows, train, train_rows, gen_nearest, device, block_bytes):
    """Exact distances of the generated rows `gen_rows` and the held-out rows `heldout_rows` (indices) to their
    nearest training row among `train_rows` (a boolean mask): (generated distances, held-out distances).

    With `gen_nearest` (each generated row's nearest training row over all of `train`, exact), a generated
    row whose global nearest lies among `train_rows` takes that distance: the global nearest inside the
    subset is the subset's nearest, and its distance is measured the same way whatever search found it, so
    the value is the one a pass over the subset gives. The other rows are measured in one pass.
    """
    if gen_nearest is None:
        inside = np.zeros(len(gen_rows), dtype=bool)
    else:
        inside = train_rows[gen_nearest.indices[gen_rows, 0]]
    gen_distances = np.empty(len(gen_rows), dtype=np.float32)
    if inside.any():
        gen_distances[inside] = gen_nearest.distances[gen_rows[inside], 0]
    rest = gen_rows[~inside]
    queries = np.concatenate([gen[rest], heldout[heldout_rows]])
    distances = _nearest_distance(queries, train[train_rows], device, block_bytes)
    gen_distances[~inside] = distances[: len(rest)]
    return gen_distances, distances[len(rest) :]


def _single_cell(train, heldout, gen, gen_nearest, device, block_bytes) -> CTResult:
    gen_distances, heldout_distances = _cell_distances(
        gen, np.arange(len(gen)), heldout, np.arange(len(heldout)), train, np.ones(len(train), dtype=bool),
        gen_nearest, device, block_bytes,
    )  # fmt: skip
    z = mann_whitney_z(gen_distances, heldout_distances)
    return CTResult(z, np.array([z]), np.array([1.0]), np.array([True]), np.array([len(gen)]), partitioned=False)


def ct_test(
    train,
    heldout,
    gen,
    cells: int = 5,
    min_generated: int = 20,
    seed: int = 0,
    kmeans_init: int = 1,
    kmeans_fit_samples: int = 10_000,
    device: str | torch.device = "cpu",
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    gen_nearest: Neighbours | None = None,
) -> CTResult:
    """The C_T statistic of generated features `gen` against training features `train`, with held-out
    features `heldout` from the same distribution as `train` as the yardstick (see the module docstring).

    `gen_nearest` may pass each generated row's nearest training row over all of `train` (column 0 exact, as
    `cross_nearest` or the shared neighbour pass give it): a generated row whose nearest training row lies
    in its own cell then needs no pass of its own; the values are the same either way."""
    train = np.asarray(as_features(train, "train").float())
    heldout = np.asarray(as_features(heldout, "heldout").float())
    gen = np.asarray(as_features(gen, "gen").float())
    if not (train.shape[1] == heldout.shape[1] == gen.shape[1]):
        raise ValueError(f"feature dimensions differ: {train.shape[1]}, {heldout.shape[1]}, {gen.shape[1]}")
    if min(len(train), len(heldout), len(gen)) == 0:
        raise ValueError("C_T needs at least one training, one held-out and one generated sample")
    if cells <= 1 or len(train) < cells:
        return _single_cell(train, heldout, gen, gen_nearest, device, block_bytes)

    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    fit_rows = (
        np.sort(rng.choice(len(train), kmeans_fit_samples, replace=False))
        if len(train) > kmeans_fit_samples
        else slice(None)
    )
    kmeans = KMeans(n_clusters=cells, n_init=kmeans_init, random_state=seed).fit(train[fit_rows])
    train_cells = kmeans.predict(train)
    heldout_cells, gen_cells = kmeans.predict(heldout), kmeans.predict(gen)
    heldout_counts = np.bincount(heldout_cells, minlength=cells)
    gen_counts = np.bincount(gen_cells, minlength=cells)
    train_counts = np.bincount(train_cells, minlength=cells)
    used = (gen_counts > min_generated) & (heldout_counts > 0) & (train_counts > 0)
    if not used.any():
        return _single_cell(train, heldout, gen, gen_nearest, device, block_bytes)
    weights = heldout_counts / len(heldout)
    cell_z = np.full(cells, np.nan)
    for cell in np.flatnonzero(used):
        gen_distances, heldout_distances = _cell_distances(
            gen, np.flatnonzero(gen_cells == cell), heldout, np.flatnonzero(heldout_cells == cell),
            train, train_cells == cell, gen_nearest, device, block_bytes,
        )  # fmt: skip
        cell_z[cell] = mann_whitney_z(gen_distances, heldout_distances)
    score = float((weights[used] * cell_z[used]).sum() / weights[used].sum())
    return CTResult(score, cell_z, weights, used, gen_counts, partitioned=True)
