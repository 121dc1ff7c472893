"""Running a suite (`ganbench run --suite NAME`): its pinned protocol as a grid, and what each of its rows records.

The suite's models train on its dataset with the settings it pins; anything the user sets on top (fewer steps,
other seeds, another sample count) is allowed, and every row then records the pinned settings it changed
(`suite_record`), so leaderboards and comparisons print it as a reduced protocol.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ganbench.errors import GanbenchError
from ganbench.metrics.config import pin_metric_settings
from ganbench.metrics.spec import metric_settings
from ganbench.models.base import MODELS
from ganbench.runner.grid_config import GridConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.job import ScoringJob
from ganbench.suites.base import SUITES, Suite, describe_deviations, protocol_deviations


def suite_record(name: str, model: str, model_config: Any, n_generated: int, job: ScoringJob) -> dict:
    """What a row of suite `name` records: the suite, 'full' or 'reduced', and the pinned settings changed."""
    suite = SUITES.get(name)
    scoring = job.config
    evaluation = {
        "n_generated": n_generated,
        "metric_settings": metric_settings(scoring.metric_config, scoring.metrics),
        "extractor": job.extractor if job.kind.extracted else None,
        "n_reference": scoring.n_reference or (job.info.protocol.n_reference if job.info else None),
    }
    found = protocol_deviations(suite, model, dataclasses.asdict(model_config), evaluation)
    return {"name": name, "protocol": "reduced" if found else "full", "deviations": describe_deviations(found)}


def suite_status(suite: str, records: list[dict]) -> str:
    """'suite NAME: full protocol' or 'suite NAME: REDUCED protocol (what changed)' over the cells' records."""
    changed = sorted({record["suite"]["deviations"] for record in records if record.get("suite")} - {""})
    return f"suite {suite}: " + (f"REDUCED protocol ({'; '.join(changed)})" if changed else "full protocol")


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
