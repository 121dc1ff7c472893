"""`wgangp-toy-ring`: Gulrajani et al.'s 8gaussians toy run (gan_toy.py), no published table."""

from __future__ import annotations

from ganbench.suites.base import SUITES
from ganbench.suites.wgangp_common import wgangp_toy_suite

SUITES.add(
    "wgangp-toy-ring",
    wgangp_toy_suite(
        "wgangp-toy-ring",
        "ring8",
        "8 Gaussians",
        "ring8 / 1.414 (the networks standardise by the data's std, 1.41429) is gan_toy.py's 8gaussians set: "
        "radius 2 / 1.414, std 0.02 / 1.414.",
    ),
)
