"""The probe's measurements: the undamaged floor and every damage at every strength, each `repeats` times with its
own draw, scored by every metric of the target. Deterministic given the seed: draw r of damage d at strength i uses
numpy's generator seeded by (seed, r, d, i), with d a fixed number per damage name."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.probe.damage import DAMAGES, Damage, DamageInputs, plain_draw
from ganbench.probe.damages_foreign import photo_patches
from ganbench.probe.scorer import ProbeTarget

#: The name of the undamaged rows (strength 0 of every damage).
FLOOR = "floor"
#: The fewest repeats that give the floor a spread and the strongest step a p-value.
MIN_REPEATS = 3
#: Foreign images drawn once for mode invention (photo patches), enough for the largest invented fraction.
FOREIGN_IMAGES = 2_000


@dataclass(frozen=True)
class ProbePlan:
    """What to measure: `n` samples per set (None: a fifth of the held-out split, at most the protocol's sample
    count), `repeats` draws per strength, the damages by name (empty: every one that applies), the seed."""

    n: int | None = None
    repeats: int = 5
    damages: tuple[str, ...] = ()
    seed: int = 0


@dataclass
class ProbeRun:
    """The measured rows ({damage, strength, repeat, key, value}), the keys measured (with their directions), the
    damages run and skipped, and the metric keys that gave no value on real samples (with why)."""

    rows: list[dict] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    silent: list[str] = field(default_factory=list)
    damages: list[Damage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    n: int = 0
    seconds: float = 0.0


def draw_seed(seed: int, repeat: int, damage: str, index: int) -> list[int]:
    """The entropy of one draw: the damage enters by a fixed checksum of its name, so adding a damage changes no
    other damage's draws."""
    return [seed, repeat, 0 if damage == FLOOR else zlib.crc32(damage.encode()), index]


def chosen_damages(target: ProbeTarget, names: tuple[str, ...]) -> tuple[list[Damage], list[str]]:
    """The damages to run and a sentence for each one skipped (wrong kind of data, or labels missing)."""
    has_labels = target.pool.labels is not None
    run, skipped = [], []
    for name in names or DAMAGES.names():
        damage = DAMAGES.get(name)
        reason = damage.skip_reason(target.kind, has_labels)
        if reason is None:
            run.append(damage)
        elif names:
            raise GanbenchError(f"{reason}; leave it out of --damages")
        else:
            skipped.append(reason)
    return run, skipped


def default_n(target: ProbeTarget) -> int:
    return max(2, min(len(target.pool) // 5, target.spec.info.protocol.n_generated))


def damage_inputs(target: ProbeTarget, n: int, seed: int, repeat: int) -> DamageInputs:
    """The inputs of every damage in repeat `repeat`: the class order is drawn per repeat."""
    labels = target.pool.labels
    order_rng = np.random.default_rng([seed, repeat, 1])
    class_order = None if labels is None else order_rng.permutation(np.unique(labels))
    foreign = None
    if target.kind == "image":
        _, channels, resolution, _ = target.pool.data.shape
        foreign = photo_patches(FOREIGN_IMAGES, channels, resolution, np.random.default_rng([seed, repeat, 2]))
    info = target.spec.info
    return DamageInputs(
        pool=target.pool.data, labels=labels, train=target.reference, n=n, kind=target.kind, class_order=class_order,
        modes=info.modes, mode_std=info.mode_std, typicality=target.typicality, foreign=foreign,
    )


def run_probe(target: ProbeTarget, plan: ProbePlan, progress: Callable[[str], None] = lambda line: None) -> ProbeRun:
    """Score the floor and every chosen damage at every strength `plan.repeats` times."""
    if plan.repeats < MIN_REPEATS:
        raise GanbenchError(f"--repeats {plan.repeats} is too few: the floor's spread needs at least {MIN_REPEATS} draws")
    n = plan.n or default_n(target)
    if n > len(target.pool):
        raise GanbenchError(
            f"--n {n} is more than the {len(target.pool)} held-out samples of {target.spec.info.name}; pass at most that"
        )
    damages, skipped = chosen_damages(target, plan.damages)
    if not damages:
        raise GanbenchError(f"no damage applies to {target.spec.info.name}: " + "; ".join(skipped))
    run = ProbeRun(damages=damages, skipped=skipped, n=n)
    start = time.perf_counter()
    for repeat in range(plan.repeats):
        inputs = damage_inputs(target, n, plan.seed, repeat)
        sets = [(FLOOR, 0.0, plain_draw(inputs, np.random.default_rng(draw_seed(plan.seed, repeat, FLOOR, 0))))]
        for damage in damages:
            for index, strength in enumerate(damage.strengths[1:], start=1):
                rng = np.random.default_rng(draw_seed(plan.seed, repeat, damage.name, index))
                sets.append((damage.name, strength, damage.apply(inputs, strength, rng)))
        for name, strength, samples in sets:
            values = target.score(samples)
            if not run.keys:  # a metric may give nothing on real samples (code_recovery needs a generator's codes)
                run.keys = {key: d for key, d in target.directions.items() if key in values}
                run.silent = [f"{key}: gave no value on real samples" for key in target.directions if key not in values]
            run.rows += [
                {"damage": name, "strength": strength, "repeat": repeat, "key": key, "value": float(values[key])}
                for key in run.keys
            ]
        progress(f"repeat {repeat + 1}/{plan.repeats} done ({time.perf_counter() - start:.0f} s)")
    run.seconds = time.perf_counter() - start
    return run
