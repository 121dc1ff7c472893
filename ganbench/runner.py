"""The benchmark runner: a grid of (model, seed) cells on one dataset, trained, evaluated and reported.

`run_grid(GridConfig)` checks every name and setting before anything trains (`plan_grid`), computes the
reference statistics once, runs the cells (ganbench.runner_cell, in parallel via ganbench.runner_exec),
then writes the leaderboard and the figures (ganbench.runner_report). Running the same grid again skips
finished cells and continues the others from their last checkpoint; result rows are never measured twice.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ganbench.atomic import write_text_atomic
from ganbench.config import ExtractorConfig, MetricConfig, ScoreConfig
from ganbench.data.base import DataConfig, DatasetInfo
from ganbench.errors import GanbenchError
from ganbench.runner_cell import CellJob, CellOutcome, is_finished
from ganbench.runner_eval import EvalSettings

#: Evaluations per cell when --eval-every is not given.
DEFAULT_EVALUATIONS = 5
GRID_FILE = "grid.json"
#: Grid settings that must stay the same when a run directory is resumed (rows would not be comparable).
FIXED_SETTINGS = ("dataset", "metrics", "n_generated", "n_reference", "extractor")
#: Metric inputs only images provide (a 2-D point dataset cannot give them).
IMAGE_NEEDS = {"gen_features", "gen_logits", "gen_class_logits", "ref_features", "gen_images", "heldout_features"}


@dataclass(frozen=True)
class GridConfig:
    """One `ganbench run`: models x seeds on `dataset`, written to `out`.

    overrides: model settings as strings (`--steps`, `--lr`, `--set key=value`), applied to each family's
    paper defaults. eval_every None: DEFAULT_EVALUATIONS evenly spaced evaluations. metrics None: the
    dataset protocol's. n_generated / n_reference None: the protocol's sample counts. jobs None: 1 on CPU,
    jobs_per_gpu per visible GPU otherwise.
    """

    models: tuple[str, ...]
    dataset: str
    out: Path
    seeds: tuple[int, ...] = (0,)
    overrides: dict[str, str] = field(default_factory=dict)
    eval_every: int | None = None
    metrics: tuple[str, ...] | None = None
    n_generated: int | None = None
    n_reference: int | None = None
    device: str = "auto"
    jobs: int | None = None
    jobs_per_gpu: int = 1
    checkpoint_every: int = 1000
    amp: str = "none"
    compile: bool = True
    extractor: str | None = None
    extractor_config: ExtractorConfig = field(default_factory=ExtractorConfig)
    metric_config: MetricConfig = field(default_factory=MetricConfig)
    data_config: DataConfig = field(default_factory=DataConfig)


@dataclass(frozen=True)
class GridPlan:
    """The checked grid: every cell's job, which of them an earlier run already finished, the shared settings."""

    jobs: tuple[CellJob, ...]
    finished: tuple[CellJob, ...]
    info: DatasetInfo
    eval: EvalSettings
    slots: tuple[str, ...]


def parse_names(text: str, kind: str) -> tuple[str, ...]:
    """'a, b,a' -> ('a', 'b'); an empty list is a GanbenchError."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        raise GanbenchError(f"no {kind} given; pass a comma-separated list")
    return names


def parse_seeds(text: str) -> tuple[int, ...]:
    """'0,1,2' or '0-4' (inclusive range) -> seeds, duplicates dropped, order kept."""
    seeds: list[int] = []
    for part in parse_names(text, "seeds"):
        low, dash, high = part.partition("-")
        try:
            values = range(int(low), int(high) + 1) if dash and low else [int(part)]
        except ValueError:
            raise GanbenchError(f"bad seed {part!r}; give integers like 0,1,2 or a range like 0-4") from None
        seeds += values
    if not seeds or min(seeds) < 0:
        raise GanbenchError("seeds must be non-negative integers, e.g. --seeds 0,1,2")
    return tuple(dict.fromkeys(seeds))


def eval_steps(steps: int, eval_every: int | None) -> tuple[int, ...]:
    """Every `eval_every` steps and the last step; by default DEFAULT_EVALUATIONS evenly spaced steps."""
    if eval_every is None:
        eval_every = max(1, math.ceil(steps / DEFAULT_EVALUATIONS))
    if eval_every < 1:
        raise GanbenchError("--eval-every must be at least 1")
    return tuple(sorted(set(range(eval_every, steps + 1, eval_every)) | {steps}))


def check_metrics(metrics: tuple[str, ...], info: DatasetInfo) -> None:
    """Reject unknown metric names, and metrics the dataset cannot give, before anything trains."""
    from ganbench.metrics.presets import METRICS

    specs = [METRICS.get(name) for name in metrics]
    if info.kind == "points":
        bad = [s.name for s in specs if s.needs & IMAGE_NEEDS or s.name == "fid"]
        if bad:
            raise GanbenchError(
                f"{', '.join(bad)} need images; {info.name} is a 2-D point dataset, use --metrics modes"
            )
    elif "modes" in metrics and "modes" not in info.protocol.metrics:
        raise GanbenchError(f"the modes metric needs 2-D points or stacked_mnist; {info.name} has no known modes")


def _model_configs(config: GridConfig, shape) -> dict[str, object]:
    """Each family's paper config with the overrides applied and checked (unknown keys are errors)."""
    from ganbench.models import MODELS
    from ganbench.models.base import require_labels
    from ganbench.train_config import apply_overrides

    configs = {}
    for name in config.models:
        family = MODELS.get(name)
        if family.conditional:
            require_labels(name, shape)
        model_config = apply_overrides(family.default_config(shape), config.overrides)
        model_config.validate()
        configs[name] = model_config
    return configs


