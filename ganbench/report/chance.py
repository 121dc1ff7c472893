"""Chance baselines of a suite on point data: mode-blind point sets scored exactly as the suite scores a model.

For a suite whose dataset has known modes, each baseline (ganbench.metrics.chance: uniform over the data's
bounding box; the modes smeared) is drawn CHANCE_DRAWS times at the suite's sample count and scored by the
registered metric presets the suite computes, under the suite's pinned metric settings. The draws are seeded
(numpy default_rng([CHANCE_SEED, baseline, draw])), so a comparison shows the same baselines every time. Suites
on other data have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ganbench.data.base import DATASETS, DataConfig
from ganbench.metrics.chance import bounding_box, smear_description, smeared_modes, uniform_in_box
from ganbench.metrics.config import MetricConfig, pin_metric_settings
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.suites.base import Suite

#: Draws per baseline: enough for a spread to test against (the Welch s.e. of 20 draws is std / 4.5).
CHANCE_DRAWS = 20
CHANCE_SEED = 20_241
#: What the point baselines need of a metric preset.
POINT_INPUTS = frozenset({"gen_points", "modes"})


@dataclass(frozen=True)
class ChanceBaseline:
    """One chance baseline: its name, what it draws (in words), and per result key the value of every draw
    (ganbench units)."""

    name: str
    description: str
    values: dict[str, np.ndarray] = field(default_factory=dict)


def _presets(suite: Suite) -> list[str]:
    names = suite.presets or DATASETS.get(suite.dataset).info.protocol.metrics
    return [n for n in names if METRICS.get(n).needs_given(POINT_INPUTS) is not None]


def _score(points: np.ndarray, presets: list[str], info, config: MetricConfig) -> dict[str, float]:
    inputs = MetricInputs(
        n_gen=len(points), n_ref=0, gen_points=points, modes=info.modes, mode_std=info.mode_std, requested=tuple(presets)
    )
    values: dict[str, float] = {}
    for name in presets:
        values.update(METRICS.get(name).compute(inputs, config))
    return values


def chance_baselines(suite: Suite, draws: int = CHANCE_DRAWS) -> list[ChanceBaseline]:
    """The suite's chance baselines (empty unless its dataset is points with known modes), each scored `draws`
    times on suite.n_generated points; only the keys of the suite's metrics are kept."""
    info = DATASETS.get(suite.dataset).info
    presets = _presets(suite) if info.kind == "points" and info.modes is not None else []
    if not presets:
        return []
    config = pin_metric_settings(MetricConfig(), dict(suite.metric_settings))
    low, high = bounding_box(DATASETS.get(suite.dataset).load(info.train_split, DataConfig()).data)
    box = "x".join(f"[{lo:.2f}, {hi:.2f}]" for lo, hi in zip(low, high, strict=True))
    makers = (
        ("chance: uniform", f"uniform over the data's bounding box {box}", lambda rng: uniform_in_box(low, high, suite.n_generated, rng)),
        ("chance: smeared", smear_description(info.modes, info.mode_std),
         lambda rng: smeared_modes(info.modes, info.mode_std, suite.n_generated, rng)),
    )
    keys = [m.key for m in suite.metrics]
    baselines = []
    for index, (name, description, draw) in enumerate(makers):
        scores = [_score(draw(np.random.default_rng([CHANCE_SEED, index, d])), presets, info, config) for d in range(draws)]
        values = {k: np.array([s[k] for s in scores], dtype=np.float64) for k in keys if k in scores[0]}
        baselines.append(ChanceBaseline(name, description, values))
    return baselines
