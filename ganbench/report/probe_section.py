"""The metric probe's section of `ganbench report`: every probe-metrics.json found in the run directories (written
by `ganbench probe-metrics --out RUN_DIR/...`), as its metric x damage table, its notes and its curves."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from ganbench.report.plots.probe_curves import plot_probe_curves
from ganbench.report.probe_table import cell_text, disagreements, grid, legend

#: The probe's document name (ganbench.probe.document.DOCUMENT_NAME; the report sits below the probe's layer).
PROBE_GLOB = "probe-metrics.json"
VERDICT_CLASS = {"detects": "sig", "wrong direction": "bad"}

esc = html.escape


def probe_table_html(doc: dict) -> str:
    damages, rows = grid(doc)
    cap = doc["thresholds"]["effect_cap"]
    parts = ['<table class="probe"><thead><tr><th>metric</th>' + "".join(f"<th>{esc(d)}</th>" for d in damages)]
    parts.append("</tr></thead><tbody>")
    for key, cells in rows:
        tds = "".join(
            f'<td class="{VERDICT_CLASS.get(c["verdict"], "")}" title="p={c["p"]:.3g}, strongest at {c["strongest"]:g}">'
            f"{esc(cell_text(c, cap))}</td>"
            for c in cells
        )
        parts.append(f"<tr><td>{esc(key)}</td>{tds}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def probe_section(runs: Sequence[Path], scratch: Path, figure: Callable[[Path, str, str], str]) -> str:
    """The section for every probe document under `runs` ("" when there is none); figures drawn into `scratch`
    and embedded with `figure(path, caption, alt)`."""
    found = [p for run in runs for p in sorted(Path(run).rglob(PROBE_GLOB))]
    if not found:
        return ""
    parts = ['<section id="probe"><h2>Metric probe: which metric detects which damage</h2>']
    for i, path in enumerate(found):
        doc = json.loads(path.read_text())
        parts.append(f"<h3>{esc(doc['dataset'])} <span class=muted>({esc(str(path))})</span></h3>")
        parts.append(probe_table_html(doc))
        notes = legend(doc) + [f"≠ {line}" for line in disagreements(doc)]
        parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
        parts.append('<div class="figs">')
        for fig in plot_probe_curves(doc, scratch / f"probe{i}", ("svg",)):
            parts.append(figure(fig, f"{doc['dataset']}: {fig.stem.removeprefix('probe_')}, response against strength.", fig.stem))
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)