def _check_resumable(config: GridConfig, settings: dict) -> None:
    """A run directory holds one dataset and evaluation protocol; refuse to mix another one into it."""
    path = Path(config.out) / GRID_FILE
    if not path.is_file():
        return
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return
    changed = [key for key in FIXED_SETTINGS if old.get(key) != settings.get(key)]
    if changed:
        what = ", ".join(f"{key} {old.get(key)!r} -> {settings.get(key)!r}" for key in changed)
        raise GanbenchError(
            f"{config.out} holds a run with other settings ({what}); rerun with the same ones or choose a new --out"
        )


def plan_grid(config: GridConfig) -> GridPlan:
    """Check every name and setting and build the cells' jobs; raises GanbenchError before anything trains."""
    from ganbench.data.resolve import resolve_dataset
    from ganbench.models import MODELS
    from ganbench.runner_cell import load_training_data
    from ganbench.runner_exec import device_slots
    from ganbench.train_config import RunConfig

    for name in config.models:
        MODELS.get(name)
    spec = resolve_dataset(config.dataset, config.data_config)
    info = spec.info
    metrics = tuple(config.metrics or info.protocol.metrics)
    check_metrics(metrics, info)
    if config.extractor is not None:
        from ganbench.features import EXTRACTORS

        EXTRACTORS.get(config.extractor)
    slots = tuple(device_slots(config.device, config.jobs, config.jobs_per_gpu))
    for name, value in (("n-generated", config.n_generated), ("n-reference", config.n_reference)):
        if value is not None and value < 2:
            raise GanbenchError(f"--{name} must be at least 2")
    if info.kind == "points" and config.n_reference is not None:
        raise GanbenchError(
            f"--n-reference does not apply to {info.name}: 2-D point metrics use the known modes, not reference samples"
        )
    _, shape, _ = load_training_data(config.dataset, config.data_config)  # a missing download fails here
    models = _model_configs(config, shape)

    n_generated = config.n_generated or info.protocol.n_generated
    score = ScoreConfig(
        samples=None,
        metrics=metrics,
        dataset=config.dataset,
        n_reference=config.n_reference,
        extractor=config.extractor,
        extractor_config=config.extractor_config,
        metric_config=config.metric_config,
        data_config=config.data_config,
        progress=False,
    )
    settings = {
        "dataset": config.dataset,
        "metrics": list(metrics),
        "n_generated": n_generated,
        "n_reference": config.n_reference,  # None: the protocol's (each row's protocol has the count used)
        "extractor": config.extractor,
    }
    _check_resumable(config, settings)
    evaluation = EvalSettings(score, n_generated)
    run_name = Path(config.out).resolve().name
    jobs = []
    for model, model_config in models.items():
        steps = eval_steps(model_config.steps, config.eval_every)
        for seed in config.seeds:
            run_config = RunConfig(
                seed=seed,
                device=slots[0],
                amp=config.amp,
                compile=config.compile,
                checkpoint_every=min(config.checkpoint_every, model_config.steps),
                sample_every=10**9,  # the runner writes its own sample files at each evaluation
                dataset=config.dataset,
                progress=False,
                tensorboard=False,
            )
            record = {
                "model_config": dataclasses.asdict(model_config),
                "seed": seed,
                "eval_steps": list(steps),
                "eval_seed": seed,
                **settings,
                "device": config.device,
                "amp": config.amp,
            }
            jobs.append(
                CellJob(
                    model,
                    seed,
                    config.dataset,
                    model_config,
                    run_config,
                    steps,
                    evaluation,
                    Path(config.out),
                    run_name,
                    record,
                    config.data_config,
                )
            )
    finished = tuple(job for job in jobs if is_finished(job))
    return GridPlan(tuple(jobs), finished, info, evaluation, slots)


def write_grid_file(config: GridConfig, plan: GridPlan) -> None:
    """RUN_DIR/grid.json: the grid's settings (checked when the run directory is resumed)."""
    record = dict(plan.jobs[0].record) if plan.jobs else {}
    settings = {key: record.get(key) for key in FIXED_SETTINGS}
    out = Path(config.out)
    old = {}
    if (out / GRID_FILE).is_file():
        old = json.loads((out / GRID_FILE).read_text())
    models = list(dict.fromkeys(old.get("models", []) + list(config.models)))
    seeds = sorted(set(old.get("seeds", [])) | set(config.seeds))
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / GRID_FILE, json.dumps({**settings, "models": models, "seeds": seeds}, indent=1))


def run_grid(config: GridConfig, log: Callable[[str], None] = print) -> tuple[GridPlan, list[CellOutcome]]:
    """Plan, warm the reference cache, run the unfinished cells; returns the plan and their outcomes."""
    from ganbench.runner_eval import warm_reference
    from ganbench.runner_exec import run_cells

    plan = plan_grid(config)
    todo = [job for job in plan.jobs if job not in plan.finished]
    write_grid_file(config, plan)
    if plan.finished:
        log(f"{len(plan.finished)} of {len(plan.jobs)} cells already finished in {config.out}; skipping them")
    if todo:
        warm_reference(plan.eval, plan.info)
        where = (
            f"{len(plan.slots)} parallel processes on {', '.join(sorted(set(plan.slots)))}"
            if len(plan.slots) > 1 and len(todo) > 1
            else plan.slots[0]
        )
        log(f"running {len(todo)} cell(s) on {where}")
    outcomes = run_cells(todo, plan.slots, log) if todo else []
    return plan, outcomes
