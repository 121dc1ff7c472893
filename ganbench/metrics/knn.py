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

import torch

from ganbench.precision import strict_float32

UNIT_ROUNDOFF = 2.0**-24
EXACT_CHUNK = 1024
DEFAULT_BLOCK_BYTES = 128 * 2**20


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
        centred = raw if centre is None else (raw.double() - centre).float()
        return cls(raw, centred, centred.double().square().sum(1).float())

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

