"""Figures from result rows: training curves, leaderboard bars, precision vs recall, and sample grids.

Everything except the sample grids is drawn from a results DataFrame (`ganbench.results.load`) alone.
Figures are written as PNG and SVG with matplotlib's Agg canvas (no pyplot, no global backend change),
atomically. `make_all(run_dir)` is what the benchmark runner calls at the end of a run.
"""

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

from ganbench.atomic import atomic_path
from ganbench.errors import GanbenchError
from ganbench.leaderboard import ARROWS, DIRECTION_WORDS, METRIC_LABELS, leaderboard
from ganbench.results import ALL_METRICS, load

FORMATS: tuple[str, ...] = ("png", "svg")
#: Sub-folder of a run directory the figures go to by default.
FIGURES_DIR = "figures"

STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "savefig.dpi": 150,
    "svg.hashsalt": "ganbench",  # the same figure gives the same SVG
}
SAMPLES_PATTERN = re.compile(r"samples_step(\d+)\.(png|npz)$")


def _direction(key: str) -> str | None:
    from ganbench.metrics.presets import direction_of

    try:
        return direction_of(key)
    except KeyError:
        return None


def axis_label(key: str) -> str:
    """'FID ↓ (lower is better)'; keys of unknown direction are shown as they are."""
    direction = _direction(key)
    label = METRIC_LABELS.get(key, key)
    if direction in ARROWS:
        return f"{label} {ARROWS[direction]} ({DIRECTION_WORDS[direction]})"
    return label


def model_colours(models: Sequence[str]) -> dict[str, tuple]:
    """One fixed colour per model (sorted names over tab10, then tab20), the same in every figure."""
    from matplotlib import colormaps

    names = sorted(set(models))
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: cmap(i % cmap.N) for i, name in enumerate(names)}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "x"


def save_figure(fig: Figure, out_dir: Path, stem: str, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write `fig` as out_dir/stem.{png,svg} atomically; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        with atomic_path(path) as tmp:
            metadata = {"Date": None} if fmt == "svg" else None
            fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=metadata)
        paths.append(path)
    return paths


