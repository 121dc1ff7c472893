"""Every figure of a run, remade from its result rows and kept samples (what `ganbench plot` and the end of
`ganbench run` call)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ganbench.errors import GanbenchError
from ganbench.report.plots.bars import plot_leaderboard_bars
from ganbench.report.plots.common import FIGURES_DIR, FORMATS
from ganbench.report.plots.curves import plot_curves
from ganbench.report.plots.precision_recall import plot_precision_recall
from ganbench.report.plots.samples import plot_samples
from ganbench.report.plots.seed_samples import plot_samples_by_seed
from ganbench.report.plots.training import plot_training_curves
from ganbench.report.results import load


def plot_frame(frame: pd.DataFrame, out_dir: str | os.PathLike, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Every figure that needs only result rows: curves, leaderboard bars, precision vs recall."""
    if frame.empty or not (frame["status"] == "ok").any():
        warnings.warn("no successful result rows yet; no figures made", stacklevel=2)
        return []
    paths = plot_curves(frame, out_dir, formats)
    paths += plot_leaderboard_bars(frame, out_dir, formats=formats)
    paths += plot_precision_recall(frame, out_dir, formats)
    return paths


def make_all(
    run_dir: str | os.PathLike, out_dir: str | os.PathLike | None = None, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Remake every figure of a run into RUN_DIR/figures/ (or `out_dir`): metric curves, leaderboard bars,
    precision vs recall and samples from the result rows and kept samples, and each model's training curves
    from its losses.csv files; returns the files written.

    Figures that cannot be made (no rows yet, no sample grids) are skipped with a warning.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise GanbenchError(f"no such run directory {run_dir}")
    out_dir = Path(out_dir) if out_dir is not None else run_dir / FIGURES_DIR
    try:
        frame = load(run_dir)
    except GanbenchError:
        warnings.warn(f"{run_dir} has no results.jsonl yet; made only the samples figure", stacklevel=2)
        frame = None
    paths = plot_frame(frame, out_dir, formats) if frame is not None else []
    paths += plot_samples(run_dir, out_dir, frame, formats)
    paths += plot_samples_by_seed(run_dir, out_dir, frame, formats)
    models = list(frame["model"]) if frame is not None and len(frame) else None
    paths += plot_training_curves(run_dir, out_dir, formats, models)
    return paths
