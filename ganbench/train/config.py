"""Run settings: everything about a training run that is not a model hyper-parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ganbench.errors import GanbenchError


@dataclass(frozen=True)
class RunConfig:
    """How a run is executed and recorded; changing these never changes what a model is.

    seed: fixes weight init, data order and training noise. device: "cpu", "cuda", "cuda:N"
    or "auto". amp "bf16": bf16 autocast on CUDA (ignored with a warning on CPU).
    deterministic: deterministic cuDNN / torch algorithms. compile: torch.compile the
    networks on CUDA (falls back to eager if compiling fails). checkpoint_every / log_every /
    sample_every are in generator steps; keep_checkpoints old checkpoints are kept. estimate_runs > 0: once the
    loop has run a few seconds, print one line with the measured speed and the projected wall time of this run and
    of `estimate_runs` runs like it, each of `estimate_steps` generator steps (0: this run's steps), `estimate_jobs`
    of them at once (the runner sets these on a grid's first cell, and only its first training segment prints).
    """

    seed: int = 0
    device: str = "auto"
    amp: Literal["none", "bf16"] = "none"
    deterministic: bool = False
    compile: bool = True
    checkpoint_every: int = 1000
    keep_checkpoints: int = 2
    log_every: int = 50
    sample_every: int = 1000
    grid_size: int = 64
    dataset: str = ""
    progress: bool = True
    tensorboard: bool = True
    estimate_runs: int = 0
    estimate_steps: int = 0
    estimate_jobs: int = 1

    def validate(self) -> None:
        """Raise a GanbenchError naming the first out-of-range setting."""
        if self.amp not in ("none", "bf16"):
            raise GanbenchError(f"unknown --amp {self.amp!r}; use 'none' or 'bf16'")
        for name in ("checkpoint_every", "keep_checkpoints", "log_every", "sample_every", "grid_size"):
            if getattr(self, name) < 1:
                raise GanbenchError(f"--{name.replace('_', '-')} must be at least 1")
