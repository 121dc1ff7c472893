"""Running a grid's cells: in this process one after another, or in parallel worker processes.

With one slot the cells run here, in order. With more, each cell runs in its own spawned process (a crash
or an out-of-memory kill then takes down only that cell), at most one per slot. A slot is a device: on CPU
`--jobs` slots of "cpu", each process limited to its share of the cores; with GPUs `--jobs-per-gpu` slots
per visible GPU (small GANs leave a GPU mostly idle, so several processes per GPU train faster together).

With `group_cells` N > 1, cells that differ only in their seed run N at a time in one process (or worker), their
training grouped into one computation (runner.grouped_cells); each cell's rows and files are those it gets alone.

Workers die with the process that started them (ganbench.runner.worker): killing `ganbench run` never leaves
workers training and appending behind it.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait

import torch

from ganbench.devices import visible_gpus
from ganbench.errors import GanbenchError
from ganbench.report.results import ALL_METRICS, ResultRow, append_rows
from ganbench.runner.cell import CellJob, CellOutcome, read_state, run_cell, write_state
from ganbench.runner.grouped_cells import group_jobs, run_cell_group
from ganbench.runner.worker import worker_main


def device_slots(device: str, jobs: int | None, jobs_per_gpu: int) -> list[str]:
    """The devices cells may run on at once, one entry per concurrent cell.

    device "auto" means every visible GPU (CUDA_VISIBLE_DEVICES decides), or the CPU when there is none;
    "cuda" every visible GPU; "cuda:N" that GPU only; "cpu" the CPU. `jobs` caps the total (on CPU it is the
    number of processes, default 1).
    """
    if jobs is not None and jobs < 1:
        raise GanbenchError("--jobs must be at least 1")
    if jobs_per_gpu < 1:
        raise GanbenchError("--jobs-per-gpu must be at least 1")
    gpus = visible_gpus(device)
    if not gpus:
        return ["cpu"] * (jobs or 1)
    slots = [f"cuda:{gpu}" for _ in range(jobs_per_gpu) for gpu in gpus]  # spread over GPUs first
    return slots[:jobs] if jobs else slots


def on_device(job: CellJob, device: str) -> CellJob:
    """`job` set to train and evaluate on `device`."""

    def placed(score):
        return dataclasses.replace(
            score,
            extractor_config=dataclasses.replace(score.extractor_config, device=device),
            metric_config=dataclasses.replace(score.metric_config, device=device),
        )

    return dataclasses.replace(
        job, run_config=dataclasses.replace(job.run_config, device=device), evaluation=job.evaluation.configured(placed)
    )


#: Seconds an interrupted run waits for its workers to end on SIGTERM (their exit handlers release semaphores)
#: before it kills them: Ctrl-C must stop the run even where a worker's exit hangs. Files survive a kill (every
#: write is atomic), as they survive `kill -9` of the run.
STOP_GRACE_S = 20.0

#: Exit code of a worker whose cell another live process is running (nothing was written).
BUSY_EXIT = 4
def _worker(jobs: tuple[CellJob, ...], threads: int) -> None:
    """What a worker process runs (through worker_main): one cell or one group, with a bounded number of CPU
    threads. A group's worker exits 0 once every cell has recorded how it ended (or was left to another process)."""
    torch.set_num_threads(threads)
    outcomes = _run_unit(jobs, lambda line: print(line, flush=True))
    if len(outcomes) > 1:
        sys.exit(0)
    status = outcomes[0].status
    sys.exit(BUSY_EXIT if status == "busy" else 0 if status in ("ok", "diverged") else 3)


