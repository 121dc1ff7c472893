"""Which true modes a 2-D samples panel covers, by the mode metric's own rule, drawn at their real size.

A mode is covered when at least `mode_min_count` samples lie within `mode_quality_stds` standard deviations of
it (VEEGAN / PacGAN; ganbench.metrics.modes). The settings come from the rows' protocol (their metric settings),
so the marks agree with the `modes_covered` the leaderboard reports for the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ganbench.metrics.config import ModeMetricConfig
from ganbench.metrics.modes import count_point_modes

COVERED_COLOUR = "#1a9850"
MISSED_COLOUR = "#d73027"


@dataclass(frozen=True)
class Coverage:
    """Per-mode coverage of one set of points: covered (M,) bool, the quality radius, and the samples used."""

    covered: np.ndarray
    radius: float
    n_points: int


def mode_settings(frame: pd.DataFrame | None, model: str) -> tuple[float, int]:
    """(quality stds, min count) from the model's rows' protocol; the metric's defaults when none says."""
    defaults = ModeMetricConfig()
    stds, count = defaults.mode_quality_stds, defaults.mode_min_count
    if frame is not None and len(frame):
        rows = frame[(frame["model"] == model) & (frame["metric"] == "modes_covered") & (frame["status"] == "ok")]
        for protocol in rows["protocol"]:
            settings = (protocol or {}).get("metric_settings") or {}
            stds = float(settings.get("mode_quality_stds", stds))
            count = int(settings.get("mode_min_count", count))
    return stds, count


def coverage(points: np.ndarray, modes: np.ndarray, mode_std: float, stds: float, min_count: int) -> Coverage:
    counts = count_point_modes(points, modes, mode_std, stds, min_count).counts
    return Coverage(counts >= min_count, stds * mode_std, len(points))


def draw_coverage(ax, modes: np.ndarray, found: Coverage) -> list:
    """Each mode's quality region as a circle of its true radius, green when covered and red when missed, with a
    marker at the centre (a filled dot, or a cross) so that tiny regions stay visible; returns legend handles."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    for centre, covered in zip(modes, found.covered, strict=True):
        colour = COVERED_COLOUR if covered else MISSED_COLOUR
        ax.add_patch(Circle(tuple(centre), found.radius, fill=False, edgecolor=colour, lw=1.2, zorder=4))
        ax.plot(*centre, marker="o" if covered else "X", ms=6 if covered else 8, color=colour, mec="black",
                mew=0.5, ls="none", zorder=5)
    return [
        Line2D([], [], ls="none", marker="o", ms=6, color=COVERED_COLOUR, mec="black", mew=0.5,
               label="mode covered (circle: its quality region)"),
        Line2D([], [], ls="none", marker="X", ms=8, color=MISSED_COLOUR, mec="black", mew=0.5, label="mode missed"),
    ]


def shared_limits(modes: list[np.ndarray], points: list[np.ndarray]) -> tuple[tuple[float, float], tuple[float, float]]:
    """One square x / y range for every panel: the modes and the central 98% of every panel's points, padded."""
    parts = [m for m in modes if m is not None and len(m)]
    for p in points:
        finite = p[np.isfinite(p).all(1)]
        if len(finite):
            parts.append(np.percentile(finite, [1, 99], axis=0))
    both = np.concatenate(parts)
    low, high = both.min(0), both.max(0)
    centre, half = (low + high) / 2, (high - low).max() / 2 * 1.15 + 1e-9
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)
