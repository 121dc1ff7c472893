"""Figure: PRD curves (Sajjadi et al. 2018), precision against recall for distributions, one curve per model.

With several seeds a model's line is the mean over seeds at each slope of the angle grid and its band spans the
seeds' smallest to largest precision at each recall.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib import rc_context

from ganbench.metrics.prd import PrdCurve
from ganbench.report.plots.common import FORMATS, STYLE, model_colours, panel_row, save_figure

#: recall values the seed band is drawn at
BAND_POINTS = 201


def precision_at(curve: PrdCurve, recall: np.ndarray) -> np.ndarray:
    """The curve's frontier at the given recalls: the highest precision among its points with at least that
    recall (0 beyond its largest recall). Precision rises as recall falls along the curve, except on the
    segment at the largest recall, where float rounding leaves many precisions at nearly one recall."""
    order = np.argsort(-curve.recall, kind="stable")
    best = np.maximum.accumulate(curve.precision[order])
    reached = np.searchsorted(-curve.recall[order], -np.asarray(recall, np.float64), side="right")
    return np.where(reached > 0, best[np.maximum(reached - 1, 0)], 0.0)


def plot_prd_curves(
    curves: Mapping[str, Sequence[PrdCurve]],
    out_dir: str | os.PathLike,
    formats: Sequence[str] = FORMATS,
    title: str = "",
    stem: str = "prd_curves",
) -> list[Path]:
    """Write out_dir/stem.{png,svg}: one PRD curve per model (name -> its seeds' curves, each on the same angle
    grid), the mean over seeds with a min-max band where a model has several. Returns the paths written."""
    if not curves or any(len(seeds) == 0 for seeds in curves.values()):
        raise ValueError("plot_prd_curves needs at least one curve for every model")
    colours = model_colours(list(curves))
    grid = np.linspace(0.0, 1.0, BAND_POINTS)
    with rc_context(STYLE):
        fig, (ax,) = panel_row(1, width=5.6, height=5.0)
        for model, seeds in sorted(curves.items()):
            precision = np.mean([c.precision for c in seeds], axis=0)
            recall = np.mean([c.recall for c in seeds], axis=0)
            label = f"{model} ({len(seeds)} seed{'s' if len(seeds) != 1 else ''})"
            ax.plot(recall, precision, color=colours[model], lw=2, label=label)
            if len(seeds) > 1:
                at = np.array([precision_at(c, grid) for c in seeds])
                reached = grid <= max(c.recall.max() for c in seeds)
                ax.fill_between(grid[reached], at.min(0)[reached], at.max(0)[reached], color=colours[model], alpha=0.2, lw=0)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_aspect("equal")
        ax.set_xlabel("recall (PRD)")
        ax.set_ylabel("precision (PRD)")
        ax.legend(loc="lower left", frameon=False)
        fig.suptitle(title or "PRD curves: line = mean over seeds, band = min-max; best reaches the top right", fontsize=11)
        return save_figure(fig, Path(out_dir), stem, formats)
