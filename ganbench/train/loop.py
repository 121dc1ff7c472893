"""The training loop: seed, build, (resume), step, log, checkpoint; stop cleanly on divergence.

A run directory holds checkpoints/, losses.csv, run.json (what was asked), result.json
(how it ended), samples.png and, when TensorBoard is importable, tensorboard/.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

import ganbench
from ganbench.atomic import write_text_atomic
from ganbench.checkpoint import (
    Checkpoint,
    global_rng_state,
    module_tensors,
    newest_good_checkpoint,
    optimizer_tensors,
    prune_checkpoints,
    restore_global_rng,
    save_checkpoint,
)
from ganbench.data.base import ArraySplit, DataShape
from ganbench.data.kinds import kind_of
from ganbench.data.sampling import generate
from ganbench.devices import resolve_device
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS, Family, ModelConfig, require_labels
from ganbench.models.ema import WeightAverage
from ganbench.models.step import GanModules, StepNoise
from ganbench.seeding import seed_everything, set_deterministic
from ganbench.train.batches import BatchSampler, check_data
from ganbench.train.config import RunConfig
from ganbench.train.fast import channels_last, compile_modules, configure_backends
from ganbench.train.log import SAMPLES_FILE, RunLogger
from ganbench.train.timing import ESTIMATE_AFTER_S, Clock, estimate_line


@dataclass(frozen=True)
class TrainResult:
    """How a run ended.

    status "ok": `step` == config.steps; "diverged": `step` is the first generator step
    with a non-finite loss (or weights) and `reason` says which. `checkpoint` is the last
    good checkpoint's sidecar (None if none was written). `seconds` is the loop's wall time
    after its first step, without checkpoint writing, over `timed_steps` steps (0 when nothing ran).
    """

    status: Literal["ok", "diverged"]
    step: int
    reason: str
    run_dir: Path
    checkpoint: Path | None
    seconds: float = 0.0
    timed_steps: int = 0

    @property
    def steps_per_second(self) -> float:
        """Generator steps per second after the first step (nan when unmeasured)."""
        return self.timed_steps / self.seconds if self.seconds > 0 else math.nan


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
    family = MODELS.get(family_name)
    if not isinstance(config, family.config_type):
        raise TypeError(f"{family_name} needs a {family.config_type.__name__}, got {type(config).__name__}")
    family.check_config(config)
    run.validate()
    shape = shape or DataShape.of(data.data, data.labels)
    check_data(data, shape)
    if family.conditional:
        require_labels(family_name, shape)
        if data.labels is None:
            require_labels(family_name, dataclasses.replace(shape, num_classes=0))
    device = resolve_device(run.device)
    amp = run.amp == "bf16"
    if amp and device.type != "cuda":
        warnings.warn("--amp bf16 is only used on CUDA; training in float32 on the CPU", stacklevel=2)
        amp = False
    run_dir = Path(out_dir)
    run_dir.mkdir(parents=True, exist_ok=True)

    set_deterministic(run.deterministic)
    configure_backends(device, run.deterministic)
    seed_everything(run.seed)
    generator, discriminator, extras = family.build_all(shape, config)
    image = shape.kind == "image"
    generator = channels_last(generator.to(device), device, image)
    if discriminator is not None:
        discriminator = channels_last(discriminator.to(device), device, image)
    extras = {name: channels_last(net.to(device), device, image) for name, net in extras.items()}
    g_opt, d_opt = family.make_optimizers(generator, discriminator, config, device)
    extra_opts = family.make_extra_optimizers(extras, config, device)
    modules = GanModules(generator, discriminator, g_opt, d_opt, extras, extra_opts, config.pack)
    schedule = LearningRates(modules, config)
    ema = WeightAverage(generator, config.ema) if config.ema > 0 else None
    sampler = BatchSampler(data, shape, config.batch_size * config.pack, run.seed, device)
    noise = StepNoise(run.seed, device)
    meta = _run_meta(family, config, run, shape, len(data), device, ema is not None)

    start, last_good = 0, None
    checkpoint = newest_good_checkpoint(run_dir)
    if checkpoint is not None:
        _check_same_run(checkpoint, meta, run_dir)
        start, last_good = checkpoint.meta["step"], checkpoint.path
        if start > config.steps:
            raise GanbenchError(
                f"{run_dir} was already trained to step {start}, past --steps {config.steps}; pass --steps {start} "
                "or more to go on, score its checkpoints, or choose a new --out"
            )
        _restore(checkpoint, modules, ema, sampler, noise)
    else:
        write_text_atomic(run_dir / "run.json", json.dumps(meta, indent=1, sort_keys=True))

    fast = modules
    if device.type == "cuda" and run.compile and start < config.steps:
        preview = sampler.preview()
        fast = compile_modules(modules, family, config, (preview.x, preview.y), amp, mode="default")

    logger = RunLogger(run_dir, start, config.steps, run.progress, run.tensorboard)
    pending: list[tuple[int, dict[str, torch.Tensor]]] = []
    clock = Clock(device)
    estimated = False
    try:
        for step in range(start + 1, config.steps + 1):
            schedule.apply(step)
            batches = [sampler.next() for _ in range(config.n_critic)]
            pending.append((step, family.train_step(fast, batches, noise, config, amp)))
            if ema is not None:
                ema.update(generator)
            clock.first_step_done(step)
            if run.estimate_runs and not estimated and clock.elapsed(step)[0] >= ESTIMATE_AFTER_S:
                estimated = True
                total = run.estimate_steps or config.steps
                print(estimate_line(*clock.elapsed(step), total, run.estimate_runs), file=sys.stderr, flush=True)
            due = step % run.checkpoint_every == 0 or step == config.steps
            if step % run.log_every == 0 or due:
                bad = _flush(pending, logger)
                if bad is not None:
                    return _finish(run_dir, "diverged", *bad, last_good, clock)
                if on_progress is not None:
                    seconds, timed = clock.elapsed(step)
                    on_progress(step, timed / seconds if seconds > 0 else 0.0)
            if step % run.sample_every == 0:
                logger.images(_samples(generator, ema, run), step)
            if due:
                if not _finite_weights(modules):
                    reason = f"non-finite weights after step {step}"
                    return _finish(run_dir, "diverged", step, reason, last_good, clock)
                with clock.paused():
                    last_good = _save(run_dir, step, meta, modules, ema, sampler, noise)
                    prune_checkpoints(run_dir, run.keep_checkpoints)
                    _write_samples(run_dir, _samples(generator, ema, run), data, shape, modes)
    finally:
        logger.close()
    if last_good is not None and not (run_dir / SAMPLES_FILE).exists():
        _write_samples(run_dir, _samples(generator, ema, run), data, shape, modes)
    return _finish(run_dir, "ok", config.steps, "", last_good, clock)


class LearningRates:
    """The config's learning-rate schedule: before generator step k every optimizer's rates are its initial ones
    times `config.lr_scale(k)` (nothing is touched when that is None). The rates are a function of the step alone,
    so a resumed run follows the same schedule as an uninterrupted one."""

    def __init__(self, modules: GanModules, config: ModelConfig) -> None:
        self.config = config
        self.optimizers = list(modules.optimizers().values())
        # read before any checkpoint is restored (load_state_dict replaces the groups with the saved, decayed ones)
        self.initial = [[group["lr"] for group in optimizer.param_groups] for optimizer in self.optimizers]

    def apply(self, step: int) -> None:
        scale = self.config.lr_scale(step)
        if scale is None:
            return
        for optimizer, rates in zip(self.optimizers, self.initial, strict=True):
            for group, lr in zip(optimizer.param_groups, rates, strict=True):
                group["lr"] = lr * scale


def _run_meta(
    family: Family,
    config: ModelConfig,
    run: RunConfig,
    shape: DataShape,
    n_train: int,
    device: torch.device,
    has_ema: bool,
) -> dict[str, Any]:
    """Everything a checkpoint records about the run besides its state."""
    return {
        "family": family.name,
        "paper": family.paper,
        "model_config": dataclasses.asdict(config),
        "run_config": dataclasses.asdict(run),
        "seed": run.seed,
        "dataset": run.dataset,
        "data_shape": dataclasses.asdict(shape),
        "n_train": n_train,
        "device": str(device),
        "has_ema": has_ema,
        "ganbench_version": ganbench.__version__,
        "torch_version": torch.__version__,
    }


def _check_same_run(checkpoint: Checkpoint, meta: dict[str, Any], run_dir: Path) -> None:
    """Resuming is only allowed into the same run: same family, data and settings (only `steps` may grow)."""
    old = checkpoint.meta
    differences = [key for key in ("family", "seed", "data_shape", "n_train", "has_ema") if old.get(key) != meta[key]]
    old_config = {k: v for k, v in old["model_config"].items() if k != "steps"}
    new_config = {k: v for k, v in meta["model_config"].items() if k != "steps"}
    differences += sorted(k for k in old_config.keys() | new_config.keys() if old_config.get(k) != new_config.get(k))
    if differences:
        raise GanbenchError(
            f"{run_dir} holds a run with different {', '.join(differences)}; resume it with the same settings "
            f"(only --steps may change) or choose a new --out"
        )
    if meta["model_config"].get("lr_decay", "none") != "none" and not meta["model_config"].get("lr_decay_steps"):
        if old["model_config"]["steps"] != meta["model_config"]["steps"]:
            raise GanbenchError(
                f"{run_dir} holds a run whose learning rate decays over its {old['model_config']['steps']} steps "
                f"(lr_decay_steps=0), so --steps cannot change when resuming it; resume with --steps "
                f"{old['model_config']['steps']} or choose a new --out"
            )


def _restore(
    checkpoint: Checkpoint, modules: GanModules, ema: WeightAverage | None, sampler: BatchSampler, noise: StepNoise
) -> None:
    """Load weights, optimizer states and every RNG from `checkpoint`."""
    for prefix, network in modules.networks().items():
        network.load_state_dict(checkpoint.module_state(prefix))
    for prefix, optimizer in modules.optimizers().items():
        optimizer.load_state_dict(checkpoint.optimizer_state(prefix))
    if ema is not None:
        ema.module.load_state_dict(checkpoint.module_state("ema"))
    restore_global_rng(checkpoint)
    sampler.set_state(checkpoint.meta["rng"]["data_order"])
    noise.set_state(checkpoint.tensors["rng.train_noise"])


def _save(
    run_dir: Path,
    step: int,
    meta: dict[str, Any],
    modules: GanModules,
    ema: WeightAverage | None,
    sampler: BatchSampler,
    noise: StepNoise,
) -> Path:
    """Write the checkpoint of `step`; returns its sidecar."""
    tensors: dict[str, torch.Tensor] = {}
    for prefix, network in modules.networks().items():
        tensors |= module_tensors(prefix, network)
    if ema is not None:
        tensors |= module_tensors("ema", ema.module)
    layouts = {}
    for prefix, optimizer in modules.optimizers().items():
        optimizer_state, layouts[prefix] = optimizer_tensors(prefix, optimizer)
        tensors |= optimizer_state
    rng_tensors, rng_json = global_rng_state()
    tensors |= rng_tensors | {"rng.train_noise": noise.state()}
    record = meta | {"optimizers": layouts, "rng": rng_json | {"data_order": sampler.state()}}
    return save_checkpoint(run_dir, step, tensors, record)


def _flush(pending: list[tuple[int, dict[str, torch.Tensor]]], logger: RunLogger) -> tuple[int, str] | None:
    """Log pending losses (one device sync); (step, reason) of the first non-finite one, else None."""
    if not pending:
        return None
    names = list(pending[0][1])
    values = torch.stack([torch.stack([losses[n].float() for n in names]) for _, losses in pending]).cpu().tolist()
    try:
        for (step, _), row in zip(pending, values, strict=True):
            losses = dict(zip(names, row, strict=True))
            logger.record(step, losses)
            bad = [f"{n}={v}" for n, v in losses.items() if not math.isfinite(v)]
            if bad:
                return step, f"non-finite loss at step {step}: {', '.join(bad)}"
        logger.advance(len(pending), losses)
        return None
    finally:
        pending.clear()


def _finite_weights(modules: GanModules) -> bool:
    params = [p for network in modules.networks().values() for p in network.parameters()]
    return bool(torch.stack([p.detach().isfinite().all() for p in params]).all())


@torch.no_grad()
def _samples(generator: torch.nn.Module, ema: WeightAverage | None, run: RunConfig) -> torch.Tensor:
    """The fixed-noise sample grid of the run, from the EMA generator when there is one, in eval mode."""
    module = ema.module if ema is not None else generator
    was_training = module.training
    module.eval()
    try:
        return generate(module, run.grid_size, seed=run.seed)
    finally:
        module.train(was_training)


def _write_samples(
    run_dir: Path, samples: torch.Tensor, data: ArraySplit, shape: DataShape, modes: np.ndarray | None
) -> None:
    kind_of(shape).save_training_preview(samples, run_dir / SAMPLES_FILE, data.data, modes)


def _finish(
    run_dir: Path,
    status: Literal["ok", "diverged"],
    step: int,
    reason: str,
    checkpoint: Path | None,
    clock: Clock,
) -> TrainResult:
    """Build the result and record it as result.json."""
    result = TrainResult(status, step, reason, run_dir, checkpoint, *clock.elapsed(step))
    record = {"status": status, "step": step, "reason": reason, "checkpoint": str(checkpoint) if checkpoint else None}
    write_text_atomic(run_dir / "result.json", json.dumps(record, indent=1))
    return result
