"""Chunked nearest-neighbour arithmetic on features, fast in float32 yet exactly equal to prdc.

prdc measures distances with scikit-learn, which for float32 features computes
squared distances in float64, rounds them to float32 and takes a float32 square
root. Here every distance is first computed from one float32 matrix product on
mean-centred features (the fast part, on the GPU when there is one); only the
comparisons that float32 error could flip, by a worst-case bound, are
recomputed from the raw features the way prdc does. Memory is bounded by the
row-block size, never the full N x M matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganbench.metrics.config import DEFAULT_BLOCK_BYTES
from ganbench.numerics import strict_float32

UNIT_ROUNDOFF = 2.0**-24
#: extra candidates taken by the float32 top-k beyond the k needed, so that rounding rarely forces a re-measure
CANDIDATE_MARGIN = 8
EXACT_CHUNK = 1024
BUILD_CHUNK = 4096


@dataclass(frozen=True)
class FeatureSet:
    """Features in two forms: `raw` (float32, for exact distances) and `centred` (for the fast product)."""

    raw: torch.Tensor
    centred: torch.Tensor
    centred_sq: torch.Tensor

    @classmethod
    def build(cls, array, centre: torch.Tensor | None, device: str | torch.device) -> FeatureSet:
        """Move `array` (N, D) to `device` as float32; centring (a translation) leaves every distance unchanged
        but shrinks the norms, and with them the float32 error bound."""
        raw = torch.as_tensor(array)
        if raw.ndim != 2:
            raise ValueError(f"expected features (N, D), got shape {tuple(raw.shape)}")
        raw = raw.to(device=device, dtype=torch.float32).contiguous()
        centred = raw if centre is None else torch.empty_like(raw)
        centred_sq = torch.empty(len(raw), dtype=torch.float32, device=raw.device)
        # a few thousand rows at a time: no full float64 copy (the values do not depend on the chunking)
        for start in range(0, len(raw), BUILD_CHUNK):
            part = slice(start, start + BUILD_CHUNK)
            if centre is not None:
                centred[part] = (raw[part].double() - centre).float()
            centred_sq[part] = centred[part].double().square().sum(1).float()
        return cls(raw, centred, centred_sq)

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def dim(self) -> int:
        return self.raw.shape[1]


def common_centre(*arrays: torch.Tensor) -> torch.Tensor:
    """float64 mean of the rows of all arrays together."""
    total = sum(torch.as_tensor(a).double().sum(0) for a in arrays)
    return total / sum(len(a) for a in arrays)


def block_rows(n_cols: int, block_bytes: int = DEFAULT_BLOCK_BYTES) -> int:
    """Rows per block so that one float32 block of distances stays within `block_bytes`."""
    return max(1, block_bytes // (4 * max(n_cols, 1)))


def fast_squared_distances(x: FeatureSet, rows: slice | torch.Tensor, y: FeatureSet, cols: slice = slice(None)) -> torch.Tensor:
    """||x_i - y_j||^2 for rows `rows` of x against columns `cols` of y, from one float32 product."""
    with strict_float32():
        d2 = torch.addmm(
            x.centred_sq[rows, None] + y.centred_sq[None, cols], x.centred[rows], y.centred[cols].T, alpha=-2.0
        )
    return d2.clamp_min_(0)


def tolerance(x: FeatureSet, rows: slice, y: FeatureSet) -> torch.Tensor:
    """Per-row worst-case bound on |fast - exact| squared distance: (D + 4) u (|x_i|^2 + max_j |y_j|^2)."""
    return (x.dim + 4) * UNIT_ROUNDOFF * (x.centred_sq[rows] + y.centred_sq.max())


def exact_distances(x: torch.Tensor, x_rows: torch.Tensor, y: torch.Tensor, y_cols: torch.Tensor) -> torch.Tensor:
    """Distances from x[x_rows[i]] to y[y_cols[i, j]], shape of `y_cols` (B, M), as prdc gets them.

    scikit-learn (inside prdc) computes squared distances in float64, rounds them to
    float32 and takes a float32 square root; this does the same. Work goes in small
    row chunks so the float64 copies stay in cache.
    """
    out = torch.empty(y_cols.shape, dtype=torch.float32, device=x.device)
    chunk = max(1, EXACT_CHUNK // y_cols.shape[1])
    for start in range(0, len(x_rows), chunk):
        part = slice(start, start + chunk)
        left = x[x_rows[part]].double()[:, None, :]
        right = y[y_cols[part]].double()
        squared32 = torch.cdist(left, right).squeeze(1).square().float()
        # sqrt in float64 of the float32 square, rounded once: the correctly rounded float32 sqrt numpy takes
        # (torch's own float32 sqrt on CPU can be 1 ulp off)
        out[part] = squared32.double().sqrt().float()
    return out


def strictly_within(d2: torch.Tensor, radius: torch.Tensor, row_tol: torch.Tensor, x: FeatureSet, rows: slice, y: FeatureSet) -> torch.Tensor:
    """Boolean block: exact distance < radius, `radius` broadcastable to d2 (one per row or one per column).

    Entries whose fast squared distance lies within the error band of radius^2 are
    recomputed exactly; all others are decided by the fast value.
    """
    radius2 = radius.square()
    result = d2 < radius2
    band = row_tol[:, None] + 8 * UNIT_ROUNDOFF * radius2
    ambiguous = (d2 - radius2).abs_() <= band
    i, j = ambiguous.nonzero(as_tuple=True)
    if len(i):
        exact = exact_distances(x.raw, i + rows.start, y.raw, j[:, None])[:, 0]
        result[i, j] = exact < radius.expand_as(d2)[i, j]
    return result


def smallest_exact(d2: torch.Tensor, global_rows: torch.Tensor, limit: torch.Tensor, x: FeatureSet, needed: int) -> torch.Tensor:
    """Per row of `d2` (rows `global_rows` of x against all of x): the `needed` smallest exact distances among
    the columns whose fast squared distance is <= that row's `limit`, sorted ascending."""
    i, j = (d2 <= limit[:, None]).nonzero(as_tuple=True)
    exact = exact_distances(x.raw, global_rows[i], x.raw, j[:, None])[:, 0]
    counts = torch.bincount(i, minlength=len(d2))
    padded = torch.full((len(d2), int(counts.max())), float("inf"), device=d2.device)
    offsets = torch.cumsum(counts, 0) - counts
    padded[i, torch.arange(len(i), device=d2.device) - offsets[i]] = exact
    return padded.sort(dim=1).values[:, :needed]


