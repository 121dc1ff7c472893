"""A comparison as Markdown and CSV, each saying how it was made: protocol (full or reduced), machine, version,
wall time, and whether the paper's values were checked."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from ganbench.report.comparison import ComparedNumber, Comparison
from ganbench.report.significance import t_interval
from ganbench.report.verdicts import MIN_SEEDS
from ganbench.suites.base import UNCHECKED_FOOTNOTE

METHOD_NOTE = (
    "Ours: each seed's value at its last evaluation; mean +- standard error across seeds. Intervals: Student-t 95% "
    "intervals of the mean, the paper's from its s.e. (a std is divided by sqrt(n); a value printed without one "
    "is a point). Welch p: two-sided Welch t-test of ours against the paper's summary (mean, s.e., n). Verdict, "
    f"in this order: too few seeds (under {MIN_SEEDS}); at chance (ours not better than the best chance baseline "
    "by a two-sided Welch test across seeds against its draws, p < 0.05; below chance where ours is also worse than "
    "every baseline, as a collapsed generator is); inconclusive (our interval wider than "
    "the range the metric can take); higher / lower (intervals apart, or Welch p < 0.05); else agrees."
)
CHANCE_NOTE = (
    "Chance baselines: point sets that know nothing of the modes, drawn {draws} times each at this suite's sample "
    "count and scored with its metric settings by ganbench (`ganbench.report.chance`); shown as mean +- s.e. over "
    "the draws. 'best chance' is the baseline with the most favourable mean on that metric, 'p vs chance' the "
    "Welch p of our seeds against its draws."
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
    """'FULL' or 'REDUCED: steps 5000 (pinned 400000) for gan, pacgan2; ...' from the recorded settings, and from
    the steps the cells reached (a run with the pinned settings that is still training is not a full protocol)."""
    changes: dict[str, list[str]] = {}
    for model, run in sorted(comparison.runs.items()):
        for key, (pinned, used) in sorted(run.deviations.items()):
            text = f"{key} {'/'.join(str(u) for u in sorted(used, key=str))} (pinned {pinned})"
            changes.setdefault(text, []).append(model)
        pinned_steps = _pinned_steps(comparison, model)
        if "steps" not in run.deviations and pinned_steps and min(run.cell_steps, default=0) < pinned_steps:
            text = f"compared at step {_span(run.cell_steps)} of the pinned {pinned_steps:,} (training not finished)"
            changes.setdefault(text, []).append(model)
    if not changes:
        return "FULL (every pinned setting as the suite gives it)"
    return "REDUCED: " + "; ".join(f"{text} for {', '.join(models)}" for text, models in changes.items())


def _pinned_steps(comparison: Comparison, model: str) -> int | None:
    entry = comparison.suite.model(model)
    steps = entry.settings.get("steps") if entry is not None else None
    return int(float(steps)) if steps is not None else None


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def protocol_fraction(comparison: Comparison) -> str:
    """What fraction of the protocol was run, for a comparison's first line: 'full protocol (400,000 steps, 10 of 10
    seeds)' or 'REDUCED protocol: 0.5% of the steps (2,000 of 400,000), 5 of 10 seeds' (steps: the last step each
    cell reached; seeds: per model, against the paper's trials)."""
    suite, runs = comparison.suite, comparison.runs
    seeds = [max((len(v) for v in run.values.values()), default=0) for run in runs.values()] or [0]
    pinned = {_pinned_steps(comparison, model) for model in runs} - {None}
    ran = [s for run in runs.values() for s in run.cell_steps] or [0]
    steps_full = all(
        min(run.cell_steps, default=0) >= (_pinned_steps(comparison, m) or 0) for m, run in runs.items()
    )
    full = steps_full and min(seeds) >= suite.trials and not comparison.reduced
    seed_text = f"{_span(seeds)} of {suite.trials} seeds"
    if len(pinned) == 1:
        total = pinned.pop()
        low, high = (f"{100 * step / total:.3g}" for step in (min(ran), max(ran)))
        share = low if low == high else f"{low}-{high}"  # never "100%" while some cells are short of it
        step_text = f"{total:,} steps" if steps_full else f"{share}% of the steps ({_span(ran)} of {total:,})"
    else:
        step_text = f"steps {_span(ran)}"
    missing = list(dict.fromkeys(n.label for n in comparison.numbers if n.verdict == "not run"))
    missing_text = f"; rows not run: {', '.join(missing)}" if missing else ""
    if full:
        return f"full protocol ({step_text}, {seed_text}){missing_text}"
    return f"REDUCED protocol: {step_text}, {seed_text}{missing_text}"


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


