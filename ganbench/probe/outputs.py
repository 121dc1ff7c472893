"""Write a probe document and everything made from it into the output folder: the JSON document, the table
(Markdown and CSV) and one curves figure per damage."""

from __future__ import annotations

import json
from pathlib import Path

from ganbench.atomic import write_text_atomic
from ganbench.probe.document import DOCUMENT_NAME
from ganbench.report.plots.probe_curves import plot_probe_curves
from ganbench.report.probe_table import probe_csv, probe_markdown

TABLE_MD = "probe-metrics.md"
TABLE_CSV = "probe-metrics.csv"


def write_probe(doc: dict, out: Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write the document, its tables and its figures under `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / DOCUMENT_NAME, out / TABLE_MD, out / TABLE_CSV]
    write_text_atomic(paths[0], json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_text_atomic(paths[1], probe_markdown(doc))
    write_text_atomic(paths[2], probe_csv(doc))
    return paths + plot_probe_curves(doc, out, formats)
