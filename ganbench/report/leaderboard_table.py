"""A leaderboard as a table: the publishable CSV columns and the text, Markdown and HTML renderings."""

from __future__ import annotations

import functools
import html
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ganbench.atomic import write_text_atomic
from ganbench.errors import GanbenchError
from ganbench.report.labels import DIRECTION_WORDS, metric_label

#: The CSV columns, in order, and what each one means. The CSV is the publishable artefact.
LEADERBOARD_COLUMNS: dict[str, str] = {
    "dataset": "dataset name",
    "protocol_key": "12 hex digits identifying the comparable protocol fields (ganbench.protocol.COMPARABLE_KEYS); "
    "a model is ranked only against models with the same dataset and protocol_key",
    "metric": "metric key, e.g. fid, is_mean, precision",
    "direction": "lower or higher: which values are better",
    "step_rule": "last: each seed's value at its final evaluated step; "
    "best: each seed's best value over all evaluated steps (optimistic: it selects on the test metric)",
    "rank": "1 = best within (metric, dataset, protocol_key); ties share a rank; empty when no seed is usable",
    "model": "model name",
    "mean": "mean of the per-seed values",
    "std": "sample standard deviation (ddof=1) of the per-seed values; empty with 1 seed",
    "ci95_low": "lower end of the 95% confidence interval of the mean (percentile bootstrap, 10,000 resamples, "
    "seed 0); empty with 1 seed",
    "ci95_high": "upper end of that interval",
    "n_seeds": "number of seeds in the statistics (status ok)",
    "n_excluded": "number of seeds left out of the statistics because they failed or diverged",
    "status": "ok when at least one seed is usable, else failed or diverged",
    "vs_next_model": "the model ranked directly below this one (empty for the last)",
    "vs_next_p": "two-sided p-value of Welch's t-test (unequal variances) between this model's and vs_next_model's "
    "per-seed values; empty when either has fewer than 2 seeds",
    "vs_next_significant": "True when vs_next_p < 0.05 (not corrected for multiple comparisons); empty when untestable",
    "steps": "training step the values come from: one number, or 'min-max' when seeds ended at different steps",
    "seed_values": "the per-seed values used, as 'seed:value' separated by ';'",
    "excluded": "seeds left out, as 'seed N: status at step S (reason)' separated by ';'",
    "note": "remarks such as 'interval unknown (1 seed)'",
    "best_seed_value": "the single best seed's value; NOT the model's score (optimistic), for reference only",
}


@dataclass
class LeaderboardTable:
    """Rankings per (metric, dataset, protocol_key); `table` has the columns of LEADERBOARD_COLUMNS.

    `notes` says what the reader must know: separate rankings and why, excluded seeds, duplicates.
    """

    table: pd.DataFrame
    metrics: list[str]
    step: str
    notes: list[str] = field(default_factory=list)
    methods: str = ""
    group_notes: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    #: why rankings of the same metric and dataset are separate (the protocol fields that differ)
    protocol_notes: list[str] = field(default_factory=list)

    def groups(self) -> list[tuple[tuple[str, str, str], pd.DataFrame]]:
        """(metric, dataset, protocol_key) and that ranking's rows, in table order."""
        keys = list(
            dict.fromkeys(zip(self.table["metric"], self.table["dataset"], self.table["protocol_key"], strict=True))
        )
        out = []
        for key in keys:
            mask = (
                (self.table["metric"] == key[0])
                & (self.table["dataset"] == key[1])
                & (self.table["protocol_key"] == key[2])
            )
            out.append((key, self.table[mask]))
        return out

    def title(self, key: tuple[str, str, str], direction: str) -> str:
        metric, dataset, pkey = key
        protocol = f"protocol {pkey}" if pkey else "unknown protocol"
        return (
            f"{metric_label(metric, direction)} ({DIRECTION_WORDS[direction]}) on {dataset}, {protocol}, "
            f"step: {self.step}"
        )

    def display_rows(self, rows: pd.DataFrame) -> list[list[str]]:
        decimals = _decimals(rows["mean"])
        fmt = functools.partial(_fmt, decimals=decimals)
        seeds = dict(zip(rows["model"], rows["n_seeds"], strict=True))
        out = []
        for _, row in rows.iterrows():
            mean = fmt(row["mean"])
            if row["n_seeds"] > 1:
                mean = f"{mean} ± {fmt(row['std'])}"
                ci = f"[{fmt(row['ci95_low'])}, {fmt(row['ci95_high'])}]"
            elif row["n_seeds"] == 1:
                ci = "interval unknown (1 seed)"
            else:
                ci = ""
            if pd.isna(row["vs_next_p"]):
                testable = row["n_seeds"] > 1 and seeds.get(row["vs_next_model"], 0) > 1
                why = "n/a (no spread across seeds)" if testable else "n/a (needs 2+ seeds each)"
                vs_next = why if row["vs_next_model"] else ""
            else:
                verdict = "significant" if row["vs_next_significant"] else "not significant"
                vs_next = f"p{_fmt_p(row['vs_next_p'])} {verdict}"
            remarks = "; ".join(part for part in (row["excluded"],) if part)
            out.append(
                [
                    "" if pd.isna(row["rank"]) else str(int(row["rank"])),
                    row["model"],
                    mean if row["n_seeds"] else f"({row['status']})",
                    ci,
                    f"{row['n_seeds']}" + (f" (+{row['n_excluded']} excluded)" if row["n_excluded"] else ""),
                    row["steps"],
                    vs_next,
                    remarks,
                ]
            )
        return out

    HEADERS = ["rank", "model", "mean ± std", "95% CI", "seeds", "step", "vs next (Welch)", "notes"]

    def to_text(self) -> str:
        """A readable plain-text rendering: one table per ranking, then the notes and the methods."""
        blocks = []
        for key, rows in self.groups():
            direction = rows["direction"].iloc[0]
            body = self.display_rows(rows)
            widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(self.HEADERS)]
            lines = [self.title(key, direction)]
            lines.append("  ".join(h.ljust(w) for h, w in zip(self.HEADERS, widths, strict=True)).rstrip())
            lines.append("  ".join("-" * w for w in widths))
            lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
            lines += [f"  * {note}" for note in self.group_notes.get(key, [])]
            blocks.append("\n".join(lines))
        head = "".join(f"* {note}\n" for note in self.notes)
        return (head + "\n" if head else "") + "\n\n".join(blocks) + "\n\n" + self.methods + "\n"

    def to_markdown(self) -> str:
        """Markdown: a heading and a pipe table per ranking, then the notes and the methods caption."""
        parts = [f"# Leaderboard ({md_escape(', '.join(self.metrics))}; step: {self.step})", ""]
        for key, rows in self.groups():
            parts += [f"## {md_escape(self.title(key, rows['direction'].iloc[0]))}", ""]
            parts.append("| " + " | ".join(self.HEADERS) + " |")
            parts.append("|" + "|".join("---:" if h in ("rank", "seeds") else "---" for h in self.HEADERS) + "|")
            for row in self.display_rows(rows):
                parts.append("| " + " | ".join(md_escape(cell) for cell in row) + " |")
            parts.append("")
            parts += [f"- {md_escape(note)}" for note in self.group_notes.get(key, [])]
            if self.group_notes.get(key):
                parts.append("")
        parts += [f"- {md_escape(note)}" for note in self.notes]
        parts += ["", f"*{self.methods}*", ""]
        return "\n".join(parts)

    def to_html(self) -> str:
        """A standalone HTML page: one <table> per ranking, then the notes and the methods (once)."""
        esc = html.escape
        parts = [
            "<!DOCTYPE html>",
            '<html><head><meta charset="utf-8"><title>ganbench leaderboard</title>',
            "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin:1em 0}"
            "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}caption{text-align:left;max-width:60em}"
            "</style></head><body>",
            f"<h1>Leaderboard ({esc(', '.join(self.metrics))}; step: {esc(self.step)})</h1>",
        ]
        for key, rows in self.groups():
            caption = f"<b>{esc(self.title(key, rows['direction'].iloc[0]))}</b>"
            parts.append(f"<table><caption>{caption}</caption>")
            parts.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in self.HEADERS) + "</tr>")
            for row in self.display_rows(rows):
                parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
            if self.group_notes.get(key):
                parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in self.group_notes[key]) + "</ul>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in self.notes) + "</ul>")
        parts.append(f"<p><small>{esc(self.methods)}</small></p>")
        parts.append("</body></html>\n")
        return "\n".join(parts)

    def to_csv(self) -> str:
        """The publishable CSV (columns of LEADERBOARD_COLUMNS, full precision)."""
        buffer = io.StringIO()
        csv_safe(self.table).to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()

    def write(self, path: str | os.PathLike) -> Path:
        """Write .csv, .md or .html (chosen by the suffix) atomically; returns the path."""
        path = Path(path)
        render = {".csv": self.to_csv, ".md": self.to_markdown, ".html": self.to_html, ".htm": self.to_html}
        if path.suffix.lower() not in render:
            raise GanbenchError(f"cannot write a leaderboard to {path.name}; use a .csv, .md or .html file name")
        write_text_atomic(path, render[path.suffix.lower()]())
        return path


#: Characters that make Markdown formatting, links or raw HTML out of text (a model name is anyone's text).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")
#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md_escape(text: str) -> str:
    """`text` shown as itself in Markdown: no emphasis, link, table cell break or raw HTML can come out of it."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text).replace("&", "&amp;").replace("\n", " "))


def csv_cell(value):
    """A text cell that a spreadsheet would run as a formula, prefixed with ' (OWASP); numbers, and text that
    reads as a number (-0.5), are left as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell passed through csv_cell (numeric columns untouched), ready for to_csv."""
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):  # text (object or str dtype); bool counts as numeric
            frame[column] = frame[column].map(csv_cell)
    return frame


def _decimals(means: pd.Series) -> int:
    """Decimals that show about 4 significant digits of the largest mean (0 to 6)."""
    finite = [abs(m) for m in means if pd.notna(m) and m != 0]
    if not finite:
        return 2
    return int(min(6, max(0, 3 - math.floor(math.log10(max(finite))))))


def _fmt(value: float, decimals: int = 2) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:.{decimals}f}"


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"={p:.3f}"
