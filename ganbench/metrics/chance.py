"""Chance-level point sets for data with known modes: what a generator that learned nothing about the modes draws.

A comparison scores these with the suite's own metric settings and sample count, so a number that a mode-blind
generator also reaches is shown as chance rather than agreement. Two kinds, both pure functions of the modes:

- uniform: points uniform over the data's bounding box (the box of the real points, not of the centres);
- smeared: the modes' positions kept, their individual shape lost. A ring (every centre at one distance from the
  centroid) is smeared by drawing a uniform angle and a radius uniform in r +- SMEAR_STDS mode stds, so the ring
  is learned and its modes are not; any other layout (a grid) by multiplying each mode's std by SMEAR_STDS.

SMEAR_STDS = 10: on PacGAN's ring (radius 1, std 0.01) that is the radius 1 +- 0.1 of issue 24's probe; on the
grid (spacing 2, std 0.05) a std of 0.5, a quarter of the spacing, so the 25 blobs stay apart but a sample lands
within 3 stds of its mode with probability 1 - exp(-9 / 200) = 4.4% (against 98.9% for real data).
"""

from __future__ import annotations

import numpy as np

SMEAR_STDS = 10.0
#: Centres whose distances from their centroid agree to this relative tolerance lie on a ring.
RING_RTOL = 1e-5


def bounding_box(points) -> tuple[np.ndarray, np.ndarray]:
    """The per-coordinate (min, max) of `points` (N, D), float64."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or len(points) == 0:
        raise ValueError(f"expected points (N, D) with N >= 1, got shape {points.shape}")
    return points.min(axis=0), points.max(axis=0)


def uniform_in_box(low, high, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points uniform over the box [low, high] (per coordinate), float64 (n, D)."""
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    return low + (high - low) * rng.random((n, len(low)))


def ring_radius(modes) -> float | None:
    """The common distance of 2-D `modes` (M, 2) from their centroid when there are 3 or more and they all lie on
    one circle; None otherwise (a grid)."""
    modes = np.asarray(modes, dtype=np.float64)
    if modes.ndim != 2 or modes.shape[1] != 2 or len(modes) < 3:
        return None
    distances = np.linalg.norm(modes - modes.mean(axis=0), axis=1)
    radius = float(distances.mean())
    return radius if radius > 0 and np.allclose(distances, radius, rtol=RING_RTOL, atol=0.0) else None


def smeared_modes(modes, mode_std: float, n: int, rng: np.random.Generator, stds: float = SMEAR_STDS) -> np.ndarray:
    """`n` points, float64 (n, D), with the modes smeared by `stds` mode stds (see the module docstring): a ring's
    radius jittered uniformly by +- stds * mode_std under a uniform angle, else each mode (an equal share of the
    points, up to rounding) a Gaussian of std stds * mode_std."""
    modes = np.asarray(modes, dtype=np.float64)
    radius = ring_radius(modes)
    if radius is not None:
        angle = rng.uniform(0.0, 2.0 * np.pi, n)
        r = radius + stds * mode_std * rng.uniform(-1.0, 1.0, n)
        return modes.mean(axis=0) + np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    labels = rng.permutation(np.arange(n) % len(modes))
    return modes[labels] + stds * mode_std * rng.standard_normal((n, modes.shape[1]))


def smear_description(modes, mode_std: float, stds: float = SMEAR_STDS) -> str:
    """The smeared set in words, with its numbers ('ring radius 1 +- 0.1, uniform angle' / 'each mode's std
    0.05 x 10')."""
    radius = ring_radius(modes)
    if radius is not None:
        return f"modes smeared: ring radius {radius:g} +- {stds * mode_std:g} (uniform), uniform angle"
    return f"modes smeared: each mode's std {mode_std:g} x {stds:g}"