def order_statistics(
    fast_values: torch.Tensor, index: torch.Tensor, row_tol: torch.Tensor, x: FeatureSet, rows: torch.Tensor, positions: tuple[int, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact p-th smallest distance (for each p in `positions`) of each row from its fast top-m candidates.

    True squared distances lie within T = `row_tol` of the fast ones, so every
    candidate whose fast value is more than 2T below the fast p-th value is truly
    smaller than the true p-th value, and every one more than 2T above is truly
    larger. Only the candidates inside that band are measured exactly (usually
    one per row). Returns (values (B, len(positions)), safe (B,)): a row is safe
    when the last candidate lies above the band of its largest position, so no
    point outside the candidates can be nearer.
    """
    band = 2 * row_tol[:, None] * (1 + 1e-3) + 16 * UNIT_ROUNDOFF * fast_values
    values = torch.empty((len(index), len(positions)), dtype=torch.float32, device=index.device)
    safe = torch.ones(len(index), dtype=torch.bool, device=index.device)
    for column, p in enumerate(positions):
        centre = fast_values[:, p : p + 1]
        width = band[:, p : p + 1]
        below = (fast_values < centre - width).sum(1)
        inside = (fast_values - centre).abs() <= width
        i, j = inside.nonzero(as_tuple=True)
        exact = torch.full(index.shape, float("inf"), device=index.device)
        exact[i, j] = exact_distances(x.raw, rows[i], x.raw, index[i, j][:, None])[:, 0]
        ranked = exact.sort(dim=1).values
        values[:, column] = ranked.gather(1, (p - below)[:, None]).squeeze(1)
        safe &= fast_values[:, -1] > (centre + width).squeeze(1)
    return values, safe


def merge_candidates(values: torch.Tensor, index: torch.Tensor, new_values: torch.Tensor, new_index: torch.Tensor) -> None:
    """Keep, in place, the smallest `values.shape[1]` of the union of two candidate lists per row."""
    joined_values = torch.cat([values, new_values], dim=1)
    joined_index = torch.cat([index, new_index], dim=1)
    kept_values, where = torch.topk(joined_values, values.shape[1], dim=1, largest=False, sorted=True)
    values.copy_(kept_values)
    index.copy_(joined_index.gather(1, where))


def nearest_candidates(x: FeatureSet, count: int, block_bytes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The `count` smallest fast squared distances of every row of x to the rows of x (itself at 0), sorted.

    The distance matrix is symmetric, so only blocks on and above the diagonal are
    multiplied: each block gives candidates to its rows and, transposed, to its columns.
    """
    n = len(x)
    device = x.raw.device
    values = torch.full((n, count), float("inf"), device=device)
    index = torch.zeros((n, count), dtype=torch.int64, device=device)
    rows_per_block = block_rows(n, block_bytes)
    for start in range(0, n, rows_per_block):
        stop = min(n, start + rows_per_block)
        d2 = fast_squared_distances(x, slice(start, stop), x, slice(start, None))
        local = torch.arange(stop - start, device=device)
        d2[local, local] = 0.0
        block_values, block_index = torch.topk(d2, min(count, d2.shape[1]), dim=1, largest=False)
        merge_candidates(values[start:stop], index[start:stop], block_values, block_index + start)
        if stop < n:
            below = d2[:, stop - start :]
            column_values, column_index = torch.topk(below, min(count, below.shape[0]), dim=0, largest=False)
            merge_candidates(values[stop:], index[stop:], column_values.T, column_index.T + start)
    return values, index


def knn_radii(x: FeatureSet, ks: tuple[int, ...], block_bytes: int = DEFAULT_BLOCK_BYTES) -> dict[int, torch.Tensor]:
    """For each k in `ks`, the distance from every row of x to its k-th nearest other row (prdc's radii).

    Like prdc, a point's own zero distance counts as its first neighbour, so the
    radius is the (k + 1)-th smallest distance in the row. Candidates come from a
    float32 top-k with a margin (`nearest_candidates`) and only the ambiguous ones
    are measured exactly (`order_statistics`); a row whose margin could hide a
    nearer point is re-measured over every column the error bound cannot exclude.
    """
    n = len(x)
    ks = tuple(sorted(set(ks)))
    if n <= max(ks):
        raise ValueError(f"need more than {max(ks)} samples for {max(ks)}-nearest-neighbour radii, got {n}")
    candidates = min(n, max(ks) + 1 + 8)
    fast_values, index = nearest_candidates(x, candidates, block_bytes)
    everyone = slice(0, n)
    row_tol = tolerance(x, everyone, x)
    rows = torch.arange(n, device=x.raw.device)
    values, safe = order_statistics(fast_values, index, row_tol, x, rows, ks)
    unsafe = (~safe).nonzero(as_tuple=True)[0] if candidates < n else rows[:0]
    for part in torch.split(unsafe, block_rows(n, block_bytes)) if len(unsafe) else ():
        d2 = fast_squared_distances(x, part, x)
        d2[torch.arange(len(part), device=d2.device), part] = 0.0
        centre = fast_values[part, max(ks)]
        limit = centre + 2 * row_tol[part] * (1 + 1e-3) + 16 * UNIT_ROUNDOFF * centre
        values[part] = smallest_exact(d2, part, limit, x, max(ks) + 1)[:, list(ks)]
    return {k: values[:, column].clone() for column, k in enumerate(ks)}


# ----------------------------------------------------------------------------------------------------
# nearest neighbours between two sets (the memorization tests)


@dataclass(frozen=True)
class Neighbours:
    """The k nearest reference rows of each query row: distances (N, k) float32, indices (N, k) int64.

    Column 0 is the true nearest neighbour (the lowest index of equally near ones) and its distance is exact
    (as `knn.exact_distances` measures: float64 squared distance rounded to float32, correctly rounded square
    root). Columns 1 .. k-1 are the next nearest by the fast float32 product, with their fast distances:
    their squared values are within the float32 error bound (D + 4) u (|x|^2 + max |y|^2) of the exact ones
    (u = 2^-24, centred features), so near-ties there may be ordered or chosen differently from an exact
    search, which does not matter for averages over them.
    """

    distances: np.ndarray
    indices: np.ndarray


def as_features(array, name: str) -> torch.Tensor:
    """`array` as a tensor, or a ValueError naming it unless it is (N, D)."""
    tensor = torch.as_tensor(array)
    if tensor.ndim != 2:
        raise ValueError(f"{name}: expected features (N, D), got shape {tuple(tensor.shape)}")
    return tensor


def cross_nearest(
    queries, reference, k: int, device: str | torch.device = "cpu", block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Neighbours:
    """The `k` nearest rows of `reference` (M, D) for every row of `queries` (N, D), Euclidean (see
    `Neighbours` for what is exact). Memory: the features plus one float32 block of `block_bytes`."""
    q, r = as_features(queries, "queries"), as_features(reference, "reference")
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"feature dimensions differ: {q.shape[1]} and {r.shape[1]}")
    if not 1 <= k <= len(r):
        raise ValueError(f"need 1 <= k <= {len(r)} (the reference size), got k={k}")
    centre = common_centre(q, r).to(device)
    return _cross_nearest(FeatureSet.build(q, centre, device), FeatureSet.build(r, centre, device), k, block_bytes)


def _cross_nearest(q: FeatureSet, r: FeatureSet, k: int, block_bytes: int) -> Neighbours:
    n = len(q)
    distances = torch.empty((n, k), dtype=torch.float32, device=q.raw.device)
    indices = torch.empty((n, k), dtype=torch.int64, device=q.raw.device)
    for rows in cross_blocks(q, r, block_bytes):
        d2 = fast_squared_distances(q, rows, r)
        distances[rows], indices[rows] = nearest_in_block(d2, q, rows, r, k)
    return Neighbours(distances.cpu().numpy(), indices.cpu().numpy())


def cross_blocks(q: FeatureSet, r: FeatureSet, block_bytes: int) -> list[slice]:
    """The row blocks of q whose distances to all of r fill one block of `block_bytes` (the same blocks for
    every pass over q and r, so each pass sees the same fast values)."""
    rows_per_block = block_rows(len(r), block_bytes)
    return [slice(start, min(len(q), start + rows_per_block)) for start in range(0, len(q), rows_per_block)]


def nearest_in_block(
    d2: torch.Tensor, q: FeatureSet, rows: slice, r: FeatureSet, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """(distances, indices) (B, k) of the k nearest rows of r for rows `rows` of q, from their fast squared
    distances `d2` (B, len(r)), which are left unchanged; column 0 exact (see `Neighbours`), the lowest index
    among equally near rows."""
    m, device = len(r), d2.device
    candidates = min(m, k + CANDIDATE_MARGIN)
    positions = torch.arange(candidates, device=device)
    global_rows = torch.arange(rows.start, rows.stop, device=device)
    fast_values, index = torch.topk(d2, candidates, dim=1, largest=False, sorted=True)
    # True squared distances lie within T = row_tol of the fast ones, so only candidates within 2T of the
    # fast nearest can be the true nearest: measure those exactly (usually just the first one).
    row_tol = tolerance(q, rows, r) * (1 + 1e-3)
    band = fast_values[:, 0] + 2 * row_tol + 16 * UNIT_ROUNDOFF * fast_values[:, 0]
    inside = fast_values <= band[:, None]
    i, j = inside.nonzero(as_tuple=True)
    exact = torch.full(fast_values.shape, float("inf"), device=device)
    exact[i, j] = exact_distances(q.raw, global_rows[i], r.raw, index[i, j][:, None])[:, 0]
    nearest = exact.min(dim=1).values
    # of equally near rows the lowest index, whatever order the top-k returned them in (so the choice does
    # not depend on k or on the blocks; every row at the exact minimum is a candidate, or the row is unsafe)
    best = torch.where(exact == nearest[:, None], index, m).min(dim=1).values
    # a row whose band reaches its last candidate may have its true nearest among the other columns
    unsafe = inside[:, -1].nonzero(as_tuple=True)[0] if candidates < m else positions[:0]
    if len(unsafe):
        values, columns = _smallest_exact_cross(d2[unsafe], band[unsafe], q, r, global_rows[unsafe], 1)
        nearest[unsafe], best[unsafe] = values[:, 0], columns[:, 0]
    # the nearest first, then the other candidates in fast order
    is_best = index == best[:, None]
    order = torch.where(is_best, -1, positions).argsort(dim=1, stable=True)
    index, fast_values = index.gather(1, order), fast_values.gather(1, order)
    found = is_best.any(dim=1, keepdim=True)
    index = torch.where(found, index[:, :k], torch.cat([best[:, None], index[:, : k - 1]], dim=1))
    rest = fast_values.sqrt()
    rest = torch.where(found, rest[:, :k], torch.cat([rest[:, :1], rest[:, : k - 1]], dim=1))
    rest[:, 0] = nearest
    return rest, index


def _smallest_exact_cross(
    d2: torch.Tensor, limit: torch.Tensor, q: FeatureSet, r: FeatureSet, global_rows: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The k smallest exact distances (and their columns) per row among the columns with fast d2 <= limit."""
    i, j = (d2 <= limit[:, None]).nonzero(as_tuple=True)
    exact = exact_distances(q.raw, global_rows[i], r.raw, j[:, None])[:, 0]
    counts = torch.bincount(i, minlength=len(d2))
    width = max(int(counts.max()), k)
    values = torch.full((len(d2), width), float("inf"), device=d2.device)
    columns = torch.zeros((len(d2), width), dtype=torch.int64, device=d2.device)
    position = torch.arange(len(i), device=d2.device) - (torch.cumsum(counts, 0) - counts)[i]
    values[i, position], columns[i, position] = exact, j
    values, order = values.sort(dim=1, stable=True)
    return values[:, :k], columns.gather(1, order[:, :k])
