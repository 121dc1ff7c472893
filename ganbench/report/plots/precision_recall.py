"""Precision against recall at the last step: a dot per seed and a diamond at each model's mean."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib import rc_context

from ganbench.report.leaderboard import leaderboard
from ganbench.report.plots.common import FORMATS, STYLE, model_colours, panel_row, panel_title, save_figure, seed_values


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
    precision = seed_values(leaderboard(frame, "precision").table)
    recall = seed_values(leaderboard(frame, "recall").table)
    both = precision.merge(recall, on=["dataset", "protocol_key", "model", "seed"], suffixes=("_p", "_r"))
    if both.empty:
        return []
    colours = model_colours(frame["model"])
    panels = list(dict.fromkeys(zip(both["dataset"], both["protocol_key"], strict=True)))
    several_protocols = len(panels) > len({d for d, _ in panels})
    with rc_context(STYLE):
        fig, axes = panel_row(len(panels), width=5.6, height=5.4)
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
            ax.set_title(panel_title(dataset, pkey, len(panels), several_protocols))
            # outside the axes: any corner of the unit square may hold a model's points
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
        fig.suptitle(
            "Precision vs recall at the last step\ndots = seeds, diamond = mean over seeds; best is top right",
            fontsize=11,
        )
        return save_figure(fig, out_dir, "precision_recall", formats)
