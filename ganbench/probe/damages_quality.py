"""Damages that keep every sample but degrade or narrow it: blur and pixel noise for images, spread for points,
and truncation (only the most typical samples kept) for both."""

from __future__ import annotations

import numpy as np

from ganbench.probe.damage import DamageInputs, draw, plain_draw, register_damage


def to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.round(values), 0, 255).astype(np.uint8)


@register_damage(
    "blur",
    "Gaussian blur of every image (std in pixels)",
    (0.0, 0.5, 1.0, 1.5, 2.0),
    "blur std (pixels)",
    ("image",),
)
def blur(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A plain draw with each channel blurred by a Gaussian of std `strength` pixels (edges reflected)."""
    from scipy.ndimage import gaussian_filter

    samples = plain_draw(inputs, rng)
    if strength == 0:
        return samples
    return to_uint8(gaussian_filter(samples.astype(np.float64), sigma=(0, 0, strength, strength), mode="reflect"))


@register_damage(
    "noise",
    "Gaussian noise added to every pixel (std in uint8 levels), rounded and clipped",
    (0.0, 8.0, 16.0, 32.0, 64.0),
    "noise std (levels of 255)",
    ("image",),
)
def pixel_noise(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A plain draw plus independent Gaussian pixel noise of std `strength`."""
    samples = plain_draw(inputs, rng)
    return to_uint8(samples + rng.normal(0.0, strength, samples.shape)) if strength else samples


def nearest_modes(points: np.ndarray, modes: np.ndarray) -> np.ndarray:
    """The centre of the nearest mode of each point."""
    return modes[np.linalg.norm(points[:, None] - modes[None], axis=-1).argmin(axis=1)]


@register_damage(
    "spread",
    "every point moved away from its nearest mode centre: its offset scaled by (1 + strength)",
    (0.0, 0.5, 1.0, 2.0, 4.0),
    "extra spread (x offset)",
    ("points",),
)
def spread(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A plain draw of points with each offset from its nearest mode scaled by 1 + `strength`."""
    points = plain_draw(inputs, rng)
    centres = nearest_modes(points, inputs.modes)
    return (centres + (points - centres) * (1.0 + strength)).astype(points.dtype)


@register_damage(
    "truncation",
    "only the most typical samples kept: drawn from the fraction (1 - strength) of the held-out split nearest the "
    "reference mean in feature space (images), or nearest their mode centre (points: the mixture's truncation)",
    (0.0, 0.25, 0.5, 0.75),
    "fraction of least typical samples excluded",
    ("image", "points"),
)
def truncation(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """`n` samples drawn from the ceil((1 - strength) * N) pool samples of smallest `typicality`."""
    keep = max(int(np.ceil((1.0 - strength) * len(inputs.pool))), 1)
    candidates = np.argsort(inputs.typicality, kind="stable")[:keep]
    return inputs.pool[draw(np.sort(candidates), inputs.n, rng)]
