"""Running several cells of a grid in one process, their training done in one loop (`--group-cells`).

`group_jobs` puts cells that differ only in their seed (same model, settings and evaluation steps) into groups of
at most N. `run_cell_group` runs one group: each cell does exactly what run_cell does (its lock, resume,
evaluations, rows, cell.json; runner.cell.cell_steps), only its training to each evaluation step is done together
with the groupmates that need the same step (ganbench.train.loop.train_runs: on CUDA one batched step for a
family with a simultaneous update, else each cell's own step in turn). When training together fails, its cells
are trained again one by one, so one cell's error (a run directory from other settings, say) stays that cell's
failure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from ganbench.runner.cell import (
    CellJob,
    CellOutcome,
    CellSteps,
    RowSink,
    TrainRequest,
    TrainResult,
    cell_steps,
    lock_cell,
    train_alone,
)
from ganbench.train.loop import shared_settings, train_runs


def _group_key(job: CellJob) -> tuple:
    return (job.model, job.model_config, shared_settings(job.run_config), job.eval_steps, job.dataset)


def group_jobs(jobs: Sequence[CellJob], size: int) -> list[tuple[CellJob, ...]]:
    """The jobs in groups of at most `size` cells that can train together, in the order of their first job."""
    if size <= 1:
        return [(job,) for job in jobs]
    by_key: dict[tuple, list[CellJob]] = {}
    for job in jobs:
        by_key.setdefault(_group_key(job), []).append(job)
    return [tuple(members[i : i + size]) for members in by_key.values() for i in range(0, len(members), size)]


def run_cell_group(jobs: Sequence[CellJob], log=print, sink: RowSink | None = None) -> list[CellOutcome]:
    """Run every cell of the group as run_cell would (same rows, checkpoints and outcomes), training the cells
    together; outcomes in the order of the jobs. Never raises for a cell's own error."""
    outcomes: dict[int, CellOutcome] = {}
    with contextlib.ExitStack() as locks:
        steps: dict[int, CellSteps] = {}
        for i, job in enumerate(jobs):
            lock = lock_cell(job, log)
            if isinstance(lock, CellOutcome):
                outcomes[i] = lock
            else:
                locks.enter_context(lock)
                steps[i] = cell_steps(job, log, sink)
        requests: dict[int, TrainRequest] = {}
        for i, cell in steps.items():
            _advance(i, cell, None, requests, outcomes)
        while requests:
            target = min(request.config.steps for request in requests.values())
            batch = [i for i, request in requests.items() if request.config.steps == target]
            results = _train_together([requests.pop(i) for i in batch], log)
            for i, result in zip(batch, results, strict=True):
                _advance(i, steps[i], result, requests, outcomes)
    return [outcomes[i] for i in range(len(jobs))]


def _advance(
    i: int,
    cell: CellSteps,
    given: TrainResult | Exception | None,
    requests: dict[int, TrainRequest],
    outcomes: dict[int, CellOutcome],
) -> None:
    """Resume cell i's steps with its training's result or error (None: start it) until its next training
    request (kept in `requests`) or its end (its outcome kept in `outcomes`)."""
    try:
        if given is None:
            requests[i] = next(cell)
        elif isinstance(given, Exception):
            requests[i] = cell.throw(given)
        else:
            requests[i] = cell.send(given)
    except StopIteration as done:
        outcomes[i] = done.value


def _train_together(requests: list[TrainRequest], log) -> list[TrainResult | Exception]:
    """Train the requests (one evaluation step, one group) together; if that fails, each alone."""
    if len(requests) > 1:
        first = requests[0]
        try:
            return train_runs(
                first.job.model,
                first.config,
                [request.job.run_config for request in requests],
                first.split,
                [request.job.cell_dir for request in requests],
                shape=first.shape,
                modes=first.modes,
                on_progress=[request.progress for request in requests],
            )
        except Exception as error:  # noqa: BLE001  (one cell's problem must not fail its groupmates)
            labels = ", ".join(request.job.label for request in requests)
            log(f"[{labels}] training together failed ({type(error).__name__}: {error}); training them one by one")
    results: list[TrainResult | Exception] = []
    for request in requests:
        try:
            results.append(train_alone(request))
        except Exception as error:  # noqa: BLE001  (recorded by the cell)
            results.append(error)
    return results
