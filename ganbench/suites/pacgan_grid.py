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
        {  # (mean, s.e.) of modes (of 25), high-quality samples (%), reverse KL
            "GAN": ((17.3, 0.8), (94.8, 0.7), (0.70, 0.07)),
            "ALI": ((24.1, 0.4), (95.7, 0.6), (0.14, 0.03)),
            "Minibatch Discrimination": ((23.8, 0.5), (79.9, 3.2), (0.18, 0.03)),
            "PacGAN2": ((23.8, 0.7), (91.3, 0.8), (0.13, 0.04)),
            "PacGAN3": ((24.6, 0.4), (94.2, 0.4), (0.06, 0.02)),
            "PacGAN4": ((24.8, 0.2), (93.6, 0.6), (0.04, 0.01)),
        },
        "grid25 is PacGAN's grid exactly (centres -4..4 step 2, std 0.05); it holds 50,000 training points where "
        "PacGAN draws 100,000.",
    ),
)
