"""The training loop: open (seed, build, resume), step, log, checkpoint; stop cleanly on divergence. One loop
trains one run (`train`) or several runs of one family and settings that differ only in their seed (`train_runs`,
what `--group-cells` uses), their steps taken one by one or batched (ganbench.train.group_steps).

What a run directory holds, and how a run is opened, saved and closed, is in ganbench.train.run_state. Runs trained
together leave each run directory as `train` leaves it: the same checkpoints (in the same per-run format, so a run
resumes together or alone either way), losses.csv, run.json, result.json and samples.png; a run whose loss or
weights go non-finite stops as "diverged" where it would stop alone, and the others go on without it; runs that
resume from different steps train in turn, the runs at one step together.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ganbench.checkpoint import prune_checkpoints
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import ModelConfig
from ganbench.train import run_state
from ganbench.train.config import RunConfig
from ganbench.train.group_steps import choose_steps
from ganbench.train.log import SAMPLES_FILE, RunLogger
from ganbench.train.run_state import LearningRates, OpenRun, TrainResult
from ganbench.train.timing import ESTIMATE_AFTER_S, Clock, estimate_line

__all__ = ["LearningRates", "TrainResult", "shared_settings", "train", "train_runs"]

Progress = Callable[[int, float], None]


def train(
    family_name: str,
    config: ModelConfig,
    run: RunConfig,
    data: ArraySplit,
    out_dir: str | Path,
    *,
    shape: DataShape | None = None,
    modes: np.ndarray | None = None,
    on_progress: Progress | None = None,
) -> TrainResult:
    """Train `family_name` with `config` on `data` into `out_dir`, resuming from its newest checkpoint if any.

    Images arrive uint8 NCHW and train in [-1, 1]; points train as float32. The same
    seed, settings and device give the same weights, and a resumed run ends bit-identical
    to an uninterrupted one. A non-finite loss or weight stops the run as "diverged"
    without writing a checkpoint, so the last good one survives. `modes` (point centres)
    only decorate the scatter plot. A damaged newest checkpoint is set aside (with a warning) and the run
    resumes from the previous good one. A run directory already trained past `config.steps` is refused.
    `on_progress(step, steps_per_second)` is called whenever losses are logged.
    """
    return train_runs(family_name, config, [run], data, [out_dir], shape=shape, modes=modes, on_progress=[on_progress])[0]


def shared_settings(run: RunConfig) -> RunConfig:
    """The settings runs trained together share: all but the seed and the one-line speed estimate (which the grid
    asks of its first cell only; runs trained together print none)."""
    return dataclasses.replace(run, seed=0, estimate_runs=0, estimate_steps=0)


def train_runs(
    family_name: str,
    config: ModelConfig,
    runs: Sequence[RunConfig],
    data: ArraySplit,
    out_dirs: Sequence[str | Path],
    *,
    shape: DataShape | None = None,
    modes: np.ndarray | None = None,
    on_progress: Sequence[Progress | None] | None = None,
    batching: str = "auto",
) -> list[TrainResult]:
    """Train every run (`runs[i]` into `out_dirs[i]`) as `train` would, in one loop; the results in the order of the
    runs. The runs may differ only in their seed (else a GanbenchError before anything trains). On the CPU each run's
    files are bit-identical to the run trained alone; on CUDA runs of a family with a simultaneous update take one
    batched step (ganbench.train.group_steps; `batching` "vmap" or "one-by-one" overrides that choice).
    `on_progress[i](step, steps_per_second)` is called whenever run i's losses are logged."""
    if len({shared_settings(run) for run in runs}) > 1:
        raise GanbenchError("runs trained together must share every run setting but the seed")
    opened = [run_state.open_run(family_name, config, run, data, out, shape) for run, out in zip(runs, out_dirs, strict=True)]
    progress = list(on_progress) if on_progress is not None else [None] * len(runs)
    results: dict[int, TrainResult] = {}
    for start in sorted({run.start for run in opened}):
        members = [i for i, run in enumerate(opened) if run.start == start]
        ended = _loop([opened[i] for i in members], [progress[i] for i in members], modes, batching)
        results |= dict(zip(members, ended, strict=True))
    return [results[i] for i in range(len(runs))]


