"""A comparison as Markdown and CSV, each saying how it was made: protocol (full or reduced), machine, version,
wall time, and whether the paper's values were checked."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from ganbench.report.comparison import ComparedNumber, Comparison
from ganbench.suites.base import UNCHECKED_FOOTNOTE

METHOD_NOTE = (
    "Ours: each seed's value at its last evaluation; mean +- standard error across seeds. Intervals: Student-t 95% "
    "intervals of the mean, the paper's from its s.e. (a std is divided by sqrt(n); a value printed without one "
    "is a point). Verdict: agrees when the two intervals overlap, else higher / lower (ours against the paper's). "
    "Welch p: two-sided Welch t-test of ours against the paper's summary (mean, s.e., n)."
)


def decimals_for(value: float) -> int:
    """Decimals that show a table value the way the papers print it: 1 from 10 up, 2 below, 3 under 0.1."""
    size = abs(value)
    return 1 if size >= 10 else 2 if size >= 0.1 else 3


def fmt(value: float | None, decimals: int | None = None) -> str:
    """A number with `decimals` (default: decimals_for(value)); '-' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{decimals_for(value) if decimals is None else decimals}f}"


def fmt_pm(mean: float, se: float | None) -> str:
    """'mean +- se' with the mean's decimals for both ('mean' alone without an se)."""
    if se is None or (isinstance(se, float) and math.isnan(se)) or math.isnan(mean):
        return fmt(mean)
    decimals = decimals_for(mean)
    return f"{fmt(mean, decimals)} +- {fmt(se, decimals)}"


def fmt_p(p: float) -> str:
    if math.isnan(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def protocol_status(comparison: Comparison) -> str:
    """'FULL' or 'REDUCED: steps 5000 (pinned 400000) for gan, pacgan2; ...' from the recorded settings."""
    changes: dict[str, list[str]] = {}
    for model, run in sorted(comparison.runs.items()):
        for key, (pinned, used) in sorted(run.deviations.items()):
            text = f"{key} {'/'.join(str(u) for u in sorted(used, key=str))} (pinned {pinned})"
            changes.setdefault(text, []).append(model)
    if not changes:
        return "FULL (every pinned setting as the suite gives it)"
    return "REDUCED: " + "; ".join(f"{text} for {', '.join(models)}" for text, models in changes.items())


def wall_time_text(comparison: Comparison) -> str:
    """Total cell wall time and each model's seconds per 1,000 steps (training plus evaluations)."""
    total = sum(sum(run.cell_wall_s) for run in comparison.runs.values())
    cells = sum(len(run.cell_wall_s) for run in comparison.runs.values())
    per_model = []
    for model, run in sorted(comparison.runs.items()):
        rates = [w / s * 1000 for w, s in zip(run.cell_wall_s, run.cell_steps, strict=True) if s]
        if rates:
            per_model.append(f"{model} {sum(rates) / len(rates):.0f} s")
    return (
        f"{total / 3600:.2f} h over {cells} cells (each cell one process); per 1,000 steps: "
        + (", ".join(per_model) or "-")
    )


def header_lines(comparison: Comparison) -> list[str]:
    suite = comparison.suite
    seeds = ", ".join(
        f"{m} {len(next(iter(r.values.values()), []))}" for m, r in sorted(comparison.runs.items())
    )
    lines = [
        f"- Suite: `{suite.name}` on `{suite.dataset}` ({suite.n_generated:,} samples per evaluation)",
        f"- Protocol: {protocol_status(comparison)}",
        f"- Seeds: {seeds or 'none'} (the paper: {suite.trials} trials per row)",
        f"- Machine: {comparison.machine}",
        f"- ganbench version: {', '.join(comparison.versions) or 'unknown'}",
        f"- Wall time: {wall_time_text(comparison)}",
    ]
    if not suite.comparable_offline:
        lines.append(
            "- Data: this suite needs the full dataset; run offline on ganbench's built-in substitute its numbers are "
            "NOT comparable with the paper's"
        )
    return lines


def to_markdown(comparison: Comparison) -> str:
    suite = comparison.suite
    out = [f"# {suite.title}", "", *header_lines(comparison), ""]
    for metric in suite.metrics:
        numbers = [n for n in comparison.numbers if n.metric == metric.key]
        if not numbers:
            continue
        out += [
            f"## {metric.column} (`{metric.key}`" + (f" x {metric.factor:g}" if metric.factor != 1 else "") + ")",
            "",
            "| paper row | paper: mean +- s.e. (n) | ganbench model | ours: mean +- s.e. | ours: 95% CI | seeds | "
            "Welch p | verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for n in numbers:
            star = "" if n.checked else "*"
            paper = f"{fmt_pm(n.paper_mean, n.paper_se)} ({n.paper_n if n.paper_n else '?'})"
            ours = fmt_pm(n.ours_mean, n.ours_se if n.n_seeds > 1 else None)
            decimals = decimals_for(n.ours_mean) if n.n_seeds > 1 else None
            ci = f"[{fmt(n.ours_low, decimals)}, {fmt(n.ours_high, decimals)}]" if n.n_seeds > 1 else "-"
            out.append(
                f"| {n.label} | {paper}{star} | {n.model or '-'} | {ours} | {ci} | {n.n_seeds} | "
                f"{fmt_p(n.welch_p)} | {n.verdict} |"
            )
        out.append("")
    if comparison.claims:
        out += ["## The paper's claims, on our seeds", "", "| claim | metric | means (ganbench units) | seeds | "
                "Welch p | verdict |", "|---|---|---|---|---|---|"]
        for c in comparison.claims:
            out.append(
                f"| {c.text} | {c.metric} | {fmt(c.better_mean)} vs {fmt(c.worse_mean)} | {c.n_better} vs "
                f"{c.n_worse} | {fmt_p(c.p)} | {c.verdict} |"
            )
        out.append("")
    out += ["## Notes", ""]
    if any(not n.checked for n in comparison.numbers):
        out.append(f"- \\* {UNCHECKED_FOOTNOTE}")
    out.append(f"- {METHOD_NOTE}")
    out += [f"- `{m.key}`: {m.note}" for m in suite.metrics if m.note]
    out += [f"- {note}" for note in suite.notes]
    sources = sorted({n.source for n in comparison.numbers})
    out += [f"- Published values: {source}" for source in sources]
    out += [f"- Protocol from: {source}" for source in suite.sources]
    return "\n".join(out) + "\n"


def provenance(comparison: Comparison) -> dict[str, str]:
    """The columns every published CSV carries: suite, protocol status, machine, version, wall time."""
    return {
        "suite": comparison.suite.name,
        "protocol": protocol_status(comparison),
        "machine": comparison.machine,
        "ganbench_version": ", ".join(comparison.versions),
        "wall_time": wall_time_text(comparison),
    }


def with_provenance(frame: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    """`frame` with the provenance columns appended (a copy)."""
    return frame.assign(**provenance(comparison))


def to_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per (published row, metric), with the run's protocol status, machine, version and wall time."""
    columns = [f.name for f in dataclasses.fields(ComparedNumber)]
    frame = pd.DataFrame.from_records([dataclasses.asdict(n) for n in comparison.numbers], columns=columns)
    return with_provenance(frame, comparison)


def claims_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per claim, with the same provenance columns."""
    return with_provenance(pd.DataFrame.from_records([dataclasses.asdict(c) for c in comparison.claims]), comparison)
