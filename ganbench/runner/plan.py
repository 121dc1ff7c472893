"""Planning a benchmark grid: a (model, seed) cell for each pair on one dataset, every name and setting checked
before anything trains, and the run directory's settings kept so a resumed run stays comparable.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import replace
from pathlib import Path

from ganbench.config_parsing import apply_overrides
from ganbench.data.sampling import check_sample_count
from ganbench.devices import machine_description
from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS
from ganbench.models.base import MODELS, ModelConfig, require_labels
from ganbench.runner import resume
from ganbench.runner.cell import CellJob, is_finished, run_rows
from ganbench.runner.evaluate import EvalSettings
from ganbench.runner.executors import Executor, executor_named
from ganbench.runner.grid_config import GridConfig, GridPlan
from ganbench.runner.suite_runs import suite_record
from ganbench.scoring.plan import ScoringPlan
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split

#: Evaluations per cell when --eval-every is not given.
DEFAULT_EVALUATIONS = 5
#: Above this many cells a grid runs only with --yes (a typo such as --seeds 0-100000 must not start 100,001 cells).
MAX_CELLS_WITHOUT_YES = 1000


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


def model_configs(config: GridConfig, shape) -> dict[str, ModelConfig]:
    """Each family's paper config with the overrides applied and checked (unknown keys are errors)."""
    configs = {}
    for name in config.models:
        family = MODELS.get(name)
        if family.conditional:
            require_labels(name, shape)
        pinned = apply_overrides(family.default_config(shape), config.model_settings.get(name, {}))
        model_config = apply_overrides(pinned, config.overrides)
        family.check_config(model_config)
        family.check_shape(model_config, shape)
        configs[name] = model_config
    return configs


def grid_executor(config: GridConfig) -> Executor:
    """The executor `config` names, with its settings (a GanbenchError for an unknown name or setting)."""
    return executor_named(config.executor, {config.executor: dict(config.executor_settings)})


def check_grid_size(config: GridConfig) -> None:
    """Refuse a grid of more than MAX_CELLS_WITHOUT_YES cells unless `config.yes`, saying how large it is."""
    cells = len(config.models) * len(config.seeds)
    if cells > MAX_CELLS_WITHOUT_YES and not config.yes:
        steps = config.overrides.get("steps")
        work = f", {cells * int(steps):,} generator steps in all" if steps and steps.isdigit() else ""
        raise GanbenchError(
            f"this grid has {cells:,} cells ({len(config.models)} model(s) x {len(config.seeds):,} seeds{work}); "
            f"pass --yes to run more than {MAX_CELLS_WITHOUT_YES:,} cells, or fewer --seeds"
        )


def check_grouping(config: GridConfig) -> None:
    """--group-cells must be at least 1, and above 1 only with the local executor."""
    if config.group_cells < 1:
        raise GanbenchError("--group-cells must be at least 1")
    if config.group_cells > 1 and config.executor != "local":
        raise GanbenchError("--group-cells only applies to the local executor; drop it or use --executor local")


def used_amp(config: GridConfig, slots: tuple[str, ...]) -> str:
    """The --amp the cells train with: bf16 autocast only runs on CUDA, so a grid that runs only on the CPU
    records (and trains with) "none", and says so once."""
    on_cpu = config.device == "cpu" or (
        config.executor == "local" and not any(slot.startswith("cuda") for slot in slots)
    )
    if config.amp == "bf16" and on_cpu:
        warnings.warn("--amp bf16 is only used on CUDA; the cells train in float32 on the CPU (rows record amp none)", stacklevel=3)
        return "none"
    return config.amp


def draws_codes(model: str, shape, model_config: ModelConfig) -> bool:
    """True when the model's generator draws its samples with a class or code input (a conditional GAN's class,
    InfoGAN's categorical code), so the metrics of that input report something for it."""
    import torch

    with torch.random.fork_rng(devices=[]):  # building initialises weights: leave the caller's random state alone
        generator, _ = MODELS.get(model).build_networks(shape, model_config)
    return bool(getattr(generator, "num_classes", 0))


