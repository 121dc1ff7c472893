"""What every figure shares: the style, fixed model colours, panels, footnotes and atomic PNG/SVG writing.

Figures are drawn on matplotlib's Agg canvas through bare Figure objects (no pyplot, no global backend change).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ganbench.atomic import atomic_path

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


def model_colours(models: Sequence[str]) -> dict[str, tuple]:
    """One fixed colour per model (sorted names over tab10, then tab20), the same in every figure."""
    names = sorted(set(models))
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: cmap(i % cmap.N) for i, name in enumerate(names)}


def safe_name(name: str) -> str:
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


def dataset_groups(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(dataset, protocol_key) pairs with ok rows, in order of first appearance."""
    ok = frame[frame["status"] == "ok"]
    return list(dict.fromkeys(zip(ok["dataset"], ok["protocol_key"], strict=True)))


def panel_title(dataset: str, pkey: str, n_groups: int, several_protocols: bool) -> str:
    if several_protocols:
        return f"{dataset}, protocol {pkey or 'unknown'}"
    return dataset if n_groups > 1 else ""


def panel_row(
    n: int, width: float = 6.4, height: float = 4.4, ratios: Sequence[float] | None = None
) -> tuple[Figure, list]:
    """A row of `n` panels; `ratios` gives relative panel widths (total width = width * sum(ratios))."""
    ratios = list(ratios) if ratios is not None else [1.0] * n
    fig = Figure(figsize=(width * sum(ratios), height), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False, gridspec_kw={"width_ratios": ratios})[0]
    return fig, list(axes)


def log_axis(ax) -> None:
    """Log y axis with plain tick labels (20, 50, 100, 200) instead of powers of ten."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def use_log(values: np.ndarray) -> bool:
    """Log scale for a distance (FID, KID) that falls over more than a factor of 5 during training."""
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() / values.min() > 5


def footer(fig: Figure, notes: list[str]) -> None:
    """Notes under the panels (wrapped to the figure width)."""
    if notes:
        width = max(60, int(fig.get_figwidth() * 14))
        text = "\n".join(textwrap.fill(note, width) for note in notes)
        fig.text(0.01, 0, text, fontsize=9, va="top", ha="left")


def seed_values(table: pd.DataFrame) -> pd.DataFrame:
    """Leaderboard rows unfolded to one row per (dataset, protocol_key, model, seed) with its value."""
    records = []
    for row in table.itertuples(index=False):
        for part in filter(None, row.seed_values.split(";")):
            seed, value = part.split(":", 1)
            records.append((row.dataset, row.protocol_key, row.model, int(seed), float(value), row.n_excluded))
    return pd.DataFrame.from_records(
        records, columns=["dataset", "protocol_key", "model", "seed", "value", "n_excluded"]
    )
