"""The samples figure: each model's last kept samples side by side (image grids, or points over the modes)."""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ganbench.data.base import DATASETS
from ganbench.data.kinds import SAMPLE_KINDS, SampleKind
from ganbench.paths import file_inside
from ganbench.report.plots.common import FIGURES_DIR, FORMATS, STYLE, model_colours, save_figure
from ganbench.report.plots.mode_coverage import coverage, draw_coverage, mode_settings, shared_limits


def samples_pattern() -> re.Pattern:
    """samples_step{N}{suffix} for the evaluation file suffix of every sample kind."""
    suffixes = "|".join(re.escape(SAMPLE_KINDS.get(name).evaluation_suffix[1:]) for name in SAMPLE_KINDS)
    return re.compile(rf"samples_step(\d+)\.({suffixes})$")


def kind_of_file(path: Path) -> SampleKind:
    """The sample kind that writes files with `path`'s suffix."""
    kinds = [SAMPLE_KINDS.get(name) for name in SAMPLE_KINDS]
    return next(kind for kind in kinds if kind.evaluation_suffix == path.suffix)


#: One run folder, or several whose cells are drawn together (a comparison made from several runs).
RunDirs = str | os.PathLike | Sequence[str | os.PathLike]


def run_dir_list(run_dirs: RunDirs) -> list[Path]:
    """`run_dirs` as a list of folders."""
    if isinstance(run_dirs, (str, os.PathLike)):
        return [Path(run_dirs)]
    return [Path(run_dir) for run_dir in run_dirs]


def kept_sample_files(run_dirs: RunDirs, max_step: int | None = None) -> Iterator[tuple[str, int, int, Path]]:
    """(label, seed, step, path) of every sample file the runner kept under RUN_DIR/cells/ of each run folder (at
    most `max_step`), in path order: RUN_DIR/cells/{label}/seed{seed}/samples_step{N}.{suffix} for any sample
    kind's suffix, where the label is the folder path between cells/ and seed{seed}/ (the model, or
    dataset/model). Files that link out of their run are skipped: their target would be drawn into a figure."""
    pattern = samples_pattern()
    for run_dir in run_dir_list(run_dirs):
        cells = run_dir / "cells"
        if not cells.is_dir():
            continue
        for path in sorted(cells.rglob("samples_step*")):
            match = pattern.fullmatch(path.name)
            seed_dir = path.parent
            if not match or not re.fullmatch(r"seed\d+", seed_dir.name) or seed_dir.parent == cells:
                continue
            step = int(match.group(1))
            if (max_step is not None and step > max_step) or not file_inside(path, run_dir):
                continue
            yield seed_dir.parent.relative_to(cells).as_posix(), int(seed_dir.name[4:]), step, path


def find_sample_files(run_dirs: RunDirs, max_step: int | None = None) -> dict[str, tuple[int, int, Path]]:
    """label -> (seed, step, path) of each model's last sample file (kept_sample_files). The last file is the
    highest step; among seeds with that step, the lowest seed; a .npz is preferred over a .png of the same step.
    """
    found: dict[str, tuple[tuple, int, int, Path]] = {}
    for label, seed, step, path in kept_sample_files(run_dirs, max_step):
        rank = (step, -seed, path.suffix == ".npz")
        if label not in found or rank > found[label][0]:
            found[label] = (rank, seed, step, path)
    return {label: (seed, step, path) for label, (_, seed, step, path) in found.items()}


def dataset_modes(path: Path, label: str, frame: pd.DataFrame | None) -> np.ndarray | None:
    """The true mode centres of the dataset a sample file belongs to (named in the file, the folder path or the
    model's result rows), or None. A file that stores its own modes is drawn with those."""
    return modes_and_std(path, label, frame)[0]


def modes_and_std(path: Path, label: str, frame: pd.DataFrame | None) -> tuple[np.ndarray | None, float | None]:
    """(mode centres, mode std) of the dataset a sample file belongs to; (None, None) when unknown."""
    names, stored = [], None
    if path.suffix == ".npz":
        with np.load(path) as npz:
            if "modes" in npz.files:
                stored = np.asarray(npz["modes"])
            if "dataset" in npz.files:
                names.append(str(npz["dataset"]))
    names += label.split("/")[:-1]
    model = label.split("/")[-1]
    if frame is not None and len(frame):
        names += list(dict.fromkeys(frame.loc[frame["model"] == model, "dataset"]))
    for name in names:
        if name in DATASETS:
            info = DATASETS.get(name).info
            if info.modes is not None:
                return (stored if stored is not None else np.asarray(info.modes)), info.mode_std
    return stored, None


