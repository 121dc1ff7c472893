"""The samples-by-seed figure of point data: one row per model, one panel per seed, each at that seed's last kept
samples, so that what happens to some seeds only (a plain GAN collapsing onto one ring mode in two runs of five)
is seen, not hidden behind the one seed the samples figure draws."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ganbench.report.plots.common import FIGURES_DIR, FORMATS, STYLE, model_colours, save_figure
from ganbench.report.plots.samples import (
    RunDirs,
    dataset_modes,
    finish_point_figure,
    kept_sample_files,
    point_panel,
    run_dir_list,
)

#: Panels per row at most; a model with more seeds wraps onto further rows.
MAX_SEEDS_PER_ROW = 10


def find_point_files(run_dirs: RunDirs, max_step: int | None = None) -> dict[str, dict[int, tuple[int, Path]]]:
    """model label -> seed -> (step, path) of each seed's last kept point samples (the .npz files of
    kept_sample_files, at most `max_step`), over every run folder given."""
    found: dict[str, dict[int, tuple[int, Path]]] = {}
    for label, seed, step, path in kept_sample_files(run_dirs, max_step):
        if path.suffix == ".npz" and step >= found.setdefault(label, {}).get(seed, (-1, path))[0]:
            found[label][seed] = (step, path)
    return found


def plot_samples_by_seed(
    run_dirs: RunDirs,
    out_dir: str | os.PathLike | None = None,
    frame: pd.DataFrame | None = None,
    formats: Sequence[str] = FORMATS,
    max_step: int | None = None,
) -> list[Path]:
    """samples_by_seed: every seed's last kept point samples (at most `max_step`), a row per model, each true
    mode marked covered or missed by the mode metric's rule, the same axis limits everywhere. Returns [] (no
    warning) when the run kept no point samples: image runs have their samples figure. Several run folders are
    drawn as one run (their models in one figure)."""
    dirs = run_dir_list(run_dirs)
    out_dir = Path(out_dir) if out_dir is not None else dirs[0] / FIGURES_DIR
    found = find_point_files(dirs, max_step)
    if not found:
        return []
    rows = [(model, seeds[i : i + MAX_SEEDS_PER_ROW]) for model in sorted(found)
            for seeds in [sorted(found[model])] for i in range(0, len(seeds), MAX_SEEDS_PER_ROW)]
    cols = max(len(seeds) for _, seeds in rows)
    colours = model_colours(frame["model"] if frame is not None and len(frame) else [m.split("/")[-1] for m in found])
    with rc_context(STYLE | {"axes.grid": False}):
        fig = Figure(figsize=(2.6 * cols, 2.9 * len(rows)), layout="constrained")
        axes = fig.subplots(len(rows), cols, squeeze=False)
        used, all_points, all_modes, legend = [], [], [], {}
        for (model, seeds), row_axes in zip(rows, axes, strict=True):
            for ax in row_axes[len(seeds) :]:
                ax.set_axis_off()
            for ax, seed in zip(row_axes, seeds, strict=False):
                step, path = found[model][seed]
                try:
                    handles, points, line = point_panel(ax, path, model, frame, colours.get(model.split("/")[-1], "C0"))
                except (OSError, KeyError, ValueError, IndexError) as error:
                    warnings.warn(f"could not read {path} ({error}); left it blank in samples_by_seed", stacklevel=2)
                    ax.set_axis_off()
                    continue
                used.append(ax)
                all_points.append(points)
                all_modes.append(dataset_modes(path, model, frame))
                for handle in handles:
                    legend.setdefault(handle.get_label(), handle)
                ax.set_title(f"{model}, seed {seed}, step {step:,}\n{line.split(' (')[0]}", fontsize=9)
                ax.tick_params(labelsize=7)
        finish_point_figure(fig, used, all_modes, all_points, legend)
        fig.suptitle("Generated samples of every seed at its last saved step")
        return save_figure(fig, out_dir, "samples_by_seed", formats)
