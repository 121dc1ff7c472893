"""Running a benchmark grid end to end: plan, warm the reference cache, run the unfinished cells (with the grid's
executor: local processes, or Ray tasks).

Running the same grid again skips finished cells and continues the others from their last checkpoint;
result rows are never measured twice. One `ganbench run` at a time per run directory: its lock file is held
while the grid runs (a second run on it is refused, naming the first; a lock left by a killed process is free).
Lines of results.jsonl that do not parse are moved to results.jsonl.damaged before planning, so what is done is
decided from the rows that parse. The leaderboard and figures are made by ganbench.runner.report.
"""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ganbench.errors import GanbenchError
from ganbench.locks import acquire
from ganbench.paths import writable_folder
from ganbench.report.results import quarantine_damaged_lines, results_path
from ganbench.runner.cell import CellOutcome
from ganbench.runner.evaluate import warm_reference
from ganbench.runner.grid_config import GridConfig, GridPlan
from ganbench.runner.plan import finished_jobs, grid_executor, plan_grid, write_grid_file
from ganbench.runner.suite_runs import suite_status
from ganbench.runner.threads import ThreadChoice, busy_advice, cell_threads
from ganbench.train.data import load_training_split

#: The run directory's lock file (holds the pid and command of the `ganbench run` using it).
RUN_LOCK_FILE = ".ganbench-run.lock"


def run_grid(config: GridConfig, log: Callable[[str], None] = print) -> tuple[GridPlan, list[CellOutcome]]:
    """Plan, warm the reference cache, run the unfinished cells; returns the plan and their outcomes."""
    writable_folder(config.out, "--out", create=False)  # a read-only or full --out: before the data is loaded
    plan = plan_grid(config)  # every name and setting checked before anything is written
    out = writable_folder(config.out, "--out")
    if results_path(out).is_dir():  # else found only when the first rows are appended, after training
        raise GanbenchError(f"{results_path(out)} is a folder, not the run's results file; move it away or choose another --out")
    with acquire(out / RUN_LOCK_FILE, f"the run directory {out}"):
        return _run_locked(config, plan, log)


def _run_locked(config: GridConfig, plan: GridPlan, log: Callable[[str], None]) -> tuple[GridPlan, list[CellOutcome]]:
    moved, damaged = quarantine_damaged_lines(Path(config.out))
    if moved:
        log(f"moved {moved} damaged line(s) of results.jsonl to {damaged}; their measurements are taken again")
    plan = replace(plan, finished=finished_jobs(plan.jobs, Path(config.out)))  # decided under the lock
    todo = [job for job in plan.jobs if job not in plan.finished]
    steps = sorted({job.model_config.steps for job in plan.jobs})
    log(
        f"grid: {len(config.models)} model(s) x {len(config.seeds)} seed(s) = {len(plan.jobs)} cells on {config.dataset}, "
        f"{'/'.join(map(str, steps))} steps each, {len(plan.jobs[0].eval_steps) if plan.jobs else 0} evaluations per cell"
    )
    plan = replace(plan, threads=threads_for(config, plan))
    if plan.threads is not None and todo:
        log(f"threads: {plan.threads.threads} per cell ({plan.threads.reason})")
        advice = busy_advice(plan.threads) if config.threads is None else None
        if advice:
            log(advice)
    write_grid_file(config, plan)
    if config.suite is not None:
        log(suite_status(config.suite, [job.record for job in plan.jobs]))
    if plan.finished:
        log(f"{len(plan.finished)} of {len(plan.jobs)} cells already finished in {config.out}; skipping them")
    if not todo:
        return plan, []
    with grid_executor(config).session(config, log) as run_cells:  # connected and checked before the reference is warmed
        warm_reference(plan.eval)
        return plan, run_cells(todo, plan)


def threads_for(config: GridConfig, plan: GridPlan) -> ThreadChoice | None:
    """The CPU threads of each cell this run trains: --threads on any executor, else, on the local one,
    runner.threads' rule for the grid's cells at once (all of them, not those left, so that a resumed run trains its
    cells with the threads of an uninterrupted one); None under Ray without --threads (a Ray cell then takes its
    --ray-cpus-per-cell)."""
    if config.threads is not None:
        return cell_threads({}, None, 1, config.threads)
    if config.executor != "local":
        return None
    at_once = max(1, min(len(plan.slots), -(-len(plan.jobs) // max(config.group_cells, 1))))
    _, shape, _ = load_training_split(config.dataset, plan.eval.score.data_config)  # loaded once per process
    models = {job.model: job.model_config for job in plan.jobs}
    return cell_threads(models, shape, at_once, None)
