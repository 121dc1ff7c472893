"""Running a benchmark grid end to end: plan, warm the reference cache, run the unfinished cells (with the grid's
executor: local processes, or Ray tasks).

Running the same grid again skips finished cells and continues the others from their last checkpoint;
result rows are never measured twice. The leaderboard and figures are made by ganbench.runner.report.
"""

from __future__ import annotations

from collections.abc import Callable

from ganbench.runner.cell import CellOutcome
from ganbench.runner.evaluate import warm_reference
from ganbench.runner.plan import GridConfig, GridPlan, plan_grid, write_grid_file


def run_grid(config: GridConfig, log: Callable[[str], None] = print) -> tuple[GridPlan, list[CellOutcome]]:
    """Plan, warm the reference cache, run the unfinished cells; returns the plan and their outcomes."""
    plan = plan_grid(config)
    todo = [job for job in plan.jobs if job not in plan.finished]
    write_grid_file(config, plan)
    if plan.finished:
        log(f"{len(plan.finished)} of {len(plan.jobs)} cells already finished in {config.out}; skipping them")
    if not todo:
        return plan, []
    with config.executor.session(config, log) as run_cells:  # connected and checked before the reference is warmed
        warm_reference(plan.eval)
        return plan, run_cells(todo, plan)
