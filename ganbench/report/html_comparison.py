"""A suite's paper comparison on the report page: the Markdown that `ganbench suite compare` writes
(report.comparison_table.to_markdown of report.comparison.compare), rendered as HTML headings, lists and tables.

Only the small Markdown subset those files use is rendered: `#` headings, `- ` list items, pipe tables and
paragraphs, with `code` spans; everything is escaped.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from ganbench.report.comparison import compare
from ganbench.report.comparison_table import to_markdown
from ganbench.suites.base import SUITES

esc = html.escape
CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Escaped text with `code` spans and Markdown's backslash escapes undone."""
    return CODE.sub(lambda m: f"<code>{m.group(1)}</code>", esc(re.sub(r"\\([\\`*_|#-])", r"\1", text)))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_html(text: str) -> str:
    """The HTML of a comparison Markdown file (headings one level down: the page has its own h1 and h2)."""
    out, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")) + 2, 6)
            out.append(f"<h{level}>{inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith("- "):
            items = []
            while index < len(lines) and lines[index].startswith("- "):
                items.append(f"<li>{inline(lines[index][2:])}</li>")
                index += 1
            out.append("<ul class=notes>" + "".join(items) + "</ul>")
            continue
        elif line.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                rows.append(_cells(lines[index]))
                index += 1
            body = [row for row in rows[1:] if not all(set(cell) <= set("-: ") for cell in row)]
            out.append(
                '<table class="sortable comparison"><thead><tr>'
                + "".join(f"<th>{inline(cell)}</th>" for cell in rows[0])
                + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" for row in body)
                + "</tbody></table>"
            )
            continue
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
        index += 1
    return "\n".join(out)


def suite_comparisons(frame: pd.DataFrame) -> list[str]:
    """The comparison Markdown of every suite the rows record (their `config.suite.name`), computed from the rows
    as `ganbench suite compare` computes it; the machine is the one the rows name."""
    names = sorted({c["suite"]["name"] for c in frame["config"] if isinstance(c, dict) and isinstance(c.get("suite"), dict)})
    texts = []
    for name in names:
        if name not in SUITES:
            continue
        suite = SUITES.get(name)
        models = set(suite.model_names) | {row.model for row in suite.published if row.model}
        rows = frame[(frame["dataset"] == suite.dataset) & frame["model"].isin(models)]
        if not (rows["status"] == "ok").any():
            continue
        machines = {c.get("machine") for c in rows["config"] if isinstance(c, dict) and c.get("machine")}
        texts.append(to_markdown(compare(rows, suite, ", ".join(sorted(machines)) or "unknown")))
    return texts
