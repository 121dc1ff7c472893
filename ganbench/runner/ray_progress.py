"""The driver's view of a grid running on Ray: one line for the grid and one per running cell (model, seed, step,
node, attempt).

On a terminal the lines are redrawn in place below the log lines; otherwise (a log file, a CI job, a test) they are
logged every `every_s` seconds while something changed. Starts, retries and ends of cells are always logged.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from ganbench.runner.cell import CellJob, CellOutcome

Cell = tuple[str, int]
#: Seconds between two redraws of the live lines on a terminal.
REDRAW_EVERY_S = 0.5


@dataclass
class RunningCell:
    node: str
    step: int = 0


class ProgressBoard:
    """Progress of `jobs`: call started / step / ended as the workers report, message for log lines, tick often."""

    def __init__(
        self,
        jobs: Sequence[CellJob],
        log: Callable[[str], None],
        live: bool,
        every_s: float,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.labels = {(job.model, job.seed): job.label for job in jobs}
        self.targets = {(job.model, job.seed): job.model_config.steps for job in jobs}
        self.log, self.live, self.every_s = log, live, every_s
        self.stream = stream or sys.stdout
        self.clock = clock
        self.start = self.last_shown = clock()
        self.running: dict[Cell, RunningCell] = {}
        self.attempts: Counter[Cell] = Counter()
        self.ended_as: Counter[str] = Counter()
        self.drawn = 0
        self.changed = False

    def lines(self) -> list[str]:
        """The grid's line, then one line per running cell."""
        done = sum(self.ended_as.values())
        bad = ", ".join(f"{self.ended_as[s]} {s}" for s in ("failed", "diverged") if self.ended_as[s])
        grid = (
            f"grid: {done}/{len(self.labels)} cells done{f' ({bad})' if bad else ''}, {len(self.running)} running, "
            f"{self.clock() - self.start:.0f} s"
        )
        cells = []
        for cell, state in self.running.items():
            attempt = f", attempt {self.attempts[cell]}" if self.attempts[cell] > 1 else ""
            cells.append(f"  {self.labels[cell]}: step {state.step}/{self.targets[cell]} on {state.node}{attempt}")
        return [grid, *cells]

    def started(self, cell: Cell, node: str) -> None:
        self.attempts[cell] += 1
        self.running[cell] = RunningCell(node)
        retried = (
            f", attempt {self.attempts[cell]} (Ray retried it: its worker died)" if self.attempts[cell] > 1 else ""
        )
        self.message(f"[{self.labels[cell]}] started on node {node}{retried}")

    def step(self, cell: Cell, step: int) -> None:
        if cell in self.running:
            self.running[cell].step = step
            self.changed = True

    def ended(self, outcome: CellOutcome) -> None:
        cell = (outcome.model, outcome.seed)
        self.running.pop(cell, None)
        self.ended_as[outcome.status] += 1
        why = f": {outcome.reason}" if outcome.reason and outcome.status != "ok" else ""
        self.message(f"[{self.labels[cell]}] {outcome.status} at step {outcome.step}{why}")

    def message(self, line: str) -> None:
        """Log `line` above the live lines."""
        self._erase()
        self.log(line)
        self.changed = True
        self._draw()

    def tick(self) -> None:
        """Redraw the live lines, or log them when `every_s` passed and something changed."""
        now = self.clock()
        if self.live:
            if now - self.last_shown >= REDRAW_EVERY_S:
                self._erase()
                self._draw()
        elif self.changed and now - self.last_shown >= self.every_s:
            for line in self.lines():
                self.log(line)
            self.last_shown, self.changed = now, False

    def close(self) -> None:
        """Leave the grid's line behind (and no live lines)."""
        self._erase()
        self.log(self.lines()[0])

    def _erase(self) -> None:
        if self.live and self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")  # up to the first live line, clear to the end of screen
            self.drawn = 0

    def _draw(self) -> None:
        if self.live:
            lines = self.lines()
            self.stream.write("".join(line + "\n" for line in lines))
            self.stream.flush()
            self.drawn, self.last_shown = len(lines), self.clock()
