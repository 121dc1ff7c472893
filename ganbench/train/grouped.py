"""Training several runs of one family and config (different seeds) in one process, as one computation.

`train_group` leaves each run directory as `train()` would leave it: the same checkpoints (weights, optimizer
states, data order, noise and global RNG states, in the same per-run format, so a run resumes grouped or alone
either way), losses.csv, run.json, result.json and samples.png. On the CPU they are bit-identical to the run
trained alone (tests/test_grouped.py): each run keeps its own seed, data order and noise, and the grouped step
(ganbench.train.grouped_step) computes every run's numbers from its own weights only, so they do not depend on
which runs share the group. A run whose loss or weights go non-finite stops as "diverged" where it would stop
alone; the others go on without it. Runs that resume from different steps train in turn, the runs at one step
together.

Only the simultaneous update of PacGAN's code on the networks ganbench.models.grouped runs can be grouped
(`grouping_refusal` says why a run cannot).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from ganbench.checkpoint import prune_checkpoints
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS, ModelConfig
from ganbench.train import run_state
from ganbench.train.config import RunConfig
from ganbench.train.grouped_step import GroupedCells, ungroupable
from ganbench.train.log import SAMPLES_FILE, RunLogger
from ganbench.train.run_state import OpenRun, TrainResult
from ganbench.train.timing import Clock

Progress = Callable[[int, float], None]


def shared_settings(run: RunConfig) -> RunConfig:
    """The settings runs of one group share: all but the seed and the one-line speed estimate (which the grid
    asks of its first cell only; a group prints none)."""
    return dataclasses.replace(run, seed=0, estimate_runs=0, estimate_steps=0)


def grouping_refusal(family_name: str, config: ModelConfig, run: RunConfig) -> str | None:
    """Why runs of `family_name` with `config` cannot train grouped, from the settings alone (None when they can,
    as far as settings tell: `train_group` also checks the networks it builds)."""
    family = MODELS.get(family_name)
    if family.simultaneous_objective is None or not getattr(config, "simultaneous", False):
        return f"{family_name} does not use the simultaneous update of PacGAN's 2-D protocol"
    if config.ema > 0:
        return "the generator's weight average (ema) is not grouped"
    if config.lr_scale(1) is not None:
        return "a learning-rate schedule is not grouped"
    if run.amp != "none":
        return "mixed precision is not grouped"
    return None


def train_group(
    family_name: str,
    config: ModelConfig,
    runs: Sequence[RunConfig],
    data: ArraySplit,
    out_dirs: Sequence[str | Path],
    *,
    shape: DataShape | None = None,
    modes: np.ndarray | None = None,
    on_progress: Sequence[Progress | None] | None = None,
) -> list[TrainResult]:
    """Train every run (`runs[i]` into `out_dirs[i]`) to `config.steps` as `train()` would, together; the results
    in the order of the runs. The runs may differ only in their seed; a run that cannot be grouped is a
    GanbenchError before anything trains (the speed estimate of RunConfig.estimate_runs is not printed). `on_progress[i](step, steps_per_second)` is called whenever run i's
    losses are logged (steps per second of the group)."""
    if len({shared_settings(run) for run in runs}) > 1:
        raise GanbenchError("grouped runs must share every run setting but the seed")
    refusal = grouping_refusal(family_name, config, runs[0])
    if refusal is not None:
        raise GanbenchError(f"cannot train {family_name} grouped: {refusal}; run without grouping")
    opened = [run_state.open_run(family_name, config, run, data, out, shape) for run, out in zip(runs, out_dirs, strict=True)]
    why = ungroupable(opened[0].modules)
    if why is not None:
        raise GanbenchError(f"cannot train {family_name} grouped: {why}; run without grouping")
    progress = list(on_progress) if on_progress is not None else [None] * len(runs)
    results: dict[int, TrainResult] = {}
    for start in sorted({cell.start for cell in opened}):
        members = [i for i, cell in enumerate(opened) if cell.start == start]
        ended = _train_together([opened[i] for i in members], [progress[i] for i in members], modes)
        results |= dict(zip(members, ended, strict=True))
    return [results[i] for i in range(len(runs))]


def _train_together(cells: list[OpenRun], progress: list[Progress | None], modes: np.ndarray | None) -> list[TrainResult]:
    """The loop of train() for runs at the same step, with one grouped step for all of them."""
    first = cells[0]
    config, run, start = first.config, first.run, first.start
    objective = first.family.simultaneous_objective
    active = list(range(len(cells)))
    group = GroupedCells([cell.modules for cell in cells], objective)
    loggers = [RunLogger(cell.run_dir, start, config.steps, run.progress, run.tensorboard) for cell in cells]
    pending: list[list[tuple[int, dict[str, torch.Tensor]]]] = [[] for _ in cells]
    last_good = [cell.last_good for cell in cells]
    results: dict[int, TrainResult] = {}
    clock = Clock(first.device)

    def regroup(stopped: list[int]) -> None:
        nonlocal group, active
        _write_back(group, cells, active)
        active = [i for i in active if i not in stopped]
        if active:
            group = GroupedCells([cells[i].modules for i in active], objective)

    try:
        for step in range(start + 1, config.steps + 1):
            batches = [cells[i].sampler.next() for i in active]
            real = torch.stack([batch.x for batch in batches])
            z = torch.stack([cells[i].noise.normal(real.shape[1], config.z_dim) for i in active])
            losses = group.simultaneous_step(real, z)
            for j, i in enumerate(active):
                pending[i].append((step, {name: value[j] for name, value in losses.items()}))
            clock.first_step_done(step)
            due = step % run.checkpoint_every == 0 or step == config.steps
            if step % run.log_every == 0 or due:
                stopped = []
                for i in active:
                    bad = run_state.flush_losses(pending[i], loggers[i])
                    if bad is not None:
                        results[i] = run_state.finish(cells[i].run_dir, "diverged", *bad, last_good[i], clock)
                        stopped.append(i)
                    elif progress[i] is not None:
                        seconds, timed = clock.elapsed(step)
                        progress[i](step, timed / seconds if seconds > 0 else 0.0)
                if stopped:
                    regroup(stopped)
            if active and step % run.sample_every == 0:
                _write_back(group, cells, active)
                for i in active:
                    loggers[i].images(run_state.sample_grid(cells[i].modules.generator, None, run), step)
            if active and due:
                _write_back(group, cells, active)
                stopped = [i for i in active if not run_state.finite_weights(cells[i].modules)]
                for i in stopped:
                    reason = f"non-finite weights after step {step}"
                    results[i] = run_state.finish(cells[i].run_dir, "diverged", step, reason, last_good[i], clock)
                if stopped:
                    regroup(stopped)
                with clock.paused():
                    for i in active:
                        last_good[i] = _save(cells[i], step)
                        _write_samples(cells[i], modes)
            if not active:
                break
    finally:
        for logger in loggers:
            logger.close()
    for i in active:
        if last_good[i] is not None and not (cells[i].run_dir / SAMPLES_FILE).exists():
            _write_samples(cells[i], modes)
        results[i] = run_state.finish(cells[i].run_dir, "ok", config.steps, "", last_good[i], clock)
    return [results[i] for i in range(len(cells))]


def _write_back(group: GroupedCells, cells: list[OpenRun], active: list[int]) -> None:
    for k, i in enumerate(active):
        group.write_back(k, cells[i].modules)


def _save(cell: OpenRun, step: int) -> Path:
    """Checkpoint one run (its networks hold its slices), recording the global RNG states it would record alone."""
    path = run_state.save_state(cell.run_dir, step, cell.meta, cell.modules, None, cell.sampler, cell.noise, cell.rng)
    prune_checkpoints(cell.run_dir, cell.run.keep_checkpoints)
    return path


def _write_samples(cell: OpenRun, modes: np.ndarray | None) -> None:
    samples = run_state.sample_grid(cell.modules.generator, None, cell.run)
    run_state.write_samples(cell.run_dir, samples, cell.data, cell.shape, modes)
