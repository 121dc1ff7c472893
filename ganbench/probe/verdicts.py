"""From the probe's rows to one cell per (metric key, damage): the response against the floor's spread, whether
it is monotonic, the p-value of the strongest step, and a verdict.

The response at a strength is the effect size (mean damaged value - mean floor value) / (the floor's standard
deviation across repeats; for a floor with no spread, the spread of the damaged values at that strength), signed
so that positive means *worse* in the metric's own direction. The strongest
step is the strength with the largest |effect|; its p-value is Welch's t-test of its repeats against the floor's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ganbench.probe.sweep import FLOOR

#: |effect| (floor standard deviations) at and beyond which a response is strong enough to "detect"
DETECTS_EFFECT = 3.0
#: |effect| below which a response is not seen at all, whatever its p-value
SEEN_EFFECT = 2.0
#: significance level of the strongest step
ALPHA = 0.05
#: effects are capped here (a floor with no spread at all, such as classes covered, makes any change infinite)
EFFECT_CAP = 999.0
VERDICTS = ("detects", "weak", "blind", "wrong direction")


@dataclass(frozen=True)
class Cell:
    """The response of one metric key to one damage (see the module docstring); `effects` per strength of
    `strengths` (the floor's, 0, first), `means` the mean value at each."""

    key: str
    damage: str
    direction: str
    strengths: tuple[float, ...]
    means: tuple[float, ...]
    effects: tuple[float, ...]
    floor_sd: float
    strongest: float
    effect: float
    p: float
    monotonic: bool
    verdict: str

    def to_json(self) -> dict:
        return asdict(self)


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch t-test p-value; 0 when both groups are constant and differ, 1 when they are equal."""
    import warnings

    from scipy.stats import ttest_ind

    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return 1.0 if a[0] == b[0] else 0.0
    with warnings.catch_warnings():  # scipy warns when values are nearly identical; the p-value is still right
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(ttest_ind(a, b, equal_var=False).pvalue)


def effect_size(diff: float, sd: float) -> float:
    """diff / sd capped at +-EFFECT_CAP (0 when there is no difference at all)."""
    if diff == 0:
        return 0.0
    if sd == 0:
        return math.copysign(EFFECT_CAP, diff)
    return float(np.clip(diff / sd, -EFFECT_CAP, EFFECT_CAP))


def is_monotonic(effects: list[float], sign: float) -> bool:
    """No step of the curve goes back against `sign` by more than one floor standard deviation."""
    return all((after - before) * sign >= -1.0 for before, after in zip(effects, effects[1:], strict=False))


def verdict_of(effect: float, p: float, monotonic: bool) -> str:
    """`blind` when the strongest step stays within SEEN_EFFECT floor sds (or goes the wrong way without being
    significant); `wrong direction` when it makes the metric look significantly (ALPHA) better; `detects` when it
    is worse by DETECTS_EFFECT or more, significantly, along a monotonic curve; otherwise `weak` (worse beyond the
    floor's spread, but small, inconsistent across draws, or not monotonic)."""
    significant = p < ALPHA
    if abs(effect) < SEEN_EFFECT or (effect < 0 and not significant):
        return "blind"
    if effect < 0:
        return "wrong direction"
    return "detects" if effect >= DETECTS_EFFECT and significant and monotonic else "weak"


def cell_of(values: dict[float, np.ndarray], floor: np.ndarray, key: str, damage: str, direction: str) -> Cell:
    """The cell of one key and damage from its values by strength (repeats in order) and the floor's values."""
    worse = 1.0 if direction == "lower" else -1.0
    sd = float(np.std(floor, ddof=1))
    strengths = [0.0, *sorted(values)]
    means = [float(floor.mean())] + [float(values[s].mean()) for s in strengths[1:]]
    # a floor with no spread at all (classes covered is 10 in every draw) measures a step by its own spread
    spreads = [sd] + [sd or float(np.std(values[s], ddof=1)) for s in strengths[1:]]
    effects = [effect_size(worse * (mean - means[0]), spread) for mean, spread in zip(means, spreads, strict=True)]
    strongest = max(range(1, len(strengths)), key=lambda i: abs(effects[i]))
    p = welch_p(floor, values[strengths[strongest]])
    effect = effects[strongest]
    monotonic = is_monotonic(effects, 1.0 if effect >= 0 else -1.0)
    return Cell(
        key, damage, direction, tuple(strengths), tuple(means), tuple(effects), sd, strengths[strongest], effect, p,
        monotonic, verdict_of(effect, p, monotonic),
    )


def cells_of(rows: list[dict], directions: dict[str, str]) -> list[Cell]:
    """One cell per (key, damage), keys in `directions` order, damages in the order they first appear."""
    by = {}
    for row in rows:
        by.setdefault((row["key"], row["damage"]), {}).setdefault(row["strength"], []).append((row["repeat"], row["value"]))

    def values(key: str, damage: str) -> dict[float, np.ndarray]:
        return {s: np.array([v for _, v in sorted(pairs)]) for s, pairs in by[(key, damage)].items()}

    damages = list(dict.fromkeys(row["damage"] for row in rows if row["damage"] != FLOOR))
    cells = []
    for key, direction in directions.items():
        floor = values(key, FLOOR)[0.0]
        cells += [cell_of(values(key, damage), floor, key, damage, direction) for damage in damages]
    return cells
