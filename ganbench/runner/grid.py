"""Running a benchmark grid end to end: plan, warm the reference cache, run the unfinished cells.

Running the same grid again skips finished cells and continues the others from their last checkpoint;
result rows are never measured twice. The leaderboard and figures are made by ganbench.runner.report.
"""

from __future__ import annotations

from collections.abc import Callable

from ganbench.runner.cell import CellOutcome
from ganbench.runner.evaluate import warm_reference
from ganbench.runner.execute import run_cells
from ganbench.runner.plan import GridConfig, GridPlan, plan_grid, write_grid_file
from ganbench.runner.suites import suite_status


def run_grid(config: GridConfig, log: Callable[[str], None] = print) -> tuple[GridPlan, list[CellOutcome]]:
    """Plan, warm the reference cache, run the unfinished cells; returns the plan and their outcomes."""
    plan = plan_grid(config)
    todo = [job for job in plan.jobs if job not in plan.finished]
    write_grid_file(config, plan)
    if config.suite is not None:
        log(suite_status(config.suite, [job.record for job in plan.jobs]))
    if plan.finished:
        log(f"{len(plan.finished)} of {len(plan.jobs)} cells already finished in {config.out}; skipping them")
    if todo:
        warm_reference(plan.eval)
        where = (
            f"{len(plan.slots)} parallel processes on {', '.join(sorted(set(plan.slots)))}"
            if len(plan.slots) > 1 and len(todo) > 1
            else plan.slots[0]
        )
        log(f"running {len(todo)} cell(s) on {where}")
    outcomes = run_cells(todo, plan.slots, log) if todo else []
    return plan, outcomes
