"""What a damage is: a pure function from held-out real samples (and what else it reads) to a damaged set of
the same size, with a strength sweep whose first strength (0) leaves the samples undamaged (the real floor).

Every damage draws from the `rng` it is given and reads only its `DamageInputs`, so the same inputs and seed give
the same samples. The damages register themselves from ganbench.probe.damages_* (one family of failures each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ganbench.registry import Registry


@dataclass(frozen=True)
class DamageInputs:
    """What damages read, all fixed before the sweep.

    `pool`: the held-out split (uint8 NCHW images or float (N, D) points) damaged samples are drawn from, with its
    `labels` (None when the dataset has none); `train`: the reference split (memorization copies from it); `n`:
    samples per damaged set; `kind`: "image" or "points"; `modes` / `mode_std`: known mode centres of a point set;
    `typicality`: each pool sample's distance to the reference feature mean (images; truncation keeps the closest);
    `foreign`: samples from outside the data (images of another source) for mode invention; `class_order`: the
    order in which classes are dropped (a permutation of the label values, drawn per repeat).
    """

    pool: np.ndarray
    labels: np.ndarray | None
    train: np.ndarray
    n: int
    kind: str
    class_order: np.ndarray | None = None
    modes: np.ndarray | None = None
    mode_std: float | None = None
    typicality: np.ndarray | None = None
    foreign: np.ndarray | None = None


@dataclass(frozen=True)
class Damage:
    """A registered damage: `apply(inputs, strength, rng)` returns `inputs.n` damaged samples.

    `strengths` is the sweep (first 0: the undamaged floor); `unit` says what a strength counts; `kinds` the sample
    kinds it applies to; `needs_labels`: it uses class or mode labels and is skipped (with a sentence) without.
    """

    name: str
    description: str
    strengths: tuple[float, ...]
    unit: str
    kinds: tuple[str, ...]
    apply: Callable[[DamageInputs, float, np.random.Generator], np.ndarray]
    needs_labels: bool = False

    def skip_reason(self, inputs_kind: str, has_labels: bool) -> str | None:
        """Why this damage cannot run on a dataset of this kind (None when it can)."""
        if inputs_kind not in self.kinds:
            return f"{self.name} applies to {' and '.join(self.kinds)} datasets only"
        if self.needs_labels and not has_labels:
            return f"{self.name} needs class or mode labels, which this dataset does not have"
        return None


#: name -> Damage; the built-in damages register themselves from ganbench.probe.damages.
DAMAGES: Registry[Damage] = Registry("damage", builtins="ganbench.probe.damages")


def register_damage(
    name: str, description: str, strengths: tuple[float, ...], unit: str, kinds: tuple[str, ...], needs_labels: bool = False
):
    """Decorator registering `fn(inputs, strength, rng) -> samples` as a Damage."""
    if not strengths or strengths[0] != 0:
        raise ValueError(f"damage {name!r}: the sweep must start at strength 0 (the undamaged floor)")

    def decorator(fn):
        DAMAGES.add(name, Damage(name, description, tuple(strengths), unit, tuple(kinds), fn, needs_labels))
        return fn

    return decorator


def draw(candidates: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` of the `candidates` indices: without repeats when there are enough, else all of them once and the rest
    drawn again (with repeats)."""
    if len(candidates) == 0:
        raise ValueError("no candidate samples to draw from")
    if len(candidates) >= n:
        return rng.choice(candidates, n, replace=False)
    extra = rng.choice(candidates, n - len(candidates), replace=True)
    return rng.permutation(np.concatenate([candidates, extra]))


def plain_draw(inputs: DamageInputs, rng: np.random.Generator) -> np.ndarray:
    """`inputs.n` undamaged pool samples (the floor)."""
    return inputs.pool[draw(np.arange(len(inputs.pool)), inputs.n, rng)]


def replace_fraction(
    inputs: DamageInputs, fraction: float, rng: np.random.Generator, replacement: Callable[[int], np.ndarray]
) -> np.ndarray:
    """A plain draw whose first round(fraction * n) samples are replaced by `replacement(count)` (then shuffled)."""
    samples = plain_draw(inputs, rng)
    count = int(round(fraction * inputs.n))
    if count:
        samples[:count] = replacement(count)
    return samples[rng.permutation(len(samples))]