@dataclass
class _Run:
    """One run inside the loop: what was opened, its log, the losses not yet logged and its last good checkpoint."""

    opened: OpenRun
    logger: RunLogger
    progress: Progress | None
    last_good: Path | None
    pending: list[tuple[int, dict]] = field(default_factory=list)


def _loop(opened: list[OpenRun], progress: list[Progress | None], modes: np.ndarray | None, batching: str) -> list[TrainResult]:
    """Train runs that all go on from the same step to config.steps; their results in order."""
    first = opened[0]
    config, run, start = first.config, first.run, first.start
    steps = choose_steps(opened, batching)
    runs = [
        _Run(o, RunLogger(o.run_dir, start, config.steps, run.progress, run.tensorboard), p, o.last_good)
        for o, p in zip(opened, progress, strict=True)
    ]
    active = list(range(len(runs)))  # indices into `runs` of the runs still training, in the stepper's order
    results: dict[int, TrainResult] = {}
    clock = Clock(first.device)
    estimate = run.estimate_runs and len(runs) == 1

    def stop(stopped: list[int]) -> None:
        nonlocal active
        if stopped:
            steps.drop([k for k, i in enumerate(active) if i not in stopped])
            active = [i for i in active if i not in stopped]

    try:
        for step in range(start + 1, config.steps + 1):
            for i, losses in zip(active, steps.step(step), strict=True):
                runs[i].pending.append((step, losses))
            clock.first_step_done(step)
            if estimate and clock.elapsed(step)[0] >= ESTIMATE_AFTER_S:
                estimate = False
                total = run.estimate_steps or config.steps
                print(estimate_line(*clock.elapsed(step), total, run.estimate_runs, run.estimate_jobs), file=sys.stderr, flush=True)
            due = step % run.checkpoint_every == 0 or step == config.steps
            if step % run.log_every == 0 or due:
                stopped = []
                for i in active:
                    bad = run_state.flush_losses(runs[i].pending, runs[i].logger)
                    if bad is not None:
                        results[i] = run_state.finish(runs[i].opened.run_dir, "diverged", *bad, runs[i].last_good, clock)
                        stopped.append(i)
                    elif runs[i].progress is not None:
                        seconds, timed = clock.elapsed(step)
                        runs[i].progress(step, timed / seconds if seconds > 0 else 0.0)
                stop(stopped)
            if active and step % run.sample_every == 0:
                steps.sync()
                for k, i in enumerate(active):
                    with steps.own_rngs(k):
                        runs[i].logger.images(run_state.sample_grid(runs[i].opened.modules.generator, runs[i].opened.ema, run), step)
            if active and due:
                steps.sync()
                stopped = [i for i in active if not run_state.finite_weights(runs[i].opened.modules)]
                for i in stopped:
                    reason = f"non-finite weights after step {step}"
                    results[i] = run_state.finish(runs[i].opened.run_dir, "diverged", step, reason, runs[i].last_good, clock)
                stop(stopped)
                with clock.paused():
                    for k, i in enumerate(active):
                        with steps.own_rngs(k):
                            runs[i].last_good = _save(runs[i].opened, step)
                            _write_samples(runs[i].opened, modes)
            if not active:
                break
    finally:
        for r in runs:
            r.logger.close()
    for k, i in enumerate(active):
        with steps.own_rngs(k):
            if runs[i].last_good is not None and not (runs[i].opened.run_dir / SAMPLES_FILE).exists():
                _write_samples(runs[i].opened, modes)
        results[i] = run_state.finish(runs[i].opened.run_dir, "ok", config.steps, "", runs[i].last_good, clock)
    return [results[i] for i in range(len(runs))]


def _save(run: OpenRun, step: int) -> Path:
    path = run_state.save_state(run.run_dir, step, run.meta, run.modules, run.ema, run.sampler, run.noise)
    prune_checkpoints(run.run_dir, run.run.keep_checkpoints)
    return path


def _write_samples(run: OpenRun, modes: np.ndarray | None) -> None:
    run_state.write_samples(run.run_dir, run_state.sample_grid(run.modules.generator, run.ema, run.run), run.data, run.shape, modes)