def _groups(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(dataset, protocol_key) pairs with ok rows, in order of first appearance."""
    ok = frame[frame["status"] == "ok"]
    return list(dict.fromkeys(zip(ok["dataset"], ok["protocol_key"], strict=True)))


def _panel_title(dataset: str, pkey: str, n_groups: int, several_protocols: bool) -> str:
    if several_protocols:
        return f"{dataset}, protocol {pkey or 'unknown'}"
    return dataset if n_groups > 1 else ""


def _panels(
    n: int, width: float = 6.4, height: float = 4.4, ratios: Sequence[float] | None = None
) -> tuple[Figure, list]:
    """A row of `n` panels; `ratios` gives relative panel widths (total width = width * sum(ratios))."""
    ratios = list(ratios) if ratios is not None else [1.0] * n
    fig = Figure(figsize=(width * sum(ratios), height), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False, gridspec_kw={"width_ratios": ratios})[0]
    return fig, list(axes)


def _log_axis(ax) -> None:
    """Log y axis with plain tick labels (20, 50, 100, 200) instead of powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _use_log(values: np.ndarray) -> bool:
    """Log scale for a distance (FID, KID) that falls over more than a factor of 5 during training."""
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() / values.min() > 5


def plot_curves(frame: pd.DataFrame, out_dir: str | os.PathLike, formats: Sequence[str] = FORMATS) -> list[Path]:
    """One figure per metric (spreads such as kid_std left out): its value against training step, per model
    the mean over seeds (line) and the min-max range across seeds (band); a cross marks where a seed diverged
    or failed."""
    out_dir = Path(out_dir)
    ok = frame[frame["status"] == "ok"]
    colours = model_colours(frame["model"])
    groups = _groups(frame)
    several_protocols = len(groups) > len({d for d, _ in groups})
    paths = []
    # a spread (kid_std, is_std) is the uncertainty of another key's value, not a score to follow over training
    for key in sorted(k for k in set(ok["metric"]) if _direction(k) != "spread"):
        of_key = ok[ok["metric"] == key]
        panels = [g for g in groups if ((of_key["dataset"] == g[0]) & (of_key["protocol_key"] == g[1])).any()]
        with rc_context(STYLE):
            fig, axes = _panels(len(panels))
            log = _direction(key) == "lower" and _use_log(of_key["value"].to_numpy())
            for ax, (dataset, pkey) in zip(axes, panels, strict=True):
                here = of_key[(of_key["dataset"] == dataset) & (of_key["protocol_key"] == pkey)]
                n_seeds = here.groupby("model")["seed"].nunique()
                stops = _stopped(frame, key)
                stops = stops[(stops["dataset"] == dataset) & stops["protocol_key"].isin([pkey, ""])]
                for model, rows in here.groupby("model", sort=True):
                    rows = rows.drop_duplicates(["seed", "step"], keep="last")
                    by_step = rows.groupby("step")["value"]
                    steps = np.array(sorted(rows["step"].unique()))
                    mean, low, high = by_step.mean()[steps], by_step.min()[steps], by_step.max()[steps]
                    label = f"{model} ({_seed_count(n_seeds[model], stops[stops['model'] == model])})"
                    ax.plot(
                        steps, mean, color=colours[model], lw=2, label=label, marker="o" if len(steps) < 3 else None
                    )
                    if n_seeds[model] > 1:
                        ax.fill_between(steps, low, high, color=colours[model], alpha=0.2, lw=0)
                    _mark_stops(ax, frame, model, dataset, pkey, key, rows, colours[model])
                ax.set_xlabel("training step")
                label = axis_label(key)
                ax.set_ylabel(label[:-1] + ", log scale)" if log and label.endswith(")") else label)
                if log:
                    _log_axis(ax)
                ax.set_title(_panel_title(dataset, pkey, len(panels), several_protocols))
                ax.legend(loc="best", frameon=False)
            fig.suptitle(f"{METRIC_LABELS.get(key, key)} during training: mean over seeds, band = min-max across seeds")
            _footer(fig, _stop_notes(frame, key) + _protocol_notes(frame, key))
            paths += save_figure(fig, out_dir, f"curve_{_safe(key)}", formats)
    return paths


def _stopped(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    bad = frame[frame["status"] != "ok"]
    return bad[bad["metric"].isin([key, ALL_METRICS]) | (bad["status"] == "diverged")]


def _mark_stops(ax, frame, model, dataset, pkey, key, ok_rows, colour) -> None:
    """A cross at the last good value of each seed that later diverged or failed."""
    stops = _stopped(frame, key)
    stops = stops[(stops["model"] == model) & (stops["dataset"] == dataset) & stops["protocol_key"].isin([pkey, ""])]
    for seed, rows in stops.groupby("seed"):
        before = ok_rows[(ok_rows["seed"] == seed) & (ok_rows["step"] <= rows["step"].min())]
        if before.empty:
            continue
        last = before.sort_values("step").iloc[-1]
        ax.plot([last["step"]], [last["value"]], marker="X", ms=10, color=colour, mec="black", mew=0.8, ls="none")


def _seed_count(n: int, stops: pd.DataFrame) -> str:
    """'3 seeds' or '3 seeds, 1 diverged' for a legend or tick label."""
    text = f"{n} seed{'s' if n != 1 else ''}"
    for status in ("diverged", "failed"):
        k = stops.loc[stops["status"] == status, "seed"].nunique()
        if k:
            text += f", {k} {status}"
    return text


def _stop_notes(frame: pd.DataFrame, key: str) -> list[str]:
    """Footnotes for seeds that diverged or failed: marked with an X when they had values before, else listed."""
    stops = _stopped(frame, key).sort_values("step", kind="stable").drop_duplicates(["model", "dataset", "seed"])
    ok = frame[(frame["status"] == "ok") & (frame["metric"] == key)]
    marked, unseen = [], []
    for stop in stops.itertuples(index=False):
        text = f"{stop.model} seed {stop.seed} {stop.status} at step {stop.step}" + (
            f" ({stop.reason})" if stop.reason else ""
        )
        had = ok[(ok["model"] == stop.model) & (ok["dataset"] == stop.dataset) & (ok["seed"] == stop.seed)]
        (marked if (had["step"] <= stop.step).any() else unseen).append(text)
    notes = []
    if marked:
        notes.append("X marks a seed's last value before it stopped: " + "; ".join(sorted(marked)))
    if unseen:
        notes.append("Not shown (no value before they stopped): " + "; ".join(sorted(unseen)))
    return notes


def _protocol_notes(frame: pd.DataFrame, key: str) -> list[str]:
    if _direction(key) not in ARROWS:
        return []
    return leaderboard(frame, key).protocol_notes


def _footer(fig: Figure, notes: list[str]) -> None:
    """Notes under the panels (wrapped to the figure width)."""
    if notes:
        import textwrap

        width = max(60, int(fig.get_figwidth() * 14))
        text = "\n".join(textwrap.fill(note, width) for note in notes)
        fig.text(0.01, 0, text, fontsize=9, va="top", ha="left")


def plot_leaderboard_bars(
    frame: pd.DataFrame, out_dir: str | os.PathLike, step: str = "last", formats: Sequence[str] = FORMATS
) -> list[Path]:
    """One figure per rankable metric: bars of the mean over seeds in rank order, error bars of the 95%
    bootstrap CI, and each seed's value as a dot. Separate panels per dataset and protocol."""
    out_dir = Path(out_dir)
    keys = [k for k in sorted(set(frame.loc[frame["status"] == "ok", "metric"])) if _direction(k) in ARROWS]
    colours = model_colours(frame["model"])
    paths = []
    for key in keys:
        board = leaderboard(frame, key, step)
        table = board.table
        panels = list(dict.fromkeys(zip(table["dataset"], table["protocol_key"], strict=True)))
        several_protocols = len(panels) > len({d for d, _ in panels})
        direction = _direction(key)
        with rc_context(STYLE):
            sizes = [len(table[(table["dataset"] == d) & (table["protocol_key"] == p)]) for d, p in panels]
            fig, axes = _panels(len(panels), width=1.5, height=4.6, ratios=[n + 1.5 for n in sizes])
            for ax, (dataset, pkey) in zip(axes, panels, strict=True):
                rows = table[(table["dataset"] == dataset) & (table["protocol_key"] == pkey)].reset_index(drop=True)
                x = np.arange(len(rows))
                means = rows["mean"].to_numpy(dtype=float)
                lower = np.where(
                    np.isnan(rows["ci95_low"].to_numpy(dtype=float)), 0, means - rows["ci95_low"].to_numpy(dtype=float)
                )
                upper = np.where(
                    np.isnan(rows["ci95_high"].to_numpy(dtype=float)),
                    0,
                    rows["ci95_high"].to_numpy(dtype=float) - means,
                )
                ax.bar(x, np.nan_to_num(means), color=[colours[m] for m in rows["model"]], alpha=0.85, width=0.6)
                has_ci = rows["n_seeds"].to_numpy() > 1
                ax.errorbar(
                    x[has_ci],
                    means[has_ci],
                    yerr=[lower[has_ci], upper[has_ci]],
                    fmt="none",
                    ecolor="black",
                    capsize=6,
                    lw=1.5,
                )
                for i, row in rows.iterrows():
                    if row["seed_values"]:
                        values = [float(part.split(":", 1)[1]) for part in row["seed_values"].split(";")]
                        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else [0.0]
                        ax.plot(i + np.asarray(jitter), values, "o", color="white", mec="black", ms=5, zorder=3)
                    if row["n_seeds"] == 0:
                        ax.text(i, 0, row["status"], ha="center", va="bottom", rotation=90, fontsize=10)
                ticks = [
                    f"{m}\n(n={n}" + (", no CI" if n == 1 else "") + (f", {k} excluded)" if k else ")")
                    for m, n, k in zip(rows["model"], rows["n_seeds"], rows["n_excluded"], strict=True)
                ]
                ax.set_xticks(x, ticks)
                ax.set_xlim(-0.75, len(rows) - 0.25)
                ax.set_ylabel(axis_label(key))
                ax.grid(axis="x", visible=False)
                ax.set_title(_panel_title(dataset, pkey, len(panels), several_protocols))
            rule = "last step" if step == "last" else "best step per seed (optimistic)"
            fig.suptitle(
                f"{METRIC_LABELS.get(key, key)} {ARROWS[direction]} at the {rule}\n"
                "bar = mean over seeds, error bar = 95% bootstrap CI, dots = seeds; ranked best first",
                fontsize=11,
            )
            _footer(fig, board.protocol_notes)
            paths += save_figure(fig, out_dir, f"leaderboard_{_safe(key)}", formats)
    return paths


def _seed_values(table: pd.DataFrame) -> pd.DataFrame:
    """Leaderboard rows unfolded to one row per (dataset, protocol_key, model, seed) with its value."""
    records = []
    for row in table.itertuples(index=False):
        for part in filter(None, row.seed_values.split(";")):
            seed, value = part.split(":", 1)
            records.append((row.dataset, row.protocol_key, row.model, int(seed), float(value), row.n_excluded))
    return pd.DataFrame.from_records(
        records, columns=["dataset", "protocol_key", "model", "seed", "value", "n_excluded"]
    )


def plot_precision_recall(
    frame: pd.DataFrame, out_dir: str | os.PathLike, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Precision against recall at the last step: one small dot per seed, a large diamond at the model's
    mean. The seeds are those the leaderboard uses (failed and diverged seeds left out). Nothing (an empty
    list) when precision or recall is missing."""
    out_dir = Path(out_dir)
    present = set(frame.loc[frame["status"] == "ok", "metric"])
    if not {"precision", "recall"} <= present:
        return []
    precision = _seed_values(leaderboard(frame, "precision").table)
    recall = _seed_values(leaderboard(frame, "recall").table)
    both = precision.merge(recall, on=["dataset", "protocol_key", "model", "seed"], suffixes=("_p", "_r"))
    if both.empty:
        return []
    colours = model_colours(frame["model"])
    panels = list(dict.fromkeys(zip(both["dataset"], both["protocol_key"], strict=True)))
    several_protocols = len(panels) > len({d for d, _ in panels})
    with rc_context(STYLE):
        fig, axes = _panels(len(panels), width=5.6, height=5.4)
        for ax, (dataset, pkey) in zip(axes, panels, strict=True):
            here = both[(both["dataset"] == dataset) & (both["protocol_key"] == pkey)]
            for model, rows in here.groupby("model", sort=True):
                ax.scatter(rows["value_r"], rows["value_p"], s=30, color=colours[model], alpha=0.7, lw=0)
                excluded = max(rows["n_excluded_p"].max(), rows["n_excluded_r"].max())
                label = f"{model} ({len(rows)} seed{'s' if len(rows) != 1 else ''}" + (
                    f", {excluded} excluded)" if excluded else ")"
                )
                ax.scatter(
                    [rows["value_r"].mean()],
                    [rows["value_p"].mean()],
                    s=150,
                    marker="D",
                    color=colours[model],
                    edgecolor="black",
                    lw=1,
                    label=label,
                    zorder=3,
                )
            ax.set_xlim(-0.02, 1.02)
            ax.set_ylim(-0.02, 1.02)
            ax.set_aspect("equal")
            ax.set_xlabel("recall ↑ (higher is better)")
            ax.set_ylabel("precision ↑ (higher is better)")
            ax.set_title(_panel_title(dataset, pkey, len(panels), several_protocols))
            ax.legend(loc="lower left", frameon=True, framealpha=0.9)
        fig.suptitle(
            "Precision vs recall at the last step\ndots = seeds, diamond = mean over seeds; best is top right",
            fontsize=11,
        )
        return save_figure(fig, out_dir, "precision_recall", formats)


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
    for path in sorted(cells.rglob("samples_step*")):
        match = SAMPLES_PATTERN.fullmatch(path.name)
        seed_dir = path.parent
        if not match or not re.fullmatch(r"seed\d+", seed_dir.name) or seed_dir.parent == cells:
            continue
        label = seed_dir.parent.relative_to(cells).as_posix()
        seed, step = int(seed_dir.name[4:]), int(match.group(1))
        rank = (step, -seed, match.group(2) == "npz")
        if label not in found or rank > found[label][0]:
            found[label] = (rank, seed, step, path)
    return {label: (seed, step, path) for label, (_, seed, step, path) in found.items()}


def _modes_for(npz, label: str, frame: pd.DataFrame | None) -> np.ndarray | None:
    """The true mode centres: the file's own `modes`, else those of its dataset (from the file, the folder
    path or the model's result rows)."""
    if "modes" in npz.files:
        return np.asarray(npz["modes"])
    names = []
    if "dataset" in npz.files:
        names.append(str(npz["dataset"]))
    names += label.split("/")[:-1]
    model = label.split("/")[-1]
    if frame is not None and len(frame):
        names += list(dict.fromkeys(frame.loc[frame["model"] == model, "dataset"]))
    from ganbench.data import DATASETS

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
    """The last sample grid of every model side by side (the runner's samples_step{N}.png), or for 2-D
    datasets the generated points (samples_step{N}.npz, array `points`) over the true mode centres.
    Returns [] with a warning when no sample files exist."""
    from matplotlib.image import imread

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
        any_points = any_modes = False
        for ax, model in zip(axes, models, strict=False):
            seed, step, path = found[model]
            title = f"{model}\nseed {seed}, step {step}"
            try:
                if path.suffix == ".npz":
                    with np.load(path) as npz:
                        points = np.asarray(npz["points"], dtype=float)
                        modes = _modes_for(npz, model, frame)
                    colour = colours.get(model.split("/")[-1], "C0")
                    if modes is not None:
                        ax.scatter(
                            modes[:, 0],
                            modes[:, 1],
                            s=90,
                            marker="o",
                            facecolor="none",
                            edgecolor="black",
                            lw=1.0,
                            zorder=2,
                        )
                        any_modes = True
                    ax.scatter(points[:, 0], points[:, 1], s=5, alpha=0.5, color=colour, lw=0, zorder=3)
                    ax.set_aspect("equal", adjustable="datalim")
                    ax.grid(True, alpha=0.3)
                    any_points = True
                else:
                    image = imread(path)
                    ax.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
                    ax.set_xticks([])
                    ax.set_yticks([])
                    for spine in ax.spines.values():
                        spine.set_visible(False)
            except (OSError, KeyError, ValueError, IndexError) as error:
                warnings.warn(
                    f"could not read {path} ({error}); left {model} blank in the samples figure", stacklevel=2
                )
                ax.set_axis_off()
            ax.set_title(title)
        if any_points:
            from matplotlib.lines import Line2D

            handles = [Line2D([], [], ls="none", marker="o", ms=4, color="grey", label="generated points")]
            if any_modes:
                handles.append(
                    Line2D([], [], ls="none", marker="o", ms=10, mfc="none", mec="black", label="true mode centres")
                )
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
        fig.suptitle("Generated samples at the last saved step (one seed per model)")
        return save_figure(fig, out_dir, "samples", formats)


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
    """Remake every figure of a run into RUN_DIR/figures/ (or `out_dir`); returns the files written.

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
    return paths
