"""What a finished grid leaves behind: the leaderboard (CSV + Markdown) and the figures, made from the rows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ganbench.results import ALL_METRICS, RESULTS_FILE, load

LEADERBOARD_CSV = "leaderboard.csv"
LEADERBOARD_MD = "leaderboard.md"


@dataclass
class GridReport:
    """The leaderboard text (empty when nothing could be ranked) and the files written."""

    text: str = ""
    files: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


def rankable_keys(keys: list[str]) -> list[str]:
    """Metric keys with a direction (lower / higher is better), in the order given; spreads are left out."""
    from ganbench.metrics.presets import direction_of

    out = []
    for key in keys:
        try:
            if direction_of(key) in ("lower", "higher"):
                out.append(key)
        except KeyError:
            continue
    return out


def metric_keys(metrics: tuple[str, ...]) -> list[str]:
    """The result keys the named metric presets report, in their order ('pr' -> precision, recall)."""
    from ganbench.metrics.presets import METRICS

    return [key for name in metrics for key in METRICS.get(name).directions]


def report(run_dir: Path, metrics: tuple[str, ...], figures: bool = True) -> GridReport:
    """Write RUN_DIR/leaderboard.csv and .md over every rankable key of `metrics`, and the figures."""
    from ganbench.leaderboard import leaderboard
    from ganbench.plots import make_all

    result = GridReport()
    if not (run_dir / RESULTS_FILE).is_file():
        return result
    frame = load(run_dir)
    present = set(frame.loc[(frame["status"] == "ok") & (frame["metric"] != ALL_METRICS), "metric"])
    keys = [key for key in rankable_keys(metric_keys(metrics)) if key in present]
    if keys:
        table = leaderboard(frame, keys, "last")
        result.text = table.to_text()
        result.files = [table.write(run_dir / LEADERBOARD_CSV), table.write(run_dir / LEADERBOARD_MD)]
    if figures:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(no sample grids|no successful result rows).*")
            result.figures = make_all(run_dir)
    return result
