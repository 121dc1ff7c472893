"""What a benchmark grid is asked to be (GridConfig, one `ganbench run`) and what planning makes of it (GridPlan).

Both are plain values: the executors read them, and planning (runner.plan) turns the one into the other; the
executor is held by its name and settings, so the executors can import these without a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench.data.base import DatasetInfo
from ganbench.runner.cell import CellJob
from ganbench.runner.evaluate import EvalSettings
from ganbench.runner.threads import ThreadChoice
from ganbench.scoring.config import ScoreConfig


@dataclass(frozen=True)
class GridConfig:
    """One `ganbench run`: models x seeds on `dataset`, written to `out`.

    overrides: model settings as strings (`--steps`, `--lr`, `--set key=value`), applied to each family's
    paper defaults after `model_settings` (per model: the settings a suite pins). suite: the name of the suite
    the grid runs (each row then records which pinned settings it changed: ganbench.runner.suite_runs).
    eval_every None: DEFAULT_EVALUATIONS evenly spaced evaluations. scoring: how every
    evaluation is scored (metrics empty: the dataset protocol's; n_reference None: the protocol's; the
    extractor, metric and data settings); its dataset is `dataset`. n_generated None: the protocol's sample
    count. threads: CPU threads per cell (None: runner.threads chooses). jobs None: 1 on CPU, jobs_per_gpu per visible GPU otherwise (with the Ray executor: no cap on the cells
    run at once). group_cells: cells of one model (different seeds) trained together in one process, at most this
    many (runner.grouped_cells; local executor only); rows record it when above 1. yes: run a grid larger than
    MAX_CELLS_WITHOUT_YES cells, or with more than MAX_SAMPLES_WITHOUT_YES samples per evaluation. executor: the name of where the cells run (runner.executors: local or ray), executor_settings: that executor's
    settings (its dataclass fields); neither ever changes a row.
    """

    models: tuple[str, ...]
    dataset: str
    out: Path
    seeds: tuple[int, ...] = (0,)
    overrides: dict[str, str] = field(default_factory=dict)
    model_settings: dict[str, dict[str, str]] = field(default_factory=dict)
    suite: str | None = None
    eval_every: int | None = None
    n_generated: int | None = None
    scoring: ScoreConfig = field(default_factory=ScoreConfig)
    device: str = "auto"
    jobs: int | None = None
    jobs_per_gpu: int = 1
    threads: int | None = None
    group_cells: int = 1
    checkpoint_every: int = 1000
    amp: str = "none"
    compile: bool = True
    yes: bool = False
    executor: str = "local"
    executor_settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GridPlan:
    """The checked grid: every cell's job, which of them an earlier run already finished, the shared settings."""

    jobs: tuple[CellJob, ...]
    finished: tuple[CellJob, ...]
    info: DatasetInfo
    eval: EvalSettings
    slots: tuple[str, ...]
    #: every metric an evaluation scores, over all its protocols (the main one's first)
    metrics: tuple[str, ...] = ()
    #: CPU threads per cell (runner.threads), chosen when the cells to run are known; None under Ray without --threads
    threads: ThreadChoice | None = None