def plan_grid(config: GridConfig) -> GridPlan:
    """Check every name and setting and build the cells' jobs; raises GanbenchError before anything trains."""
    for name in config.models:
        MODELS.get(name)
    check_grid_size(config)
    check_grouping(config)
    slots = grid_executor(config).slots(config.device, config.jobs, config.jobs_per_gpu)
    amp = used_amp(config, slots)
    scoring = replace(
        config.scoring,
        dataset=config.dataset,
        ref_samples=None,
        ref_stats=None,
        progress=False,
        # the reference cache is warmed on the first slot's device; each worker then scores on its own slot's
        extractor_config=replace(config.scoring.extractor_config, device=slots[0]),
        metric_config=replace(config.scoring.metric_config, device=slots[0]),
    )
    planned = ScoringPlan.of(scoring)  # unknown dataset or metric, or a metric the dataset cannot give
    job = planned.main
    info = job.info
    if scoring.extractor is not None:
        EXTRACTORS.get(scoring.extractor)
    for name, value in (("n-generated", config.n_generated), ("n-reference", scoring.n_reference)):
        if value is not None and value < 2:
            raise GanbenchError(f"--{name} must be at least 2")
    check_sample_count(config.n_generated, config.yes, "--n-generated")
    if not job.kind.extracted and scoring.n_reference is not None:
        raise GanbenchError(
            f"--n-reference does not apply to {info.name}: point metrics use the known modes, not reference samples"
        )
    _, shape, _ = load_training_split(config.dataset, scoring.data_config)  # a missing download fails here
    models = model_configs(config, shape)

    n_generated = config.n_generated or info.protocol.n_generated
    settings = {
        "dataset": config.dataset,
        "metrics": list(planned.metrics),
        "n_generated": n_generated,
        "n_reference": scoring.n_reference,  # None: the protocol's (each row's protocol has the count used)
        "extractor": scoring.extractor,
        "metric_settings": planned.settings(),
    }
    resume.check_resumable(
        config.out, settings, {name: dataclasses.asdict(c) for name, c in models.items()}, run_rows(config.out)
    )
    evaluation = EvalSettings(planned, n_generated)
    machine = machine_description()
    jobs = []
    for model, model_config in models.items():
        steps = eval_steps(model_config.steps, config.eval_every)
        expected = planned.keys(codes=draws_codes(model, shape, model_config))
        for seed in config.seeds:
            run_config = RunConfig(
                seed=seed,
                device=slots[0],
                amp=amp,
                compile=config.compile,
                checkpoint_every=min(config.checkpoint_every, model_config.steps),
                sample_every=10**9,  # the runner writes its own sample files at each evaluation
                dataset=config.dataset,
                progress=False,
                tensorboard=False,
                # the grid's first cell prints the measured speed and the projected time of every cell
                estimate_runs=len(models) * len(config.seeds) if not jobs else 0,
                estimate_steps=model_config.steps,
                estimate_jobs=len(slots),
            )
            record = {
                "model_config": dataclasses.asdict(model_config),
                "seed": seed,
                "eval_steps": list(steps),
                "eval_seed": seed,
                **settings,
                "device": config.device,
                "amp": amp,
                "machine": machine,
            }
            if config.group_cells > 1:
                record["group_cells"] = config.group_cells
            if config.suite is not None:
                record["suite"] = suite_record(config.suite, model, model_config, n_generated, job)
            jobs.append(
                CellJob(
                    model=model,
                    seed=seed,
                    model_config=model_config,
                    run_config=run_config,
                    eval_steps=steps,
                    evaluation=evaluation,
                    run_dir=Path(config.out),
                    record=record,
                    expected=expected,
                )
            )
    return GridPlan(tuple(jobs), finished_jobs(jobs, Path(config.out)), info, evaluation, slots, planned.metrics)


def finished_jobs(jobs, out: Path) -> tuple[CellJob, ...]:
    """The jobs an earlier run already finished, every evaluation's rows in place (read from `out` now)."""
    rows = run_rows(out)
    return tuple(job for job in jobs if is_finished(job, rows))


def write_grid_file(config: GridConfig, plan: GridPlan) -> None:
    """RUN_DIR/grid.json: the grid's settings (those of FIXED_SETTINGS are checked when the run directory is
    resumed) and, when known, the threads this run's cells train with and why."""
    record = dict(plan.jobs[0].record) if plan.jobs else {}
    threads = {"threads": plan.threads.record()} if plan.threads is not None else None
    resume.write_grid_file(
        config.out, record, list(config.models), list(config.seeds), config.group_cells, run_rows(config.out), threads
    )
