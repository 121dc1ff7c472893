"""`veegan-grid`: VEEGAN Table 1, 2D Grid (Srivastava et al. 2017)."""

from __future__ import annotations

from ganbench.suites.base import SUITES
from ganbench.suites.veegan_table1 import table1_suite

SUITES.add(
    "veegan-grid",
    table1_suite(
        "veegan-grid",
        "VEEGAN Table 1, 2D Grid: 25 Gaussians (centres -4..4 step 2, std 0.05), 2,500 samples, 5 runs",
        "grid25",
        "veegan-t1-grid",
        "Data: grid25 is the notebook's grid exactly (centres itertools.product(range(-4, 5, 2)), std 0.05; a "
        "high-quality sample lies within 0.15 of a centre, the notebook's threshold).",
    ),
)
