"""Mode dropping, by class or mode label: sequential (whole classes removed one after another) and simultaneous
(every class but one thinned at once), the two scenarios of Naeem et al. 2020 (Sec. 4)."""

from __future__ import annotations

import numpy as np

from ganbench.probe.damage import DamageInputs, draw, register_damage


def kept_classes(inputs: DamageInputs, removed: int) -> np.ndarray:
    """The class labels left when the first `removed` classes of `inputs.class_order` are dropped."""
    return np.asarray(inputs.class_order)[removed:]


@register_damage(
    "drop_sequential",
    "whole classes removed one after another (the fraction of classes removed; samples drawn from the rest)",
    (0.0, 0.2, 0.4, 0.6, 0.8),
    "fraction of classes removed",
    ("image", "points"),
    needs_labels=True,
)
def drop_sequential(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """`n` pool samples whose labels are all among the classes left after removing round(strength * C) classes
    in `class_order` order (nested: a stronger damage removes the same classes and more)."""
    classes = len(inputs.class_order)
    removed = min(int(round(strength * classes)), classes - 1)
    candidates = np.flatnonzero(np.isin(inputs.labels, kept_classes(inputs, removed)))
    return inputs.pool[draw(candidates, inputs.n, rng)]


@register_damage(
    "thin_simultaneous",
    "every class but one thinned at once: each other class keeps a share (1 - strength) of its weight",
    (0.0, 0.25, 0.5, 0.75, 0.9),
    "weight removed from all classes but one",
    ("image", "points"),
    needs_labels=True,
)
def thin_simultaneous(inputs: DamageInputs, strength: float, rng: np.random.Generator) -> np.ndarray:
    """`n` pool samples with class c drawn in proportion to its pool share times (1 - strength), except the last
    class of `class_order`, which keeps its full weight (counts rounded by largest remainder)."""
    order = np.asarray(inputs.class_order)
    shares = np.array([np.mean(inputs.labels == c) for c in order])
    weights = shares * np.where(order == order[-1], 1.0, 1.0 - strength)
    counts = largest_remainder(weights / weights.sum(), inputs.n)
    parts = [draw(np.flatnonzero(inputs.labels == c), count, rng) for c, count in zip(order, counts, strict=True) if count]
    indices = np.concatenate(parts)
    return inputs.pool[indices[rng.permutation(len(indices))]]


def largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to `total` in proportion to `shares` (largest-remainder rounding)."""
    exact = shares * total
    counts = np.floor(exact).astype(int)
    short = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts
