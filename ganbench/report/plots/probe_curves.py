"""The probe's curves: for each damage, every metric key's response against the damage's strength, as the effect
size (mean minus floor, in floor standard deviations, + = worse) on a symmetric-log axis, so that metrics of any
scale share one axis and a response within the floor's spread stays visibly near zero."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from matplotlib import colormaps, rc_context

from ganbench.report.plots.common import FORMATS, STYLE, footer, panel_row, safe_name, save_figure

#: line style by verdict, so a reader sees at a glance which curves count
VERDICT_STYLE = {"detects": "-", "weak": "--", "blind": ":", "wrong direction": "-."}


def plot_probe_curves(doc: dict, out_dir: str | os.PathLike, formats: Sequence[str] = FORMATS) -> list[Path]:
    """One figure per damage (probe_<damage>.png/svg): a line per metric key, the legend giving its verdict."""
    out_dir = Path(out_dir)
    keys = list(doc["keys"])
    cmap = colormaps["tab10" if len(keys) <= 10 else "tab20"]
    colours = {key: cmap(i % cmap.N) for i, key in enumerate(keys)}
    paths = []
    with rc_context(STYLE):
        for damage in doc["damages"]:
            fig, (ax,) = panel_row(1, width=7.6, height=4.8)
            for cell in (c for c in doc["cells"] if c["damage"] == damage["name"]):
                ax.plot(
                    cell["strengths"], cell["effects"], marker="o", ms=3, color=colours[cell["key"]],
                    ls=VERDICT_STYLE[cell["verdict"]], label=f"{cell['key']}: {cell['verdict']}",
                )
            seen = doc["thresholds"]["seen_effect"]
            ax.axhspan(-seen, seen, color="0.9", zorder=0, label=f"within {seen:g} floor sds")
            ax.axhline(0, color="0.6", lw=0.8)
            ax.set_yscale("symlog", linthresh=seen)
            ax.set_xlabel(damage["unit"])
            ax.set_ylabel("effect: (mean - floor) / floor sd\n+ = the metric says worse (symlog)")
            ax.set_title(f"{doc['dataset']}: {damage['name']}")
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
            footer(fig, [f"{doc['n']} samples per set, {doc['repeats']} draws per strength; line style by verdict "
                         "(solid detects, dashed weak, dotted blind, dash-dot wrong direction)."])
            paths += save_figure(fig, out_dir, f"probe_{safe_name(damage['name'])}", formats)
    return paths
