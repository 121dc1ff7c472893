"""What a run writes for people: losses.csv, a progress bar, TensorBoard scalars and image grids."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import torch

from ganbench.atomic import write_text_atomic
from ganbench.data.kinds import grid_columns
from ganbench.paths import LOSSES_FILE
from ganbench.progress import progress_bar

SAMPLES_FILE = "samples.png"


class RunLogger:
    """Appends one CSV row per generator step, and mirrors the rows to a progress bar (plain lines in a log file)
    and TensorBoard.

    Resuming at `start_step` drops CSV rows after it (they belong to the lost
    tail of the interrupted run), so the CSV of a resumed run equals an uninterrupted one's.
    """

    def __init__(self, run_dir: Path, start_step: int, total_steps: int, progress: bool, tensorboard: bool) -> None:
        self.path = run_dir / LOSSES_FILE
        self.columns: list[str] | None = None
        self._keep_rows_until(start_step)
        self.bar = progress_bar(total_steps, start_step, enabled=progress, unit="step", dynamic_ncols=True)
        self.writer = _summary_writer(run_dir / "tensorboard", start_step) if tensorboard else None

    def _keep_rows_until(self, step: int) -> None:
        if not self.path.exists() or step == 0:
            self.path.unlink(missing_ok=True)
            return
        with open(self.path, newline="") as handle:
            rows = list(csv.reader(handle))
        if not rows:
            return
        self.columns = rows[0][1:]
        kept = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(kept)
        write_text_atomic(self.path, buffer.getvalue())

    def record(self, step: int, losses: dict[str, float]) -> None:
        """Log the losses of generator step `step` (1-based)."""
        if self.columns is None:
            self.columns = list(losses)
            with open(self.path, "w", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerow(["step", *self.columns])
        with open(self.path, "a", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerow(
                [step, *(repr(losses.get(c, math.nan)) for c in self.columns)]
            )
        if self.writer is not None:
            for name, value in losses.items():
                self.writer.add_scalar(f"loss/{name}", value, step)

    def advance(self, steps: int, losses: dict[str, float]) -> None:
        """Move the progress bar and show the latest losses."""
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in losses.items()}, refresh=False)
        self.bar.update(steps)

    def images(self, samples: torch.Tensor, step: int) -> None:
        """A grid of images in [-1, 1] to TensorBoard (nothing for points or without TensorBoard)."""
        if self.writer is not None and samples.dim() == 4:
            from torchvision.utils import make_grid

            grid = make_grid(samples.float().cpu() * 0.5 + 0.5, nrow=grid_columns(len(samples)))
            self.writer.add_image("samples", grid.clamp(0, 1), step)

    def close(self) -> None:
        """Flush and close the outputs."""
        self.bar.close()
        if self.writer is not None:
            self.writer.close()


def _summary_writer(folder: Path, start_step: int):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    # purge_step hides events a crashed run wrote after the checkpoint we resume from.
    return SummaryWriter(str(folder), purge_step=start_step or None)
