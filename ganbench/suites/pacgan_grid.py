"""`pacgan-grid`: PacGAN Table 1, 2D-grid (Lin et al. 2018)."""

from __future__ import annotations

from ganbench.suites.base import SUITES
from ganbench.suites.points_common import pacgan_suite

SUITES.add(
    "pacgan-grid",
    pacgan_suite(
        "pacgan-grid",
        "PacGAN Table 1, 2D-grid: 25 Gaussians (centres -4..4 step 2, std 0.05), 2,500 samples, 10 trials",
        "grid25",
        "2DGrid",
        "pacgan-t1-grid",
        "grid25 is PacGAN's grid exactly (centres -4..4 step 2, std 0.05); it holds 50,000 training points where "
        "PacGAN draws 100,000.",
    ),
)
