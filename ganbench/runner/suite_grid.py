"""Running a suite: its pinned protocol as a grid (`ganbench run --suite NAME`).

The suite's models train on its dataset with the settings it pins; anything the user sets on top (fewer steps,
other seeds, another sample count) is allowed, and every row then records the pinned settings it changed
(ganbench.runner.suites.suite_record), so leaderboards and comparisons print it as a reduced protocol.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ganbench.errors import GanbenchError
from ganbench.metrics.config import pin_metric_settings
from ganbench.models.base import MODELS
from ganbench.runner.plan import GridConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.suites.base import Suite


def suite_grid(
    suite: Suite,
    *,
    models: tuple[str, ...] | None = None,
    seeds: tuple[int, ...] | None = None,
    out: Path | None = None,
    eval_every: int | None = None,
    n_generated: int | None = None,
    scoring: ScoreConfig | None = None,
    **grid: Any,
) -> GridConfig:
    """The grid that runs `suite`: its models (or the `models` named, each of them in the suite), seeds
    0 .. trials-1 unless given, its dataset, sample count and metric settings; `grid` passes the rest of the
    GridConfig fields (overrides, device, jobs, ...)."""
    chosen = models or suite.model_names
    unknown = [name for name in chosen if suite.model(name) is None]
    if unknown:
        raise GanbenchError(
            f"suite {suite.name!r} has no model {', '.join(unknown)}; choose from {', '.join(suite.model_names)}"
        )
    for name in chosen:
        MODELS.get(name)
    scoring = scoring or ScoreConfig()
    scoring = dataclasses.replace(
        scoring,
        metric_config=pin_metric_settings(scoring.metric_config, dict(suite.metric_settings)),
        metrics=scoring.metrics or suite.presets,
        extractor=scoring.extractor or suite.extractor,
        n_reference=scoring.n_reference or suite.n_reference,
    )
    return GridConfig(
        models=tuple(chosen),
        dataset=suite.dataset,
        out=out or Path("runs") / suite.name,
        seeds=seeds or tuple(range(suite.trials)),
        model_settings={name: dict(suite.model(name).settings) for name in chosen},
        suite=suite.name,
        eval_every=eval_every or suite.eval_every,
        n_generated=n_generated or suite.n_generated,
        scoring=scoring,
        **grid,
    )
