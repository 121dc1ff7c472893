"""How many CPU threads a cell trains with: from the work of one training step, the usable cores and the jobs.

Threads change a cell's numbers: MKL's matrix products and BatchNorm's CPU statistics sum in another order with two
threads than with one, and training amplifies the last bits (ring8 `gan`, 400 steps: 1 mode at one thread, 5 at
two). So the rule never reads the load: the same command on the same machine trains the same networks, busy or
idle. Small networks (the 2-D MLPs) train on one thread, which a busy machine cannot slow by contention (16-19x
faster than two threads at load 19, 0.63x on an idle machine; benchmarks/RESULTS.md); larger ones share the usable
cores among the jobs, and the log says so when other work keeps cores busy (busy_advice). `--threads` overrides the
rule; benchmarks/speed/cell_threads.py measures it. Evaluation alone differs only in the last bits (a digits FID
agreed to 4e-10 relative between a cell evaluated on 1 thread and `score` on 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ganbench.models.base import MODELS, ModelConfig, build_pair

#: Below this many floating-point operations in one forward pass of generator and discriminator over a batch,
#: a cell trains on one thread (ring8's `gan`: 1.8e8, one thread fastest; mnist5k's `dcgan`: 1.8e9; measured in
#: benchmarks/speed/cell_threads.py, table in benchmarks/RESULTS.md).
PARALLEL_WORK_FLOPS = 1e9


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


def choose_threads(work: float, jobs: int, cores: int | None = None) -> ThreadChoice:
    """Threads per cell for `jobs` cells at once, each of `work` FLOPs per forward batch (step_work): a function of
    the work, the usable cores and the jobs only, never of the load, because threads change a cell's numbers
    (a different sum order in MKL's products and BatchNorm's CPU statistics, amplified by training: ring8 `gan`
    after 400 steps covered 1 mode at one thread and 5 at two). Small work gets one thread (16-19x faster than two
    on a busy machine, 0.63x on an idle one; benchmarks/RESULTS.md); larger work shares the usable cores among the
    jobs (at least 1)."""
    cores = usable_cores() if cores is None else cores
    share = max(1, cores // max(jobs, 1))
    where = f"{cores} cores, {jobs} job{'s' if jobs != 1 else ''}"
    if work < PARALLEL_WORK_FLOPS:  # false for a work that could not be counted (nan): the cores decide
        return ThreadChoice(1, f"small networks ({work:.2g} FLOPs per batch < {PARALLEL_WORK_FLOPS:.0g}), 1 thread; {where}")
    return ThreadChoice(share, f"{share} core{'s' if share != 1 else ''} per job ({where})")


def busy_advice(choice: ThreadChoice, busy: float | None = None) -> str | None:
    """One line for the log when other work keeps cores busy now and the cells have more than one thread (they then
    spin against that work: 4.7x slower measured for mnist5k's `dcgan` at load 20); None otherwise. The rule does not
    act on it itself, so that the same command gives the same numbers whatever the load."""
    if choice.threads <= 1:
        return None
    busy = busy_cores() if busy is None else busy
    if busy < 0.5:
        return None
    return (f"{busy:.1f} cores are busy with other work now: cells with {choice.threads} threads may run several "
            f"times slower; pass --threads 1 (or --jobs) to trade the same numbers for speed")


def cell_threads(models: dict[str, ModelConfig], shape, jobs: int, given: int | None) -> ThreadChoice:
    """The threads every cell of a grid uses: `given` (--threads) when set, else the rule for the grid's largest
    work."""
    if given is not None:
        return ThreadChoice(given, "--threads")
    works = [step_work(name, shape, config) for name, config in models.items()]
    counted = [work for work in works if work == work]
    return choose_threads(max(counted) if len(counted) == len(works) else float("nan"), jobs)