def chance_numbers(comparison: Comparison) -> list[ComparedNumber]:
    """One row per (chance baseline, metric), in paper units: the draws' mean +- s.e. and 95% interval in the
    'ours' fields, the draw count as n_seeds, verdict 'chance baseline', what was drawn as the source."""
    out = []
    for metric in comparison.suite.metrics:
        for baseline in comparison.chance:
            values = baseline.values.get(metric.key)
            if values is None:
                continue
            scaled = np.asarray(values) * metric.factor
            mean, se = float(scaled.mean()), float(scaled.std(ddof=1) / math.sqrt(len(scaled)))
            low, high = t_interval(mean, se, len(scaled))
            out.append(ComparedNumber(
                baseline.name, "", metric.key, metric.column, math.nan, None, None, math.nan, math.nan,
                mean, se, low, high, len(scaled), math.nan, "chance baseline", True, baseline.description,
            ))
    return out


def _number_line(n: ComparedNumber) -> str:
    star = "" if n.checked or n.verdict == "chance baseline" else "*"
    paper = f"{fmt_pm(n.paper_mean, n.paper_se)} ({n.paper_n if n.paper_n else '?'})" if n.paper_n else "-"
    ours = fmt_pm(n.ours_mean, n.ours_se if n.n_seeds > 1 else None)
    decimals = decimals_for(n.ours_mean) if n.n_seeds > 1 else None
    ci = f"[{fmt(n.ours_low, decimals)}, {fmt(n.ours_high, decimals)}]" if n.n_seeds > 1 else "-"
    seeds = f"{n.n_seeds} draws" if n.verdict == "chance baseline" else str(n.n_seeds)
    best = f"{fmt(n.chance_mean)} ({n.chance_baseline.removeprefix('chance: ')})" if n.chance_baseline else "-"
    return (
        f"| {n.label} | {paper}{star} | {n.model or '-'} | {ours} | {ci} | {seeds} | {fmt_p(n.welch_p)} | {best} | "
        f"{fmt_p(n.chance_p)} | {n.verdict} |"
    )


def grouped_sources(numbers: list[ComparedNumber]) -> list[str]:
    """The rows' sources, one line per table: 'paper, table, rows 1 (GAN), 2 (ALI)' from 'paper, table, row 1 (GAN)'."""
    tables: dict[str, list[str]] = {}
    for source in dict.fromkeys(n.source for n in numbers if not math.isnan(n.paper_mean)):
        table, _, row = source.partition(", row ")
        rows = tables.setdefault(table, [])
        if row and row not in rows:
            rows.append(row)
    return [f"{table}, row{'s' if len(rows) > 1 else ''} {', '.join(rows)}" if rows else table for table, rows in tables.items()]


def to_markdown(comparison: Comparison) -> str:
    suite = comparison.suite
    out = [f"# {suite.title}; {protocol_fraction(comparison)}", "", *header_lines(comparison), ""]
    chance = chance_numbers(comparison)
    for metric in suite.metrics:
        numbers = [n for n in comparison.numbers + chance if n.metric == metric.key]
        if not numbers:
            continue
        out += [
            f"## {metric.column} (`{metric.key}`" + (f" x {metric.factor:g}" if metric.factor != 1 else "") + ")",
            "",
            "| paper row | paper: mean +- s.e. (n) | ganbench model | ours: mean +- s.e. | ours: 95% CI | seeds | "
            "Welch p | best chance | p vs chance | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        out += [_number_line(n) for n in numbers]
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
    if comparison.chance:
        draws = len(next(iter(comparison.chance[0].values.values())))
        out.append("- " + CHANCE_NOTE.format(draws=draws))
        out += [f"- `{b.name}`: {b.description}" for b in comparison.chance]
    out += [f"- `{m.key}`: {m.note}" for m in suite.metrics if m.note]
    out += [f"- {note}" for note in suite.notes]
    out += [f"- Published values: {source}" for source in grouped_sources(comparison.numbers)]
    out += [f"- Protocol from: {source}" for source in suite.sources]
    return "\n".join(out) + "\n"


def provenance(comparison: Comparison) -> dict[str, str]:
    """The columns every published CSV carries: suite, protocol status, machine, version, wall time."""
    return {
        "suite": comparison.suite.name,
        "protocol": protocol_status(comparison),
        "protocol_run": protocol_fraction(comparison),
        "machine": comparison.machine,
        "ganbench_version": ", ".join(comparison.versions),
        "wall_time": wall_time_text(comparison),
    }


def with_provenance(frame: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    """`frame` with the provenance columns appended (a copy)."""
    return frame.assign(**provenance(comparison))


def to_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per (published row, metric), then one per (chance baseline, metric), with the run's protocol
    status, machine, version and wall time."""
    columns = [f.name for f in dataclasses.fields(ComparedNumber)]
    numbers = comparison.numbers + chance_numbers(comparison)
    frame = pd.DataFrame.from_records([dataclasses.asdict(n) for n in numbers], columns=columns)
    return with_provenance(frame, comparison)


def claims_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per claim, with the same provenance columns."""
    return with_provenance(pd.DataFrame.from_records([dataclasses.asdict(c) for c in comparison.claims]), comparison)
