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
        {  # (mean, s.e.) of modes (of 8), high-quality samples (%), reverse KL
            "GAN": ((6.3, 0.5), (98.2, 0.2), (0.45, 0.09)),
            "ALI": ((6.6, 0.3), (97.6, 0.4), (0.36, 0.04)),
            "Minibatch Discrimination": ((4.3, 0.8), (36.6, 8.8), (1.93, 0.11)),
            "PacGAN2": ((7.9, 0.1), (95.6, 2.0), (0.07, 0.03)),
            "PacGAN3": ((7.8, 0.1), (97.7, 0.3), (0.10, 0.02)),
            "PacGAN4": ((7.8, 0.1), (95.9, 1.4), (0.07, 0.02)),
        },
        "Data at PacGAN's own scale (ring8_r1: radius 1, std 0.01, 100,000 training points); ganbench's ring8 is "
        "this ring x 2 with the same spacing/std ratio.",
    ),
)
