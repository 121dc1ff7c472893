"""Leaderboard bars: the mean over seeds in rank order, the 95% bootstrap CI, and every seed as a dot."""

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
    footer,
    model_colours,
    panel_row,
    panel_title,
    safe_name,
    save_figure,
)


def plot_leaderboard_bars(
    frame: pd.DataFrame, out_dir: str | os.PathLike, step: str = "last", formats: Sequence[str] = FORMATS
) -> list[Path]:
    """One figure per rankable metric: bars of the mean over seeds in rank order, error bars of the 95%
    bootstrap CI, and each seed's value as a dot. Separate panels per dataset and protocol."""
    out_dir = Path(out_dir)
    keys = [k for k in sorted(set(frame.loc[frame["status"] == "ok", "metric"])) if direction_of(k) in ARROWS]
    colours = model_colours(frame["model"])
    paths = []
    for key in keys:
        board = leaderboard(frame, key, step)
        table = board.table
        panels = list(dict.fromkeys(zip(table["dataset"], table["protocol_key"], strict=True)))
        several_protocols = len(panels) > len({d for d, _ in panels})
        direction = direction_of(key)
        with rc_context(STYLE):
            sizes = [len(table[(table["dataset"] == d) & (table["protocol_key"] == p)]) for d, p in panels]
            fig, axes = panel_row(len(panels), width=1.5, height=4.6, ratios=[n + 1.5 for n in sizes])
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
                ax.set_title(panel_title(dataset, pkey, len(panels), several_protocols))
            rule = "last step" if step == "last" else "best step per seed (optimistic)"
            fig.suptitle(
                f"{key_label(key)} {ARROWS[direction]} at the {rule}\n"
                "bar = mean over seeds, error bar = 95% bootstrap CI, dots = seeds; ranked best first",
                fontsize=11,
            )
            footer(fig, board.protocol_notes)
            paths += save_figure(fig, out_dir, f"leaderboard_{safe_name(key)}", formats)
    return paths
