"""What a training run directory holds and how a run is opened, saved, checked and closed; shared by the loop of
the training loop (ganbench.train.loop), which trains one run or several together.

A run directory holds checkpoints/, losses.csv, run.json (what was asked), result.json (how it ended),
samples.png and, when TensorBoard is importable, tensorboard/.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
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
    misfit,
    module_tensors,
    newest_good_checkpoint,
    optimizer_tensors,
    restore_global_rng,
    save_checkpoint,
)
from ganbench.config_parsing import with_absent_means
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
from ganbench.train.fast import channels_last, configure_backends
from ganbench.train.log import SAMPLES_FILE, RunLogger
from ganbench.train.timing import Clock

#: The global RNG states a checkpoint records: (tensors, JSON-able values), as checkpoint.global_rng_state gives.
RngState = tuple[dict[str, torch.Tensor], dict[str, Any]]


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


def run_meta(
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


def check_same_run(checkpoint: Checkpoint, meta: dict[str, Any], run_dir: Path, config_type: type) -> None:
    """Resuming is only allowed into the same run: same family, data and settings (only `steps` may grow). A setting
    the stored run predates counts as the value the config type's ABSENT_MEANS says it trained with."""
    old = checkpoint.meta
    differences = [key for key in ("family", "seed", "data_shape", "n_train", "has_ema") if old.get(key) != meta[key]]
    old_config = {k: v for k, v in with_absent_means(config_type, old["model_config"]).items() if k != "steps"}
    new_config = {k: v for k, v in meta["model_config"].items() if k != "steps"}
    differences += [
        f"{k} (the run has {old_config.get(k)!r}, this one {new_config.get(k)!r})"
        for k in sorted(old_config.keys() | new_config.keys())
        if old_config.get(k) != new_config.get(k)
    ]
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


def restore_state(
    checkpoint: Checkpoint, modules: GanModules, ema: WeightAverage | None, sampler: BatchSampler, noise: StepNoise
) -> None:
    """Load weights, optimizer states and every RNG from `checkpoint`; refused in one sentence, before anything
    loads, when a network's tensors there do not fit the network built for the run."""
    networks = {**modules.networks(), **({"ema": ema.module} if ema is not None else {})}
    family = checkpoint.meta["family"]
    for prefix, network in networks.items():
        mismatch = misfit(network.state_dict(), checkpoint.module_state(prefix))
        if mismatch:
            raise GanbenchError(
                f"{checkpoint.path}: its {prefix} tensors do not fit the {family} {prefix} this ganbench builds for "
                f"the run ({mismatch}); it was written by a ganbench whose {family} networks differ from this one's "
                "or belongs to another run: resume it with the version that wrote it or choose a new --out"
            )
    for prefix, network in networks.items():
        network.load_state_dict(checkpoint.module_state(prefix))
    for prefix, optimizer in modules.optimizers().items():
        optimizer.load_state_dict(checkpoint.optimizer_state(prefix))
    restore_global_rng(checkpoint)
    sampler.set_state(checkpoint.meta["rng"]["data_order"])
    noise.set_state(checkpoint.tensors["rng.train_noise"])


def save_state(
    run_dir: Path,
    step: int,
    meta: dict[str, Any],
    modules: GanModules,
    ema: WeightAverage | None,
    sampler: BatchSampler,
    noise: StepNoise,
    rng: RngState | None = None,
) -> Path:
    """Write the checkpoint of `step`; returns its sidecar. `rng`: the global RNG states to record (default: the
    current ones)."""
    tensors: dict[str, torch.Tensor] = {}
    for prefix, network in modules.networks().items():
        tensors |= module_tensors(prefix, network)
    if ema is not None:
        tensors |= module_tensors("ema", ema.module)
    layouts = {}
    for prefix, optimizer in modules.optimizers().items():
        optimizer_state, layouts[prefix] = optimizer_tensors(prefix, optimizer)
        tensors |= optimizer_state
    rng_tensors, rng_json = rng or global_rng_state()
    tensors |= rng_tensors | {"rng.train_noise": noise.state()}
    record = meta | {"optimizers": layouts, "rng": rng_json | {"data_order": sampler.state()}}
    return save_checkpoint(run_dir, step, tensors, record)


def flush_losses(pending: list[tuple[int, dict[str, torch.Tensor]]], logger: RunLogger) -> tuple[int, str] | None:
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


def finite_weights(modules: GanModules) -> bool:
    params = [p for network in modules.networks().values() for p in network.parameters()]
    return bool(torch.stack([p.detach().isfinite().all() for p in params]).all())


@torch.no_grad()
def sample_grid(generator: torch.nn.Module, ema: WeightAverage | None, run: RunConfig) -> torch.Tensor:
    """The fixed-noise sample grid of the run, from the EMA generator when there is one, in eval mode."""
    module = ema.module if ema is not None else generator
    was_training = module.training
    module.eval()
    try:
        return generate(module, run.grid_size, seed=run.seed)
    finally:
        module.train(was_training)


def write_samples(
    run_dir: Path, samples: torch.Tensor, data: ArraySplit, shape: DataShape, modes: np.ndarray | None
) -> None:
    kind_of(shape).save_training_preview(samples, run_dir / SAMPLES_FILE, data.data, modes)


def finish(
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


@dataclass
class OpenRun:
    """A run directory opened for training: the built (and, when resuming, restored) networks, optimizers, data
    order and noise, the run's record `meta`, the step it goes on from (`start`, 0 when new) and its last good
    checkpoint. `rng`: the global RNG states right after opening (what a step that draws nothing from them
    leaves for checkpoints to record)."""

    family: Family
    config: ModelConfig
    run: RunConfig
    data: ArraySplit
    shape: DataShape
    device: torch.device
    amp: bool
    run_dir: Path
    modules: GanModules
    ema: WeightAverage | None
    sampler: BatchSampler
    noise: StepNoise
    meta: dict[str, Any]
    start: int
    last_good: Path | None
    rng: RngState
    schedule: LearningRates


def open_run(
    family_name: str, config: ModelConfig, run: RunConfig, data: ArraySplit, out_dir: str | Path, shape: DataShape | None
) -> OpenRun:
    """Check the settings and data, seed, build the networks and optimizers, and resume from the run directory's
    newest good checkpoint when there is one (else write run.json). A run directory with another run, or already
    trained past `config.steps`, is a GanbenchError."""
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
        warnings.warn("--amp bf16 is only used on CUDA; training in float32 on the CPU", stacklevel=3)
        amp = False
        run = dataclasses.replace(run, amp="none")  # run.json and checkpoints record what was used
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
    meta = run_meta(family, config, run, shape, len(data), device, ema is not None)

    start, last_good = 0, None
    checkpoint = newest_good_checkpoint(run_dir)
    if checkpoint is not None:
        check_same_run(checkpoint, meta, run_dir, type(config))
        start, last_good = checkpoint.meta["step"], checkpoint.path
        if start > config.steps:
            raise GanbenchError(
                f"{run_dir} was already trained to step {start}, past --steps {config.steps}; pass --steps {start} "
                "or more to go on, score its checkpoints, or choose a new --out"
            )
        restore_state(checkpoint, modules, ema, sampler, noise)
    else:
        write_text_atomic(run_dir / "run.json", json.dumps(meta, indent=1, sort_keys=True))
    return OpenRun(
        family, config, run, data, shape, device, amp, run_dir, modules, ema, sampler, noise, meta, start, last_good,
        global_rng_state(), schedule,
    )
