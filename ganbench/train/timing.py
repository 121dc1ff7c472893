"""Timing a training run: the loop's clock (wall time from the end of the first step, checkpoint writing
excluded) and the one-line speed estimate printed after the first seconds of timed training."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator

import torch

#: Seconds of timed training before the one-line speed estimate (RunConfig.estimate_runs).
ESTIMATE_AFTER_S = 5.0


def estimate_line(seconds: float, timed_steps: int, steps: int, runs: int, jobs: int = 1) -> str:
    """'estimate: 100,000 steps at 12.5 it/s (measured over 5 s) -> 2h13m per run, 6h40m for 3 runs one after another',
    or with `jobs` > 1 '..., 4h27m for 3 runs, 2 at a time (--jobs 2)' (the rate measured while they share the CPU)."""
    rate = timed_steps / seconds if seconds > 0 else math.nan
    per_run = steps / rate if rate > 0 else math.nan
    jobs = max(1, min(jobs, runs))
    how = "one after another" if jobs == 1 else f"{jobs} at a time (--jobs {jobs})"
    return (
        f"ganbench: estimate: {steps:,} steps at {rate:.3g} it/s (measured over {seconds:.0f} s) -> "
        f"{_duration(per_run)} per run, {_duration(per_run * math.ceil(runs / jobs))} for {runs} "
        f"run{'s' if runs != 1 else ''} {how}"
    )


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "unknown"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{max(minutes, 1)}m"


class Clock:
    """Loop wall time from the end of the first step (compilation, warm-up), minus checkpoint writing."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.first: tuple[int, float] | None = None
        self.excluded = 0.0

    def now(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def first_step_done(self, step: int) -> None:
        if self.first is None:
            self.first = (step, self.now())

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        start = self.now()
        try:
            yield
        finally:
            self.excluded += self.now() - start

    def elapsed(self, step: int) -> tuple[float, int]:
        """(seconds, steps) timed up to the end of `step`."""
        if self.first is None:
            return 0.0, 0
        return self.now() - self.first[1] - self.excluded, max(step - self.first[0], 0)
