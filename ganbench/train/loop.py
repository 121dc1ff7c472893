"""The training loop of one run: open (seed, build, resume), step, log, checkpoint; stop cleanly on divergence.

What a run directory holds, and the pieces this loop shares with the loop of grouped runs, are in
ganbench.train.run_state.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ganbench.checkpoint import prune_checkpoints
from ganbench.data.base import ArraySplit, DataShape
from ganbench.models.base import ModelConfig
from ganbench.train import run_state
from ganbench.train.config import RunConfig
from ganbench.train.fast import compile_modules
from ganbench.train.log import SAMPLES_FILE, RunLogger
from ganbench.train.run_state import LearningRates, TrainResult
from ganbench.train.timing import ESTIMATE_AFTER_S, Clock, estimate_line

__all__ = ["LearningRates", "TrainResult", "train"]


def train(
    family_name: str,
    config: ModelConfig,
    run: RunConfig,
    data: ArraySplit,
    out_dir: str | Path,
    *,
    shape: DataShape | None = None,
    modes: np.ndarray | None = None,
    on_progress: Callable[[int, float], None] | None = None,
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
    opened = run_state.open_run(family_name, config, run, data, out_dir, shape)
    family, modules, ema, sampler, noise = opened.family, opened.modules, opened.ema, opened.sampler, opened.noise
    start, last_good, run_dir, shape, amp = opened.start, opened.last_good, opened.run_dir, opened.shape, opened.amp
    generator = modules.generator

    fast = modules
    if opened.device.type == "cuda" and run.compile and start < config.steps:
        preview = sampler.preview()
        fast = compile_modules(modules, family, config, (preview.x, preview.y), amp, mode="default")

    logger = RunLogger(run_dir, start, config.steps, run.progress, run.tensorboard)
    pending: list[tuple[int, dict]] = []
    clock = Clock(opened.device)
    estimated = False
    try:
        for step in range(start + 1, config.steps + 1):
            opened.schedule.apply(step)
            batches = [sampler.next() for _ in range(config.n_critic)]
            pending.append((step, family.train_step(fast, batches, noise, config, amp)))
            if ema is not None:
                ema.update(generator)
            clock.first_step_done(step)
            if run.estimate_runs and not estimated and clock.elapsed(step)[0] >= ESTIMATE_AFTER_S:
                estimated = True
                total = run.estimate_steps or config.steps
                print(estimate_line(*clock.elapsed(step), total, run.estimate_runs, run.estimate_jobs), file=sys.stderr, flush=True)
            due = step % run.checkpoint_every == 0 or step == config.steps
            if step % run.log_every == 0 or due:
                bad = run_state.flush_losses(pending, logger)
                if bad is not None:
                    return run_state.finish(run_dir, "diverged", *bad, last_good, clock)
                if on_progress is not None:
                    seconds, timed = clock.elapsed(step)
                    on_progress(step, timed / seconds if seconds > 0 else 0.0)
            if step % run.sample_every == 0:
                logger.images(run_state.sample_grid(generator, ema, run), step)
            if due:
                if not run_state.finite_weights(modules):
                    reason = f"non-finite weights after step {step}"
                    return run_state.finish(run_dir, "diverged", step, reason, last_good, clock)
                with clock.paused():
                    last_good = run_state.save_state(run_dir, step, opened.meta, modules, ema, sampler, noise)
                    prune_checkpoints(run_dir, run.keep_checkpoints)
                    run_state.write_samples(run_dir, run_state.sample_grid(generator, ema, run), data, shape, modes)
    finally:
        logger.close()
    if last_good is not None and not (run_dir / SAMPLES_FILE).exists():
        run_state.write_samples(run_dir, run_state.sample_grid(generator, ema, run), data, shape, modes)
    return run_state.finish(run_dir, "ok", config.steps, "", last_good, clock)
