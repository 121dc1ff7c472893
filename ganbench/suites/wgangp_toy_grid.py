"""`wgangp-toy-grid`: Gulrajani et al.'s 25gaussians toy run (gan_toy.py), no published table."""

from __future__ import annotations

from ganbench.suites.base import SUITES
from ganbench.suites.wgangp_common import wgangp_toy_suite

SUITES.add(
    "wgangp-toy-grid",
    wgangp_toy_suite(
        "wgangp-toy-grid",
        "grid25",
        "25 Gaussians",
        "grid25 / 2.828 (the networks standardise by the data's std, 2.82915) is gan_toy.py's 25gaussians set: "
        "centres -4..4 step 2 and std 0.05, divided by 2.828.",
    ),
)
