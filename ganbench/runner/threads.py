"""How many CPU threads a cell trains with: from the work of one training step and the cores left for each job.

On a machine whose cores are busy with other work every extra thread spins against that work (measured: a 150-step
`gan` cell on ring8 at load 7 on 2 cores went 8 it/s with one thread against 0.8 it/s with two), so the rule counts
the cores idle now (a half-second sample of /proc/stat, not the load average, which lags by minutes) and shares them
among the jobs; small networks (the 2-D MLPs) get at most two threads, the most measured to pay for them.
benchmarks/speed/cell_threads.py measures the rule; `--threads` overrides it. Threads change the speed and, through the order of float32 sums, at most the last bits of a number
(a digits FID agreed to 4e-10 relative between a cell evaluated on 1 thread and `score` on 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ganbench.models.base import MODELS, ModelConfig, build_pair

#: Below this many floating-point operations in one forward pass of generator and discriminator over a batch,
#: a cell trains on one thread (ring8's `gan`: 1.8e8, one thread fastest; mnist5k's `dcgan`: 1.8e9; measured in
#: benchmarks/speed/cell_threads.py, table in benchmarks/RESULTS.md).
PARALLEL_WORK_FLOPS = 1e9
#: The most threads a cell of small work gets, where that many cores are idle: two threads made ring8's `gan` 1.25x
#: faster than one on a nearly idle 2-core machine (benchmarks/RESULTS.md); more were never measured to pay.
SMALL_WORK_THREADS = 2


@dataclass(frozen=True)
class ThreadChoice:
    """The threads each cell uses, and why (one line for the log and grid.json)."""

    threads: int
    reason: str

    def record(self) -> dict:
        return {"per_cell": self.threads, "reason": self.reason}


def step_work(family_name: str, shape, config: ModelConfig) -> float:
    """FLOPs of one forward pass of the generator and the discriminator over one batch (`config.batch_size`
    samples, packs counted as their samples), counted by torch's FlopCounterMode on a small batch."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    generator, discriminator = build_pair(MODELS.get(family_name), shape, config)
    generator.eval()
    probe = 2 * max(config.pack, 1)
    noise = torch.zeros(probe, config.z_dim)
    with torch.no_grad(), FlopCounterMode(display=False) as counted:
        try:
            fake = generator(noise) if not shape.num_classes else generator(noise, torch.zeros(probe, dtype=torch.long))
            if discriminator is not None:
                discriminator.eval()
                discriminator(fake) if not shape.num_classes else discriminator(fake, torch.zeros(probe, dtype=torch.long))
        except (TypeError, RuntimeError, ValueError):
            return float("nan")  # a family whose networks take other inputs: the cores decide alone
    return counted.get_total_flops() / probe * config.batch_size * max(config.pack, 1)


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def busy_from_stat(before: str, after: str, cores: int) -> float:
    """Cores kept busy between two readings of /proc/stat: the share of the machine's CPU time that was not idle
    (idle and iowait count as idle), in cores of this machine's `cores`."""

    def times(stat: str) -> tuple[int, int]:
        fields = [int(value) for value in stat.splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle  # guest times are already counted in user and nice

    total_before, idle_before = times(before)
    total_after, idle_after = times(after)
    elapsed = total_after - total_before
    return 0.0 if elapsed <= 0 else cores * (elapsed - (idle_after - idle_before)) / elapsed


def busy_cores(sample_seconds: float = 0.5) -> float:
    """Cores other work keeps busy now: measured over `sample_seconds` from /proc/stat where there is one (this
    process sleeps meanwhile), else the 1-minute load average (0 where the system reports neither). The load
    average lags by minutes, so after a test run ends it still reports cores as busy that are idle (issue 25)."""
    import time

    try:
        with open("/proc/stat") as stat:
            before = stat.read()
        time.sleep(sample_seconds)
        with open("/proc/stat") as stat:
            after = stat.read()
        return busy_from_stat(before, after, os.cpu_count() or 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def choose_threads(work: float, jobs: int, cores: int | None = None, busy: float | None = None) -> ThreadChoice:
    """Threads per cell for `jobs` cells at once, each of `work` FLOPs per forward batch (step_work).

    The cores left for each job are the usable cores less those other work keeps busy now, shared among the jobs
    (at least 1). Larger work gets every core left to its job; small work gets at most SMALL_WORK_THREADS, and only
    when they are left to it: on a busy machine a second thread spins against the other work.
    """
    cores = usable_cores() if cores is None else cores
    busy = busy_cores() if busy is None else busy
    left = max(1, int(cores - busy + 0.5) // max(jobs, 1))
    where = f"{cores} cores, {busy:.1f} busy, {jobs} job{'s' if jobs != 1 else ''}"
    if work < PARALLEL_WORK_FLOPS:  # false for a work that could not be counted (nan): the cores decide
        threads = min(left, SMALL_WORK_THREADS)
        return ThreadChoice(threads, f"small networks ({work:.2g} FLOPs per batch < {PARALLEL_WORK_FLOPS:.0g}), "
                                     f"{threads} thread{'s' if threads != 1 else ''}; {where}")
    return ThreadChoice(left, f"{left} core{'s' if left != 1 else ''} left per job ({where})")


def cell_threads(models: dict[str, ModelConfig], shape, jobs: int, given: int | None) -> ThreadChoice:
    """The threads every cell of a grid uses: `given` (--threads) when set, else the rule for the grid's largest
    work."""
    if given is not None:
        return ThreadChoice(given, "--threads")
    works = [step_work(name, shape, config) for name, config in models.items()]
    counted = [work for work in works if work == work]
    return choose_threads(max(counted) if len(counted) == len(works) else float("nan"), jobs)
