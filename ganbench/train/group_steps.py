"""The two ways the training loop (ganbench.train.loop) takes one step for the runs it trains together.

Runs trained together share a family, config and settings and differ only in their seed. Each run keeps its own
networks, optimizers, data order, step noise and global RNG states, so what it computes never depends on which
runs share its loop.

- `OneByOne`: each run's own `family.train_step`, one run after another, with that run's global RNG states swapped
  in around its step. Any family; each run does exactly what it does alone, so its numbers are bit-identical to
  the run trained alone wherever a run alone is reproducible (on the CPU, tests/test_grouped.py).
- `Vmapped`: the family's own `simultaneous_losses` once for all runs, with `torch.func.vmap` over `functional_call`
  of the unmodified networks and the runs' stacked weights (ganbench.train.stacked), then one optimizer step on the
  stacked tensors. This is what grouping exists for on a GPU, where a 2-D network's step is bound by kernel
  launches. The batched backward of a linear layer sums in another order than one run's, so weights differ from a
  run trained alone in the last bits (1e-16 relative per step in float64, tests/test_grouped.py), and GAN training
  amplifies that over many steps: the loop uses it on CUDA only (`choose_steps`), where rows are already not
  bit-reproducible across GPU models.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from ganbench.checkpoint import raw_rng_states, set_raw_rng_states
from ganbench.errors import GanbenchError
from ganbench.models.base import Family, ModelConfig
from ganbench.models.step import GanModules
from ganbench.train.config import RunConfig
from ganbench.train.fast import compile_modules
from ganbench.train.run_state import OpenRun, RngState
from ganbench.train.stacked import StackedRuns, unstackable

Losses = dict[str, torch.Tensor]


class GlobalRngs:
    """The process's global RNG states (torch CPU and CUDA, Python, NumPy) as one run left them, to swap in and out."""

    def __init__(self, record: RngState) -> None:
        self.states = raw_rng_states(*record)

    @contextlib.contextmanager
    def swapped_in(self) -> Iterator[None]:
        """These states in place for the block; what the block leaves becomes these states."""
        set_raw_rng_states(self.states)
        try:
            yield
        finally:
            cuda = torch.cuda.get_rng_state_all() if self.states[1] is not None else None
            self.states = (torch.get_rng_state(), cuda, random.getstate(), np.random.get_state())


def _own(rngs: GlobalRngs | None) -> contextlib.AbstractContextManager:
    return rngs.swapped_in() if rngs is not None else contextlib.nullcontext()


def _fast(run: OpenRun) -> GanModules:
    """The networks as the run's step runs them: compiled on CUDA when the run asks for it."""
    if run.device.type == "cuda" and run.run.compile and run.start < run.config.steps:
        preview = run.sampler.preview()
        return compile_modules(run.modules, run.family, run.config, (preview.x, preview.y), run.amp, mode="default")
    return run.modules


class OneByOne:
    """Each run's own train step in turn, on its networks as `_fast` gives them."""

    def __init__(self, runs: Sequence[OpenRun]) -> None:
        self.runs = list(runs)
        self.fast = [_fast(run) for run in self.runs]
        # A run alone draws from the process's global RNGs as they are; runs together each keep their own copy,
        # taken when the run was opened, swapped in around everything the run does.
        self.rngs = [GlobalRngs(run.rng) if len(self.runs) > 1 else None for run in self.runs]

    def step(self, step: int) -> list[Losses]:
        out = []
        for k, run in enumerate(self.runs):
            with _own(self.rngs[k]):
                run.schedule.apply(step)
                batches = [run.sampler.next() for _ in range(run.config.n_critic)]
                out.append(run.family.train_step(self.fast[k], batches, run.noise, run.config, run.amp))
                if run.ema is not None:
                    run.ema.update(run.modules.generator)
        return out

    def own_rngs(self, k: int) -> contextlib.AbstractContextManager:
        """Run k's global RNG states in place for the block (a no-op for a run alone)."""
        return _own(self.rngs[k])

    def sync(self) -> None:
        """Nothing to copy: every run's networks are its own."""

    def drop(self, keep: Sequence[int]) -> None:
        """Go on with runs `keep` (indices into the current runs) only."""
        self.runs = [self.runs[k] for k in keep]
        self.fast = [self.fast[k] for k in keep]
        self.rngs = [self.rngs[k] for k in keep]


class Vmapped:
    """All runs' simultaneous update as one batched computation (see the module docstring)."""

    def __init__(self, runs: Sequence[OpenRun]) -> None:
        self.runs = list(runs)
        self.stacked = self._stack()
        # the batched step draws nothing from the global RNGs (vmap's randomness="error" checks it), but sampling
        # and checkpoints between steps must see each run's own
        self.rngs = [GlobalRngs(run.rng) for run in self.runs]

    def step(self, step: int) -> list[Losses]:
        batches = [run.sampler.next() for run in self.runs]
        losses = self.stacked.step(batches, [run.noise for run in self.runs])
        return [{name: value[k] for name, value in losses.items()} for k in range(len(self.runs))]

    def own_rngs(self, k: int) -> contextlib.AbstractContextManager:
        return _own(self.rngs[k])

    def sync(self) -> None:
        """Copy every run's slices into its own networks and optimizers (before they are checked, sampled or saved)."""
        for k, run in enumerate(self.runs):
            self.stacked.write_back(k, run.modules)

    def drop(self, keep: Sequence[int]) -> None:
        self.sync()
        self.runs = [self.runs[k] for k in keep]
        if self.runs:
            self.stacked = self._stack()
        self.rngs = [self.rngs[k] for k in keep]

    def _stack(self) -> StackedRuns:
        first = self.runs[0]
        return StackedRuns([run.modules for run in self.runs], first.family.simultaneous_losses, first.config)


def vmap_refusal(family: Family, config: ModelConfig, run: RunConfig, modules: GanModules) -> str | None:
    """Why runs of `family` cannot take the Vmapped step (None when they can)."""
    if family.simultaneous_losses is None or not getattr(config, "simultaneous", True):
        return f"{family.name} does not update both networks at once from the same parameters"
    if getattr(config, "n_critic", 1) != 1:
        return "more than one discriminator step per generator step is not batched"
    if config.ema > 0:
        return "the generator's weight average (ema) is not batched"
    if config.lr_scale(1) is not None:
        return "a learning-rate schedule is not batched"
    if run.amp != "none":
        return "mixed precision is not batched"
    return unstackable(modules)


def choose_steps(runs: Sequence[OpenRun], force: str = "auto") -> OneByOne | Vmapped:
    """Vmapped for two or more runs on CUDA whose family and settings allow it, else OneByOne. `force` "vmap" asks
    for Vmapped on any device (benchmarks and tests; a GanbenchError where `vmap_refusal` refuses it), "one-by-one"
    for OneByOne."""
    first = runs[0]
    refusal = vmap_refusal(first.family, first.config, first.run, first.modules)
    if force == "vmap" and refusal is not None:
        raise GanbenchError(f"cannot batch the steps of {first.family.name}: {refusal}")
    wanted = force == "vmap" or (force == "auto" and first.device.type == "cuda")
    if wanted and len(runs) > 1 and refusal is None:
        return Vmapped(runs)
    return OneByOne(runs)
