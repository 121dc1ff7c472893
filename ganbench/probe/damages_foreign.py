"""Damages that replace a fraction of the samples with samples from elsewhere: invented modes (another source's
images, or points between the modes), outliers (noise), and memorization (training samples, exact or jittered)."""

from __future__ import annotations

import numpy as np

from ganbench.probe.damage import DamageInputs, register_damage, replace_fraction

#: std of the pixel noise on a "lightly jittered" memorized image, in uint8 levels
JITTER_PIXEL_STD = 8.0
#: std of the jitter on a memorized point, as a fraction of the mode std
JITTER_POINT_SHARE = 0.25
#: how far past the data's bounding box uniform point outliers reach, as a fraction of its size
OUTLIER_MARGIN = 0.25


def invented_centres(modes: np.ndarray) -> np.ndarray:
    """Centres off the modes: the midpoints of every pair of neighbouring modes (a pair at the smallest distance
    between any two modes: the 40 edges of a 5 x 5 grid, the 8 sides of a ring)."""
    distances = np.linalg.norm(modes[:, None] - modes[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    first, second = np.nonzero(np.triu(distances <= distances.min() * (1 + 1e-6)))
    return (modes[first] + modes[second]) / 2


def photo_patches(count: int, channels: int, resolution: int, rng: np.random.Generator) -> np.ndarray:
    """`count` uint8 (C, H, W) patches of scikit-learn's two bundled photographs (a temple, a flower): random square
    crops of 64 to 256 pixels, resized to `resolution`, gray when `channels` is 1. Another source's images, offline."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    patches = np.empty((count, channels, resolution, resolution), np.uint8)
    for i in range(count):
        photo = photos[rng.integers(len(photos))]
        side = int(rng.integers(64, 257))
        top, left = rng.integers(photo.shape[0] - side + 1), rng.integers(photo.shape[1] - side + 1)
        crop = Image.fromarray(photo[top : top + side, left : left + side])
        crop = crop.convert("L" if channels == 1 else "RGB").resize((resolution, resolution), Image.BILINEAR)
        pixels = np.asarray(crop, np.uint8)
        patches[i] = pixels[None] if channels == 1 else np.moveaxis(pixels, -1, 0)[:channels]
    return patches


@register_damage(
    "invent_modes",
    "a fraction replaced by samples from outside the data: another source's images (photo patches), or points "
    "around centres between the modes",
    (0.0, 0.1, 0.2, 0.4, 0.6),
    "fraction replaced",
    ("image", "points"),
)
def invent_modes(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Images: a fraction replaced by `inputs.foreign` images (drawn without repeats when there are enough).
    Points: a fraction replaced by Gaussian points (the modes' std) around `invented_centres` of the modes."""

    def invented(count: int) -> np.ndarray:
        if inputs.kind == "image":
            return inputs.foreign[rng.choice(len(inputs.foreign), count, replace=count > len(inputs.foreign))]
        centres = invented_centres(inputs.modes)
        picked = centres[rng.integers(len(centres), size=count)]
        return (picked + rng.normal(0.0, inputs.mode_std, picked.shape)).astype(inputs.pool.dtype)

    return replace_fraction(inputs, strength, rng, invented)


@register_damage(
    "outliers",
    "a fraction replaced by noise: uniform random pixels, or points uniform over the data's bounding box "
    f"widened by {OUTLIER_MARGIN:.0%} each side",
    (0.0, 0.05, 0.1, 0.2, 0.4),
    "fraction replaced",
    ("image", "points"),
)
def outliers(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A fraction replaced by noise samples of the pool's shape and dtype."""

    def noise(count: int) -> np.ndarray:
        shape = (count, *inputs.pool.shape[1:])
        if inputs.kind == "image":
            return rng.integers(0, 256, shape, dtype=np.uint8)
        low, high = inputs.pool.min(axis=0), inputs.pool.max(axis=0)
        margin = OUTLIER_MARGIN * (high - low)
        return rng.uniform(low - margin, high + margin, shape).astype(inputs.pool.dtype)

    return replace_fraction(inputs, strength, rng, noise)


def training_copies(inputs: DamageInputs, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` training samples, without repeats when the training split is large enough."""
    return inputs.train[rng.choice(len(inputs.train), count, replace=count > len(inputs.train))]


@register_damage(
    "memorize",
    "a fraction replaced by exact copies of training (reference-split) samples",
    (0.0, 0.25, 0.5, 0.75, 1.0),
    "fraction replaced",
    ("image", "points"),
)
def memorize(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A fraction replaced by exact training samples."""
    return replace_fraction(inputs, strength, rng, lambda count: training_copies(inputs, count, rng))


@register_damage(
    "memorize_jittered",
    f"a fraction replaced by lightly jittered training samples (pixel noise std {JITTER_PIXEL_STD:g} levels, or "
    f"{JITTER_POINT_SHARE:g} mode stds for points)",
    (0.0, 0.25, 0.5, 0.75, 1.0),
    "fraction replaced",
    ("image", "points"),
)
def memorize_jittered(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A fraction replaced by training samples plus small Gaussian noise (images rounded and clipped to uint8)."""

    def jittered(count: int) -> np.ndarray:
        copies = training_copies(inputs, count, rng)
        if inputs.kind == "image":
            noisy = copies.astype(np.float64) + rng.normal(0.0, JITTER_PIXEL_STD, copies.shape)
            return np.clip(np.round(noisy), 0, 255).astype(np.uint8)
        return (copies + rng.normal(0.0, JITTER_POINT_SHARE * inputs.mode_std, copies.shape)).astype(copies.dtype)

    return replace_fraction(inputs, strength, rng, jittered)
