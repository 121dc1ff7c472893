"""How a grid's cells run, chosen once per run: here and in processes on this machine (the default), or as tasks
on a Ray cluster. run_grid talks only to the Executor interface; `executor_named` is the one place where the name
given to `--executor` becomes an executor.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ganbench.errors import GanbenchError
from ganbench.runner.cell import CellJob, CellOutcome
from ganbench.runner.grid_config import GridConfig, GridPlan
from ganbench.runner.grouped_cells import group_jobs
from ganbench.runner.local_cells import device_slots, run_cells
from ganbench.runner.ray_executor import RayExecutor

#: Runs the given unfinished cells of a planned grid; the outcomes come in the order the jobs were given.
CellRunner = Callable[[Sequence[CellJob], GridPlan], list[CellOutcome]]


class Executor(Protocol):
    """Where and how the cells of a grid run. What a cell does is the same everywhere (runner.cell.run_cell)."""

    def slots(self, device: str, jobs: int | None, jobs_per_gpu: int) -> tuple[str, ...]:
        """The devices planning uses: slots[0] is where this process warms the reference cache (for the local
        executor, one entry per cell run at once). A device this executor cannot use is a GanbenchError."""
        ...

    def session(self, config: GridConfig, log: Callable[[str], None]) -> contextlib.AbstractContextManager[CellRunner]:
        """Connect to where cells run and check what must hold before anything trains, yield the cell runner, and
        release what the session started."""
        ...


@dataclass(frozen=True)
class LocalExecutor:
    """Cells in this process one after another, or in parallel processes on this machine (runner.local_cells); with
    config.group_cells above 1, groups of cells trained together (runner.grouped_cells)."""

    def slots(self, device: str, jobs: int | None, jobs_per_gpu: int) -> tuple[str, ...]:
        return tuple(device_slots(device, jobs, jobs_per_gpu))

    @contextlib.contextmanager
    def session(self, config: GridConfig, log: Callable[[str], None]) -> Iterator[CellRunner]:
        def run(jobs: Sequence[CellJob], plan: GridPlan) -> list[CellOutcome]:
            at_once = min(len(plan.slots), len(group_jobs(jobs, config.group_cells)))
            parallel = at_once > 1
            where = f"{at_once} parallel processes on {', '.join(sorted(set(plan.slots)))}"
            log(f"running {len(jobs)} cell(s) on {where if parallel else plan.slots[0]}")
            return run_cells(jobs, plan.slots, log, config.group_cells, plan.threads.threads)  # set for this executor

        yield run


#: The executors by the name `--executor` takes; the first is the default.
EXECUTORS: dict[str, type] = {"local": LocalExecutor, "ray": RayExecutor}


def executor_named(name: str, settings: dict[str, dict[str, object]] | None = None) -> Executor:
    """The executor `--executor NAME` means. `settings` maps an executor's name to the settings given for it (its
    dataclass fields; the CLI option of field F of executor E is --E-F); settings for another executor are an error.
    """
    if name not in EXECUTORS:
        raise GanbenchError(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")
    settings = settings or {}
    for other, given in settings.items():
        if other != name and given:
            options = ", ".join(f"--{other}-{key.replace('_', '-')}" for key in given)
            raise GanbenchError(f"{options} only apply with --executor {other}")
    kind = EXECUTORS[name]
    known = {field.name for field in dataclasses.fields(kind)}
    unknown = sorted(set(settings.get(name, {})) - known)
    if unknown:
        raise TypeError(f"{kind.__name__} has no setting {unknown[0]!r}")
    return kind(**settings.get(name, {}))
