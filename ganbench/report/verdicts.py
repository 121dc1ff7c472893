"""The verdict rules of a comparison, as pure functions: when a number agrees with the paper's, when it is at
chance, when the seeds are too few to say, and when a claim can be tested at all.

A number (a published row's value on one metric) reads, checked in this order:
- `too few seeds`: fewer than MIN_SEEDS seeds. With 2 seeds the 95% t-interval is mean +- 12.7 s.e. and the
  s.e. rests on one degree of freedom, so almost any paper value falls inside it (issue 25: 2 seeds, modes 2.00
  with CI [-10.71, 14.71] "agreed" with the paper's 6.3); with 3 the factor is 4.30 and the spread has 2 degrees
  of freedom, the least on which Welch's test across seeds means anything.
- `at chance`: ours is not better than the best chance baseline (the one with the most favourable mean on that
  metric) by a two-sided Welch test across seeds against the baseline's draws at ALPHA: the number is one that a
  mode-blind generator also reaches, whatever the paper printed.
- `inconclusive`: our 95% interval is wider than the range the metric can take (modes 0..M, KL 0..log M): it
  excludes nothing, so it cannot agree with anything.
- `higher` / `lower`: the intervals do not overlap, or Welch's test of ours against the paper's summary gives
  p < ALPHA (ours against the paper's mean).
- `agrees`: none of the above: the intervals overlap and p >= ALPHA (or the paper printed no uncertainty).
A model the suite runs without a published row (the WGAN-GP toy suites have none) reads `above chance` where the
first two rules leave it, else `no published value`.

A claim ("A beats B on metric") reads `too few seeds` below MIN_SEEDS on either side and `untestable (neither row
above chance)` when neither A nor B is better than chance on its metric; otherwise Welch's test decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ganbench.report.significance import ALPHA, welch_test

MIN_SEEDS = 3
TOO_FEW = "too few seeds"
AT_CHANCE = "at chance"
BELOW_CHANCE = "below chance"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class ChanceTest:
    """Ours against the best chance baseline on one metric: the baseline, its mean, Welch's p and whether ours
    is at chance (not better than the baseline at ALPHA); `below`: ours is worse than every baseline at ALPHA
    (then also at_chance)."""

    baseline: str
    mean: float
    p: float
    at_chance: bool
    below: bool = False


def chance_test(ours, baselines: dict[str, np.ndarray], direction: str) -> ChanceTest | None:
    """Test per-seed values `ours` against the most favourable of `baselines` (name -> per-draw values, same
    units) for a metric whose better `direction` is 'higher' or 'lower'; None without baselines or values."""
    ours = np.asarray(ours, dtype=np.float64)
    if not baselines or not len(ours):
        return None
    sign = 1.0 if direction == "higher" else -1.0
    name = max(baselines, key=lambda n: sign * float(np.mean(baselines[n])))
    chance = np.asarray(baselines[name], dtype=np.float64)
    p = welch_test(ours, chance).p
    return ChanceTest(name, float(chance.mean()), p, not _beats(sign, ours, chance, p), _below_all(sign, ours, baselines))


def _beats(sign: float, ours: np.ndarray, chance: np.ndarray, p: float) -> bool:
    better = sign * (ours.mean() - chance.mean()) > 0
    return better if math.isnan(p) else better and p < ALPHA  # no spread on either side: the means decide


def _below_all(sign: float, ours: np.ndarray, baselines: dict[str, np.ndarray]) -> bool:
    worst = np.asarray(baselines[min(baselines, key=lambda n: sign * float(np.mean(baselines[n])))], dtype=np.float64)
    return _beats(-sign, ours, worst, welch_test(ours, worst).p)


def interval_side(ours: tuple[float, float], paper: tuple[float, float]) -> str:
    """'lower' / 'higher' when interval `ours` lies wholly below / above `paper`, else 'overlap'."""
    if ours[1] < paper[0]:
        return "lower"
    if ours[0] > paper[1]:
        return "higher"
    return "overlap"


def number_verdict(
    n_seeds: int,
    ours_mean: float,
    ours_interval: tuple[float, float],
    paper_mean: float,
    paper_interval: tuple[float, float],
    welch_p: float,
    range_width: float | None,
    at_chance: bool | None,
    below_chance: bool = False,
) -> str:
    """The verdict on one number by the rules of the module docstring (`range_width`: the width of the range the
    metric can take, in the same units, None when unbounded; `at_chance` None when there are no chance baselines;
    `paper_mean` NaN when there is no published value; `below_chance`: ours is worse than every chance baseline)."""
    if n_seeds < MIN_SEEDS:
        return TOO_FEW
    if at_chance:
        return BELOW_CHANCE if below_chance else AT_CHANCE
    if math.isnan(paper_mean):
        return "no published value" if at_chance is None else "above chance"
    if range_width is not None and ours_interval[1] - ours_interval[0] > range_width:
        return INCONCLUSIVE
    side = interval_side(ours_interval, paper_interval)
    if side != "overlap":
        return side
    if not math.isnan(welch_p) and welch_p < ALPHA:
        return "higher" if ours_mean > paper_mean else "lower"
    return "agrees"


def claim_verdict(n_better: int, n_worse: int, difference: float, p: float, both_at_chance: bool) -> str:
    """The verdict on 'better beats worse': `difference` is better's mean minus worse's, signed so that positive
    means better; `p` Welch's two-sided p across seeds."""
    if min(n_better, n_worse) < MIN_SEEDS:
        return TOO_FEW
    if both_at_chance:
        return "untestable (neither row above chance)"
    if math.isnan(p):
        return "untestable (needs 2+ seeds with some spread)" if difference == 0 else "untestable"
    if p < ALPHA:
        return "supported (p < 0.05)" if difference > 0 else "contradicted (opposite direction, p < 0.05)"
    return "not supported (p >= 0.05)"
