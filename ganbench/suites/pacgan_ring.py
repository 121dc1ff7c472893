"""`pacgan-ring`: PacGAN Table 1, 2D-ring (Lin et al. 2018), at PacGAN's own scale."""

from __future__ import annotations

from ganbench.suites.base import SUITES
from ganbench.suites.points_common import pacgan_suite

SUITES.add(
    "pacgan-ring",
    pacgan_suite(
        "pacgan-ring",
        "PacGAN Table 1, 2D-ring: 8 Gaussians (radius 1, std 0.01), 2,500 samples, 10 trials",
        "ring8_r1",
        "2DRing",
        "pacgan-t1-ring",
        "Data at PacGAN's own scale (ring8_r1: radius 1, std 0.01, 100,000 training points); ganbench's ring8 is "
        "this ring x 2 with the same spacing/std ratio.",
    ),
)
