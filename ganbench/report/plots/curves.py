"""Training curves: each metric against training step, mean over seeds with the min-max band, stops marked."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context

from ganbench.metrics.spec import direction_of, key_label
from ganbench.report.labels import ARROWS, axis_label
from ganbench.report.leaderboard import leaderboard
from ganbench.report.plots.common import (
    FORMATS,
    STYLE,
    dataset_groups,
    footer,
    log_axis,
    model_colours,
    panel_row,
    panel_title,
    safe_name,
    save_figure,
    use_log,
)
from ganbench.report.results import ALL_METRICS


def plot_curves(frame: pd.DataFrame, out_dir: str | os.PathLike, formats: Sequence[str] = FORMATS) -> list[Path]:
    """One figure per metric (spreads such as kid_std left out): its value against training step, per model
    the mean over seeds (line) and the min-max range across seeds (band); a cross marks where a seed diverged
    or failed."""
    out_dir = Path(out_dir)
    colours = model_colours(frame["model"])  # before dropping any model: the colours of every other figure
    untrained = untrained_models(frame)
    frame = frame[~frame["model"].isin(untrained)]
    ok = frame[frame["status"] == "ok"]
    groups = dataset_groups(frame)
    several_protocols = len(groups) > len({d for d, _ in groups})
    paths = []
    # a spread (kid_std, is_std) is the uncertainty of another key's value, not a score to follow over training
    for key in sorted(k for k in set(ok["metric"]) if direction_of(k) != "spread"):
        of_key = ok[ok["metric"] == key]
        panels = [g for g in groups if ((of_key["dataset"] == g[0]) & (of_key["protocol_key"] == g[1])).any()]
        with rc_context(STYLE):
            fig, axes = panel_row(len(panels))
            log = direction_of(key) == "lower" and use_log(of_key["value"].to_numpy())
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
                    log_axis(ax)
                ax.set_title(panel_title(dataset, pkey, len(panels), several_protocols))
                ax.legend(loc="best", frameon=False)
            fig.suptitle(f"{key_label(key)} during training: mean over seeds, band = min-max across seeds")
            skipped = [f"Not drawn (scored without training, step 0 only): {', '.join(untrained)}"] if untrained else []
            footer(fig, _stop_notes(frame, key) + _protocol_notes(frame, key) + skipped)
            paths += save_figure(fig, out_dir, f"curve_{safe_name(key)}", formats)
    return paths


def untrained_models(frame: pd.DataFrame) -> list[str]:
    """Models whose every row is at step 0: generators scored with `score --append`, which have no training to
    draw (they are ranked on the leaderboard, not plotted against training step)."""
    steps = frame.groupby("model")["step"].max()
    return sorted(steps[steps == 0].index)


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
    if direction_of(key) not in ARROWS:
        return []
    return leaderboard(frame, key).protocol_notes