def stop_workers(processes: Sequence[multiprocessing.Process], grace_s: float = STOP_GRACE_S) -> None:
    """Interrupted: SIGTERM to every worker this run started, then SIGKILL to those still alive after `grace_s`."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace_s
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def _run_unit(jobs: tuple[CellJob, ...], log: Callable[[str], None]) -> list[CellOutcome]:
    return [run_cell(jobs[0], log=log)] if len(jobs) == 1 else run_cell_group(jobs, log=log)


def _record_crash(job: CellJob, exitcode: int | None) -> CellOutcome:
    """A worker died without recording how its cell ended (killed, out of memory, segfault): record it."""
    return record_lost_cell(job, f"worker process died (exit code {exitcode}); killed or out of memory?")


def record_lost_cell(job: CellJob, reason: str) -> CellOutcome:
    """Record a cell whose worker died before it could say how the cell ended: a failed '*' row and cell.json."""
    state = read_state(job.cell_dir)
    step = int(state.get("step", 0))
    row = ResultRow(
        model=job.model,
        dataset=job.dataset,
        seed=job.seed,
        step=step,
        metric=ALL_METRICS,
        value=float("nan"),
        config=job.record,
        status="failed",
        reason=reason,
        run_name=job.run_name,
    )
    append_rows(job.run_dir, [row])
    write_state(job.cell_dir, **{**state, "status": "failed", "reason": reason})
    return CellOutcome(job.model, job.seed, "failed", step, reason, 1)


def _ended(job: CellJob, exitcode: int | None, grouped: bool) -> CellOutcome:
    if exitcode == BUSY_EXIT and not grouped:
        return CellOutcome(job.model, job.seed, "busy", 0, "another live process is running this cell")
    state = read_state(job.cell_dir)
    if state.get("status") in ("ok", "diverged", "failed"):
        return CellOutcome(job.model, job.seed, state["status"], int(state.get("step", 0)), state.get("reason", ""))
    if grouped and exitcode == 0:  # the group ended normally without this cell: another process holds it
        return CellOutcome(job.model, job.seed, "busy", 0, "another live process is running this cell")
    return _record_crash(job, exitcode)


class GridProgress:
    """'grid: 2/4 cells done, 1 running, 45 s elapsed, ETA 45 s' after each cell (the ETA assumes equal cells)."""

    def __init__(self, total: int, log: Callable[[str], None]) -> None:
        self.total, self.done, self.log = total, 0, log
        self.start = time.perf_counter()

    def cell_ended(self, running: int) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        left = self.total - self.done
        eta = f", ETA {elapsed / self.done * left:.0f} s" if left else ""
        self.log(f"grid: {self.done}/{self.total} cells done, {running} running, {elapsed:.0f} s elapsed{eta}")


def run_cells(
    jobs: Sequence[CellJob],
    slots: Sequence[str],
    log: Callable[[str], None],
    group_cells: int,
    threads: int,
) -> list[CellOutcome]:
    """Run every job, at most len(slots) cells or groups of `group_cells` cells at a time; outcomes in the order
    the jobs were given. `threads`: CPU threads per cell, as runner.threads chose them for the whole grid."""
    progress = GridProgress(len(jobs), log)
    units = group_jobs(jobs, group_cells)
    position = {id(job): index for index, job in enumerate(jobs)}
    outcomes: dict[int, CellOutcome] = {}
    if len(slots) <= 1 or len(units) <= 1:
        device = slots[0] if slots else "cpu"
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            for unit in units:
                for job, outcome in zip(unit, _run_unit(tuple(on_device(job, device) for job in unit), log), strict=True):
                    outcomes[position[id(job)]] = outcome
                    progress.cell_ended(running=0)
        finally:
            torch.set_num_threads(before)
        return [outcomes[i] for i in range(len(jobs))]
    context = multiprocessing.get_context("spawn")  # CUDA cannot be forked; spawn is also safe on CPU
    pending = deque(units)
    free = list(slots)
    running: dict[int, tuple[multiprocessing.Process, tuple[CellJob, ...], str]] = {}
    try:
        while pending or running:
            while pending and free:
                unit = pending.popleft()
                device = free.pop(0)
                placed = tuple(on_device(job, device) for job in unit)
                payload = pickle.dumps((_worker, (placed, threads)))
                labels = ", ".join(job.label for job in unit)
                process = context.Process(target=worker_main, args=(os.getpid(), payload), name=f"ganbench {labels}")
                process.start()
                log(f"[{labels}] started on {device} (pid {process.pid})")
                running[process.sentinel] = (process, unit, device)
            for sentinel in wait(list(running)):
                process, unit, device = running.pop(sentinel)
                process.join()
                for job in unit:
                    outcomes[position[id(job)]] = _ended(job, process.exitcode, grouped=len(unit) > 1)
                    progress.cell_ended(running=len(running))
                free.append(device)
    finally:
        stop_workers([process for process, *_ in running.values()])
    return [outcomes[i] for i in range(len(jobs))]