def point_panel(ax, path: Path, model: str, frame: pd.DataFrame | None, colour) -> tuple[list, np.ndarray | None, str]:
    """The generated points of `path` in the model's colour, each true mode marked covered or missed by the mode
    metric's rule (report.plots.mode_coverage); (legend handles, the points, a title line)."""
    modes, mode_std = modes_and_std(path, model, frame)
    drawn_before = len(ax.collections)
    handles = kind_of_file(path).draw_evaluation_samples(ax, path, None, colour)
    points_drawn = ax.collections[drawn_before:]
    with np.load(path) as npz:
        points = np.asarray(npz["points"], dtype=float)
    if modes is None or not mode_std:
        return handles, points, ""
    stds, min_count = mode_settings(frame, model.split("/")[-1])
    found = coverage(points, modes, mode_std, stds, min_count)
    handles += draw_coverage(ax, modes, found)
    # the points above the mode markers: a run collapsed onto one mode would otherwise hide under that mode's marker
    for collection in points_drawn:
        collection.set_zorder(6)
    return handles, points, f"{int(found.covered.sum())}/{len(modes)} modes covered ({found.n_points:,} samples)"


def finish_point_figure(fig: Figure, point_axes: list, all_modes: list, all_points: list, legend: dict) -> None:
    """The same axis limits (and equal aspect) in every points panel, and one legend below the figure."""
    if point_axes:
        xlim, ylim = shared_limits(all_modes, all_points)
        for ax in point_axes:
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            ax.set_aspect("equal", adjustable="box")
    if legend:
        fig.legend(handles=list(legend.values()), loc="outside lower center", ncols=len(legend), frameon=False)


def plot_samples(
    run_dirs: RunDirs,
    out_dir: str | os.PathLike | None = None,
    frame: pd.DataFrame | None = None,
    formats: Sequence[str] = FORMATS,
    max_step: int | None = None,
) -> list[Path]:
    """Each model's last kept samples (at most `max_step`) side by side (the runner's samples_step{N} files), drawn by their sample
    kind: an image grid, or the generated points with each true mode marked covered or missed (by the mode
    metric's rule, at the region's real size) and the same axis limits in every points panel. Returns [] with a
    warning when no sample files exist. Several run folders are drawn as one run."""
    dirs = run_dir_list(run_dirs)
    out_dir = Path(out_dir) if out_dir is not None else dirs[0] / FIGURES_DIR
    found = find_sample_files(dirs, max_step)
    if not found:
        where = ", ".join(str(d / "cells") for d in dirs)
        warnings.warn(f"no sample grids under {where}; skipped the samples figure", stacklevel=2)
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
        point_axes, all_points, all_modes = [], [], []
        for ax, model in zip(axes, models, strict=False):
            seed, step, path = found[model]
            title = f"{model}\nseed {seed}, step {step}"
            try:
                colour = colours.get(model.split("/")[-1], "C0")
                if kind_of_file(path).name == "points":
                    handles, points, line = point_panel(ax, path, model, frame, colour)
                    point_axes.append(ax)
                    all_points.append(points)
                    all_modes.append(dataset_modes(path, model, frame))
                    title += f"\n{line}" if line else ""
                else:
                    handles = kind_of_file(path).draw_evaluation_samples(ax, path, dataset_modes(path, model, frame), colour)
                for handle in handles:
                    legend.setdefault(handle.get_label(), handle)
            except (OSError, KeyError, ValueError, IndexError) as error:
                warnings.warn(
                    f"could not read {path} ({error}); left {model} blank in the samples figure", stacklevel=2
                )
                ax.set_axis_off()
            ax.set_title(title)
        finish_point_figure(fig, point_axes, all_modes, all_points, legend)
        fig.suptitle("Generated samples at the last saved step (one seed per model)")
        return save_figure(fig, out_dir, "samples", formats)
