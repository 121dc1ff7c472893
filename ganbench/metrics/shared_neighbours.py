"""One nearest-neighbour pass over generated and reference features, read by every k-NN metric.

Precision/recall and density/coverage need balls of k-th neighbour radii, the memorization ratio test the
nearest reference rows of each generated row, AuthPct those and the reference self-radii, MiFID's distance
the nearest reference row by cosine, C_T the exact nearest reference row. `shared_neighbours` computes what
a `NeighbourRequest` asks for in one go: the self radii of each set once (`exact_knn.knn_radii`), then one sweep
over blocks of generated rows against all reference rows in which each block's float32 distances are
computed once and read by every requested part. Every comparison float32 rounding could flip is re-measured
exactly (see `ganbench.metrics.exact_knn`), so each part equals what a pass of its own gives, bit for bit: the
blocks and the centring are the same whatever else is requested. Memory: the features (and one centred
float32 copy of each set) plus one block of `block_bytes` and its masks, never N x M.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ganbench.metrics.config import DEFAULT_BLOCK_BYTES
from ganbench.metrics.exact_knn import (
    UNIT_ROUNDOFF,
    FeatureSet,
    Neighbours,
    as_features,
    common_centre,
    cross_blocks,
    fast_squared_distances,
    knn_radii,
    nearest_in_block,
    strictly_within,
    tolerance,
)

#: candidate pairs measured exactly at a time by `cosine_distances`
COSINE_CHUNK = 8192


def _ks(values) -> tuple[int, ...]:
    return tuple(sorted({int(k) for k in values}))


@dataclass(frozen=True)
class NeighbourRequest:
    """What to compute; requests combine with `|` (union, the larger `nearest`).

    ref_radii / gen_radii: k-th nearest-other-row distances within the reference / generated set.
    ref_balls: per k, how many reference k-balls hold each generated row, and whether each reference
    k-ball holds a generated row (strict <, prdc's convention). gen_balls: per k, whether each reference
    row lies in some generated k-ball. nearest: the `nearest` nearest reference rows of every generated
    row (0: none). cosine: the nearest non-zero reference row by 1 - |cos| of every non-zero generated row.
    """

    ref_radii: tuple[int, ...] = ()
    gen_radii: tuple[int, ...] = ()
    ref_balls: tuple[int, ...] = ()
    gen_balls: tuple[int, ...] = ()
    nearest: int = 0
    cosine: bool = False

    def __post_init__(self) -> None:
        # a ball needs its radius; sorted tuples make equal requests equal (they key the cache)
        object.__setattr__(self, "ref_radii", _ks((*self.ref_radii, *self.ref_balls)))
        object.__setattr__(self, "gen_radii", _ks((*self.gen_radii, *self.gen_balls)))
        object.__setattr__(self, "ref_balls", _ks(self.ref_balls))
        object.__setattr__(self, "gen_balls", _ks(self.gen_balls))

    def __or__(self, other: NeighbourRequest) -> NeighbourRequest:
        return NeighbourRequest(
            ref_radii=self.ref_radii + other.ref_radii,
            gen_radii=self.gen_radii + other.gen_radii,
            ref_balls=self.ref_balls + other.ref_balls,
            gen_balls=self.gen_balls + other.gen_balls,
            nearest=max(self.nearest, other.nearest),
            cosine=self.cosine or other.cosine,
        )

    def within(self, n_gen: int, n_ref: int) -> NeighbourRequest:
        """This request less what `n_gen` generated and `n_ref` reference rows cannot give (a k-th
        neighbour radius needs more than k rows), so one metric's impossible k never fails another's pass."""
        return NeighbourRequest(
            ref_radii=[k for k in self.ref_radii if k < n_ref],
            gen_radii=[k for k in self.gen_radii if k < n_gen],
            ref_balls=[k for k in self.ref_balls if k < n_ref],
            gen_balls=[k for k in self.gen_balls if k < n_gen],
            nearest=min(self.nearest, n_ref),
            cosine=self.cosine,
        )


@dataclass(frozen=True)
class BallCounts:
    """For one k: `holding[i]`, how many reference k-balls hold generated row i; `reached[j]`, whether the
    k-ball of reference row j holds some generated row."""

    holding: np.ndarray
    reached: np.ndarray


@dataclass(frozen=True)
class CosineNearest:
    """Per (non-zero) generated row: min over training rows of 1 - |cos|, the row it came from, and which
    training row attains it (indices into the arrays as passed, zero rows included)."""

    distances: np.ndarray
    gen_rows: np.ndarray
    indices: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.distances.mean()) if len(self.distances) else float("nan")


@dataclass(frozen=True)
class SharedNeighbours:
    """What `shared_neighbours` found, by part of the request (radii as float32 arrays, exact)."""

    ref_radii: dict[int, np.ndarray] = field(default_factory=dict)
    gen_radii: dict[int, np.ndarray] = field(default_factory=dict)
    ref_balls: dict[int, BallCounts] = field(default_factory=dict)
    gen_balls: dict[int, np.ndarray] = field(default_factory=dict)
    nearest: Neighbours | None = None
    #: None when cosine was not asked for, or every reference row is zero (cosine undefined)
    cosine: CosineNearest | None = None


def shared_neighbours(
    ref, gen, request: NeighbourRequest, device: str | torch.device = "cpu", block_bytes: int = DEFAULT_BLOCK_BYTES
) -> SharedNeighbours:
    """Everything `request` asks for about reference features `ref` (M, D) and generated `gen` (N, D)."""
    r_array, g_array = as_features(ref, "reference"), as_features(gen, "generated")
    if r_array.shape[1] != g_array.shape[1]:
        raise ValueError(f"feature dimensions differ: {r_array.shape[1]} and {g_array.shape[1]}")
    centre = common_centre(g_array, r_array).to(device)
    r, g = FeatureSet.build(r_array, centre, device), FeatureSet.build(g_array, centre, device)
    ref_radii = knn_radii(r, request.ref_radii, block_bytes) if request.ref_radii else {}
    gen_radii = knn_radii(g, request.gen_radii, block_bytes) if request.gen_radii else {}
    if not (request.ref_balls or request.gen_balls or request.nearest or request.cosine):
        return SharedNeighbours(_numpy(ref_radii), _numpy(gen_radii))

    n, m, device = len(g), len(r), r.raw.device
    holding = {k: torch.zeros(n, dtype=torch.int64, device=device) for k in request.ref_balls}
    reached = {k: torch.zeros(m, dtype=torch.bool, device=device) for k in request.ref_balls}
    in_gen_ball = {k: torch.zeros(m, dtype=torch.bool, device=device) for k in request.gen_balls}
    if request.nearest:
        nearest = (
            torch.empty((n, request.nearest), device=device),
            torch.empty((n, request.nearest), dtype=torch.int64, device=device),
        )
    else:
        nearest = None
    cosine = CosineSweep.start(g, r) if request.cosine else None
    for rows in cross_blocks(g, r, block_bytes):
        d2 = fast_squared_distances(g, rows, r)
        row_tol = tolerance(g, rows, r)
        for k in request.ref_balls:
            within = strictly_within(d2, ref_radii[k][None, :], row_tol, g, rows, r)
            holding[k][rows] = within.sum(1)
            reached[k] |= within.any(0)
        for k in request.gen_balls:
            in_gen_ball[k] |= strictly_within(d2, gen_radii[k][rows, None], row_tol, g, rows, r).any(0)
        if nearest is not None:
            nearest[0][rows], nearest[1][rows] = nearest_in_block(d2, g, rows, r, request.nearest)
        if cosine is not None:
            cosine.block(d2, rows)  # last: it overwrites d2
    return SharedNeighbours(
        _numpy(ref_radii),
        _numpy(gen_radii),
        {k: BallCounts(holding[k].cpu().numpy(), reached[k].cpu().numpy()) for k in request.ref_balls},
        _numpy(in_gen_ball),
        Neighbours(nearest[0].cpu().numpy(), nearest[1].cpu().numpy()) if nearest is not None else None,
        cosine.result() if cosine is not None else None,
    )


def _numpy(tensors: dict[int, torch.Tensor]) -> dict[int, np.ndarray]:
    return {k: value.cpu().numpy() for k, value in tensors.items()}


# ----------------------------------------------------------------------------------------------------
# the nearest reference row by cosine distance, from the Euclidean distance blocks


def row_norms(x: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
    """float64 Euclidean norms of the rows of x, a chunk at a time (no full float64 copy)."""
    return torch.cat([x[start : start + chunk].double().norm(dim=1) for start in range(0, len(x), chunk)])


def cosine_distances(
    g: torch.Tensor, g_norm: torch.Tensor, rows: torch.Tensor, t: torch.Tensor, t_norm: torch.Tensor, cols: torch.Tensor
) -> torch.Tensor:
    """1 - |cos| of the pairs (g[rows[i]], t[cols[i]]) in float64 from the raw float32 features (the value the
    metric reports, whatever search found the pair), clamped to [0, 1]."""
    out = torch.empty(len(rows), dtype=torch.float64, device=g.device)
    for start in range(0, len(rows), COSINE_CHUNK):
        part = slice(start, start + COSINE_CHUNK)
        dots = (g[rows[part]].double() * t[cols[part]].double()).sum(1)
        out[part] = (1 - (dots / (g_norm[rows[part]] * t_norm[cols[part]])).abs()).clamp_(0, 1)
    return out


@dataclass
class CosineSweep:
    """The cosine part of the sweep: per generated row, the reference row with the smallest 1 - |cos|.

    From the fast squared distance d2 of a block, v = (d2 - |g|^2 - |t|^2) / |t| = -2 |g| cos(g, t) is
    estimated within a bound e_i per generated row (below); the reference rows whose |v| is within 2 e_i of
    the row's largest |v| are the only ones that can be the true nearest, and those are measured exactly
    (`cosine_distances`); the smallest wins, the lowest reference index among equal values. When no feature
    is negative every cosine is >= 0, so the largest |v| is the smallest v and no absolute value is taken.

    The bound: with |d2 - true| <= T_i (`knn.tolerance`) and float32 norms, the error of v is at most
    (T_i + 8u |g_i|^2) / |t_j| + 8u |t_j| + 5u |g_i|, u = 2^-24; e_i takes its largest value over the
    non-zero reference rows, with a margin.
    """

    g: FeatureSet
    r: FeatureSet
    g_norm: torch.Tensor
    t_norm: torch.Tensor
    g_sq: torch.Tensor
    t_sq: torch.Tensor
    inv_t: torch.Tensor
    bound: torch.Tensor
    signed: bool
    distances: torch.Tensor
    indices: torch.Tensor

    @classmethod
    def start(cls, g: FeatureSet, r: FeatureSet) -> CosineSweep | None:
        """None when every reference row is zero (no cosine distance is defined)."""
        g_norm, t_norm = row_norms(g.raw), row_norms(r.raw)
        nonzero = t_norm > 0
        if not nonzero.any():
            return None
        inv_t = torch.where(nonzero, 1 / t_norm, 0.0)
        u = UNIT_ROUNDOFF
        row_tol = tolerance(g, slice(None), r).double()
        bound = (row_tol + 8 * u * g_norm.square()) * float(inv_t.max()) + 8 * u * float(t_norm.max()) + 5 * u * g_norm
        # a generated zero row has no cosine: a bound that admits no candidate
        bound = torch.where(g_norm > 0, bound * 1.01, -float("inf"))
        return cls(
            g, r, g_norm, t_norm, g_norm.square().float(), t_norm.square().float(), inv_t.float(), bound.float(),
            bool((g.raw < 0).any() or (r.raw < 0).any()),
            torch.full((len(g),), float("nan"), dtype=torch.float64, device=g.raw.device),
            torch.zeros(len(g), dtype=torch.int64, device=g.raw.device),
        )  # fmt: skip

    def block(self, d2: torch.Tensor, rows: slice) -> None:
        """Take the block's winners; `d2` (B, M) is overwritten."""
        v = d2.sub_(self.g_sq[rows, None]).sub_(self.t_sq[None, :]).mul_(self.inv_t[None, :])
        band = 2 * self.bound[rows] * (1 + 1e-3)
        if self.signed:
            v.abs_()
            i, j = (v >= (v.max(dim=1).values - band)[:, None]).nonzero(as_tuple=True)
        else:
            i, j = (v <= (v.min(dim=1).values + band)[:, None]).nonzero(as_tuple=True)
        i, j = i[self.t_norm[j] > 0], j[self.t_norm[j] > 0]
        exact = cosine_distances(self.g.raw, self.g_norm, i + rows.start, self.r.raw, self.t_norm, j)
        best = torch.full((rows.stop - rows.start,), float("inf"), dtype=torch.float64, device=d2.device)
        best.scatter_reduce_(0, i, exact, "amin")
        winner = exact == best[i]
        first = torch.full(best.shape, len(self.r), dtype=torch.int64, device=d2.device)
        first.scatter_reduce_(0, i[winner], j[winner], "amin")
        self.distances[rows] = best
        self.indices[rows] = first

    def result(self) -> CosineNearest:
        gen_rows = (self.g_norm > 0).nonzero(as_tuple=True)[0]
        return CosineNearest(
            self.distances[gen_rows].cpu().numpy(), gen_rows.cpu().numpy(), self.indices[gen_rows].cpu().numpy()
        )
