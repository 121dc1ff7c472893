"""Training-curve figures: every value a family's train step logs (losses.csv: GAN losses, BEGAN's convergence
measure and k, the VAE's ELBO, InfoGAN's information bound, ...) against training step, one figure per model.

Each seed's curve is smoothed by a centred rolling mean (the raw per-step values are noisy); the line is the mean
over seeds and the band their min-max range.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ganbench.paths import LOSSES_FILE
from ganbench.report.plots.common import FORMATS, STYLE, footer, model_colours, safe_name, save_figure

#: Roughly this many smoothing windows span a run's curve.
WINDOWS_PER_CURVE = 100
PANEL_COLUMNS = 3


def find_loss_files(run_dir: str | os.PathLike) -> dict[str, dict[int, Path]]:
    """label -> {seed: losses.csv} for a benchmark run (RUN_DIR/cells/{model}/seed{N}/losses.csv, the label being
    the folder path between cells/ and seed{N}/) or a single `ganbench train` run (RUN_DIR/losses.csv, labelled
    with the family and seed of its run.json)."""
    run_dir = Path(run_dir)
    found: dict[str, dict[int, Path]] = {}
    cells = run_dir / "cells"
    if cells.is_dir():
        for path in sorted(cells.rglob(LOSSES_FILE)):
            seed_dir = path.parent
            if re.fullmatch(r"seed\d+", seed_dir.name) and seed_dir.parent != cells:
                label = seed_dir.parent.relative_to(cells).as_posix()
                found.setdefault(label, {})[int(seed_dir.name[4:])] = path
    elif (run_dir / LOSSES_FILE).is_file():
        try:
            meta = json.loads((run_dir / "run.json").read_text())
        except (OSError, json.JSONDecodeError):
            meta = {}
        found[meta.get("family", run_dir.name)] = {int(meta.get("seed", 0)): run_dir / LOSSES_FILE}
    return found


def smoothed(frame: pd.DataFrame, window: int) -> pd.DataFrame:
    """`frame` (indexed by step) with every column replaced by its centred rolling mean over `window` rows."""
    return frame.rolling(window, center=True, min_periods=1).mean()


def read_curves(paths: dict[int, Path]) -> dict[int, pd.DataFrame]:
    """seed -> its curves indexed by step (unreadable or empty files are skipped with a warning)."""
    curves = {}
    for seed, path in sorted(paths.items()):
        try:
            frame = pd.read_csv(path)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            warnings.warn(f"skipping {path}: {error}", stacklevel=2)
            continue
        if "step" in frame.columns and len(frame):
            curves[seed] = frame.drop_duplicates("step", keep="last").set_index("step").sort_index()
    return curves


def plot_training_curves(
    run_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    formats: Sequence[str] = FORMATS,
    models: Sequence[str] | None = None,
) -> list[Path]:
    """out_dir/training_{model}.png/.svg: a panel per logged curve of each model, mean over seeds (line) and
    min-max range across seeds (band) of each seed's smoothed curve, in the model's colour among `models` (every
    model of the other figures; default: the models with loss files here)."""
    paths = []
    found = find_loss_files(run_dir)
    colours = model_colours(list(models) if models is not None else [label.split("/")[-1] for label in found])
    for label, files in sorted(found.items()):
        colour = colours.get(label.split("/")[-1], "tab:blue")
        curves = read_curves(files)
        if not curves:
            continue
        names = list(dict.fromkeys(name for frame in curves.values() for name in frame.columns))
        longest = max(len(frame) for frame in curves.values())
        window = max(1, longest // WINDOWS_PER_CURVE)
        with rc_context(STYLE):
            rows = -(-len(names) // PANEL_COLUMNS)
            columns = min(len(names), PANEL_COLUMNS)
            fig = Figure(figsize=(4.6 * columns, 3.4 * rows), layout="constrained")
            axes = fig.subplots(rows, columns, squeeze=False).flatten()
            for ax, name in zip(axes, names, strict=False):
                per_seed = {seed: smoothed(frame[[name]], window)[name] for seed, frame in curves.items() if name in frame}
                _panel(ax, name, per_seed, colour)
            for ax in axes[len(names) :]:
                ax.set_visible(False)
            seeds = ", ".join(str(seed) for seed in curves)
            fig.suptitle(f"{label}: training curves (seeds {seeds})")
            footer(
                fig,
                [
                    f"Values the train step logs every step ({LOSSES_FILE}), each seed smoothed by a centred rolling "
                    f"mean over {window} step{'s' if window != 1 else ''}; line = mean over seeds, band = min-max."
                ],
            )
            paths += save_figure(fig, Path(out_dir), f"training_{safe_name(label)}", formats)
    return paths


def _panel(ax, name: str, per_seed: dict[int, pd.Series], colour) -> None:
    table = pd.DataFrame(per_seed)
    steps = table.index.to_numpy()
    values = table.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # steps some seeds have not reached yet are all-NaN
        mean, low, high = np.nanmean(values, 1), np.nanmin(values, 1), np.nanmax(values, 1)
    ax.plot(steps, mean, lw=1.5, color=colour)
    if table.shape[1] > 1:
        ax.fill_between(steps, low, high, color=colour, alpha=0.2, lw=0)
    ax.set_title(name)
    ax.set_xlabel("training step")
