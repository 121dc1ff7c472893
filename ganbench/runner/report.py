"""What a finished grid leaves behind: the leaderboard (CSV + Markdown) and the figures, made from the rows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ganbench.metrics.spec import direction_of, metric_keys
from ganbench.report.leaderboard import leaderboard, ranked_keys
from ganbench.report.plots.make import make_all
from ganbench.report.results import RESULTS_FILE, load

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
    return [key for key in keys if direction_of(key) in ("lower", "higher")]


def report(run_dir: Path, metrics: tuple[str, ...], figures: bool = True) -> GridReport:
    """Write RUN_DIR/leaderboard.csv and .md over every rankable key of `metrics`, and the figures."""
    result = GridReport()
    if not (run_dir / RESULTS_FILE).is_file():
        return result
    frame = load(run_dir)
    present = ranked_keys(frame)
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
