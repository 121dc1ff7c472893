"""The samples figure: each model's last kept samples side by side (image grids, or points over the modes)."""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ganbench.data.base import DATASETS
from ganbench.data.kinds import SAMPLE_KINDS, SampleKind
from ganbench.paths import file_inside
from ganbench.report.plots.common import FIGURES_DIR, FORMATS, STYLE, model_colours, save_figure


def samples_pattern() -> re.Pattern:
    """samples_step{N}{suffix} for the evaluation file suffix of every sample kind."""
    suffixes = "|".join(re.escape(SAMPLE_KINDS.get(name).evaluation_suffix[1:]) for name in SAMPLE_KINDS)
    return re.compile(rf"samples_step(\d+)\.({suffixes})$")


def kind_of_file(path: Path) -> SampleKind:
    """The sample kind that writes files with `path`'s suffix."""
    kinds = [SAMPLE_KINDS.get(name) for name in SAMPLE_KINDS]
    return next(kind for kind in kinds if kind.evaluation_suffix == path.suffix)


def find_sample_files(run_dir: str | os.PathLike) -> dict[str, tuple[int, int, Path]]:
    """label -> (seed, step, path) of each model's last sample file under RUN_DIR/cells/.

    The runner writes RUN_DIR/cells/{model}/seed{seed}/samples_step{N}.png (and .npz with `points` for 2-D
    sets); the label is the folder path between cells/ and seed{seed}/ (the model, or dataset/model if the
    layout has a dataset level). The last file is the highest step; among seeds with that step, the lowest
    seed; a .npz is preferred over a .png of the same step.
    """
    cells = Path(run_dir) / "cells"
    if not cells.is_dir():
        return {}
    found: dict[str, tuple[tuple, int, int, Path]] = {}
    pattern = samples_pattern()
    for path in sorted(cells.rglob("samples_step*")):
        match = pattern.fullmatch(path.name)
        seed_dir = path.parent
        if not match or not re.fullmatch(r"seed\d+", seed_dir.name) or seed_dir.parent == cells:
            continue
        if not file_inside(path, run_dir):  # a link out of the run: its target would be drawn into the figure
            continue
        label = seed_dir.parent.relative_to(cells).as_posix()
        seed, step = int(seed_dir.name[4:]), int(match.group(1))
        rank = (step, -seed, match.group(2) == "npz")
        if label not in found or rank > found[label][0]:
            found[label] = (rank, seed, step, path)
    return {label: (seed, step, path) for label, (_, seed, step, path) in found.items()}


def dataset_modes(path: Path, label: str, frame: pd.DataFrame | None) -> np.ndarray | None:
    """The true mode centres of the dataset a sample file belongs to (named in the file, the folder path or the
    model's result rows), or None. A file that stores its own modes is drawn with those."""
    names = []
    if path.suffix == ".npz":
        with np.load(path) as npz:
            if "modes" in npz.files:
                return np.asarray(npz["modes"])
            if "dataset" in npz.files:
                names.append(str(npz["dataset"]))
    names += label.split("/")[:-1]
    model = label.split("/")[-1]
    if frame is not None and len(frame):
        names += list(dict.fromkeys(frame.loc[frame["model"] == model, "dataset"]))
    for name in names:
        if name in DATASETS:
            modes = DATASETS.get(name).info.modes
            if modes is not None:
                return np.asarray(modes)
    return None


def plot_samples(
    run_dir: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    frame: pd.DataFrame | None = None,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Each model's last kept samples side by side (the runner's samples_step{N} files), drawn by their sample
    kind: an image grid, or the generated points over the true mode centres. Returns [] with a warning when no
    sample files exist."""
    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir is not None else run_dir / FIGURES_DIR
    found = find_sample_files(run_dir)
    if not found:
        warnings.warn(f"no sample grids under {run_dir / 'cells'}; skipped the samples figure", stacklevel=2)
        return []
    models = sorted(found)
    colours = model_colours(frame["model"] if frame is not None and len(frame) else [m.split("/")[-1] for m in models])
    cols = min(4, len(models))
    rows_n = math.ceil(len(models) / cols)
    with rc_context(STYLE | {"axes.grid": False}):
        fig = Figure(figsize=(4.0 * cols, 4.3 * rows_n), layout="constrained")
        axes = fig.subplots(rows_n, cols, squeeze=False).ravel()
        for ax in axes[len(models) :]:
            ax.set_axis_off()
        legend: dict[str, object] = {}
        for ax, model in zip(axes, models, strict=False):
            seed, step, path = found[model]
            try:
                modes = dataset_modes(path, model, frame)
                colour = colours.get(model.split("/")[-1], "C0")
                for handle in kind_of_file(path).draw_evaluation_samples(ax, path, modes, colour):
                    legend.setdefault(handle.get_label(), handle)
            except (OSError, KeyError, ValueError, IndexError) as error:
                warnings.warn(
                    f"could not read {path} ({error}); left {model} blank in the samples figure", stacklevel=2
                )
                ax.set_axis_off()
            ax.set_title(f"{model}\nseed {seed}, step {step}")
        if legend:
            fig.legend(handles=list(legend.values()), loc="outside lower center", ncols=len(legend), frameon=False)
        fig.suptitle("Generated samples at the last saved step (one seed per model)")
        return save_figure(fig, out_dir, "samples", formats)
