"""Equal-sized generated and reference sets, for the metrics whose authors require them (PRD's clustering, the
1-NN two-sample test): the larger side is subsampled, seeded, to the size of the smaller."""

from __future__ import annotations

import numpy as np


def balanced(gen: np.ndarray, ref: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`gen` and `ref` cut to min(len(gen), len(ref)) rows each: the larger one by rows drawn without replacement
    from a numpy generator seeded with `seed` (kept in their original order), the smaller one whole."""
    n = min(len(gen), len(ref))
    rng = np.random.default_rng(seed)

    def cut(rows: np.ndarray) -> np.ndarray:
        return rows if len(rows) == n else rows[np.sort(rng.choice(len(rows), n, replace=False))]

    return cut(np.asarray(gen)), cut(np.asarray(ref))
