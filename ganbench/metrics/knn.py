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


def fast_squared_distances(x: FeatureSet, rows: slice, y: FeatureSet) -> torch.Tensor:
    """||x_i - y_j||^2 for the rows `rows` of x against all of y, from one float32 product."""
    with strict_float32():
        d2 = torch.addmm(x.centred_sq[rows, None] + y.centred_sq[None, :], x.centred[rows], y.centred.T, alpha=-2.0)
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


def knn_radii(x: FeatureSet, ks: tuple[int, ...], block_bytes: int = DEFAULT_BLOCK_BYTES) -> dict[int, torch.Tensor]:
    """For each k in `ks`, the distance from every row of x to its k-th nearest other row (prdc's radii).

    Like prdc, a point's own zero distance counts as its first neighbour, so the
    radius is the (k + 1)-th smallest distance in the row. Candidates come from a
    float32 top-k with a margin and only the ambiguous ones are measured exactly
    (see `order_statistics`); a row whose margin could hide a nearer point is
    re-measured over every column the error bound cannot exclude.
    """
    n = len(x)
    ks = tuple(sorted(set(ks)))
    if n <= max(ks):
        raise ValueError(f"need more than {max(ks)} samples for {max(ks)}-nearest-neighbour radii, got {n}")
    candidates = min(n, max(ks) + 1 + 8)
    radii = torch.empty((n, len(ks)), dtype=torch.float32, device=x.raw.device)
    rows_per_block = block_rows(n, block_bytes)
    for start in range(0, n, rows_per_block):
        rows = slice(start, min(n, start + rows_per_block))
        d2 = fast_squared_distances(x, rows, x)
        local = torch.arange(d2.shape[0], device=d2.device)
        d2[local, local + start] = 0.0
        fast_values, index = torch.topk(d2, candidates, dim=1, largest=False, sorted=True)
        row_tol = tolerance(x, rows, x)
        values, safe = order_statistics(fast_values, index, row_tol, x, local + start, ks)
        unsafe = (~safe).nonzero(as_tuple=True)[0] if candidates < n else unsafe_none(d2)
        if len(unsafe):
            limit = fast_values[unsafe, max(ks)] + 2 * row_tol[unsafe] * (1 + 1e-3) + 16 * UNIT_ROUNDOFF * fast_values[unsafe, max(ks)]
            full = smallest_exact(d2[unsafe], unsafe + start, limit, x, max(ks) + 1)
            values[unsafe] = full[:, list(ks)]
        radii[rows] = values
    return {k: radii[:, column].clone() for column, k in enumerate(ks)}


def unsafe_none(d2: torch.Tensor) -> torch.Tensor:
    """No unsafe rows: every column was a candidate."""
    return torch.empty(0, dtype=torch.int64, device=d2.device)
