"""`ganbench report`: one self-contained static HTML page for one or more run directories.

The page loads nothing from anywhere: its style and script are inline and every figure is embedded as a
data URI (made from the rows and run files by the figure code in report/plots). It holds, in order: every ranked
metric's leaderboard (sortable; mean ± std, 95% CI, seeds, step, Welch's test against the next model with its
p-value), the metric curves, the leaderboard charts, each model's training losses, precision vs recall, each
model's samples (image grids, or 2-D points with every mode marked covered or missed; on 2-D data also every
seed's samples, samples_by_seed), memorization, PRD-curve and
birthday-pair figures found in the run directories (RUN_FIGURES), the paper comparison of a suite (see
COMPARISON_GLOB), a metric probe found there, and every protocol fingerprint with the run settings. One colour per
model in every figure. Files are read only where they lie inside their run directory (links out are skipped).

Paper comparison: a suite's RUN_DIR/comparison*.md (what `ganbench suite compare --out` writes) is rendered as
headings, notes and tables (a comparison*.csv beside it is the same table, so it is not shown again; one without
is shown as a table). Without such files, the comparison of each suite the rows record is computed from them.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

import ganbench
from ganbench.atomic import write_text_atomic
from ganbench.errors import GanbenchError
from ganbench.paths import file_inside
from ganbench.report.html_assets import CSS, SCRIPT
from ganbench.report.html_comparison import markdown_html, suite_comparisons
from ganbench.report.html_protocol import protocol_shown
from ganbench.report.labels import DIRECTION_WORDS, metric_label
from ganbench.report.leaderboard import leaderboard, ranked_keys
from ganbench.report.leaderboard_table import LeaderboardTable
from ganbench.report.plots.bars import plot_leaderboard_bars
from ganbench.report.plots.curves import plot_curves
from ganbench.report.plots.precision_recall import plot_precision_recall
from ganbench.report.plots.samples import plot_samples
from ganbench.report.plots.seed_samples import plot_samples_by_seed
from ganbench.report.plots.training import plot_training_curves
from ganbench.report.probe_section import probe_section
from ganbench.report.results import ALL_METRICS, load, results_path

REPORT_FILE = "index.html"
#: Files of a run directory the report shows as the paper comparison (written by suites).
COMPARISON_GLOB = "comparison*"
#: Figures of a run directory the report shows as memorization figures (PNG or SVG, anywhere in the run).
MEMORIZATION_GLOB = "memorization*"
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: Further figures of a run directory shown when present (PNG or SVG, anywhere in the run): glob -> (section id,
#: heading, caption); written by ganbench.report.plots.prd.plot_prd_curves and .birthday.plot_closest_pairs.
RUN_FIGURES = {
    "prd_curves*": ("prd", "PRD curves", "PRD curves (Sajjadi et al. 2018): one per model, band = min-max over seeds."),
    "birthday*": ("birthday", "Birthday-paradox pairs", "The closest generated pairs; red frame: a duplicate."),
}

esc = html.escape


def data_uri(path: Path) -> str:
    """The file as a data: URI (no request leaves the page)."""
    return f"data:{IMAGE_TYPES[path.suffix.lower()]};base64,{base64.b64encode(path.read_bytes()).decode()}"


def run_files(run: Path, paths: Iterable[Path]) -> list[Path]:
    """The files among `paths` that really lie inside run directory `run`, sorted; a link out of it is skipped
    with a warning, never read: the page would carry the contents of whatever it points to."""
    paths = sorted(paths)
    inside = [path for path in paths if file_inside(path, run)]
    outside = [path for path in paths if path not in inside and path.is_symlink()]
    if outside:
        warnings.warn(
            f"skipped {', '.join(map(str, outside))}: a link out of the run directory {run} is not read into the report",
            stacklevel=2,
        )
    return inside


def figure(path: Path, caption: str, alt: str) -> str:
    return (
        f'<figure><img src="{data_uri(path)}" alt="{esc(alt)}" loading="eager">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _num(value) -> str:
    return "" if value is None or pd.isna(value) else repr(float(value))


def leaderboard_section(table: LeaderboardTable) -> str:
    """One sortable <table> per ranking (metric, dataset, protocol), its notes, then the methods once."""
    parts = ['<section id="leaderboards"><h2>Leaderboards</h2>']
    headers = table.HEADERS  # the p-value is in the vs-next cell once, which sorts by it
    for key, rows in table.groups():
        direction = rows["direction"].iloc[0]
        metric, dataset, pkey = key
        parts.append(
            f'<h3 id="lb-{esc(metric)}-{esc(dataset)}-{esc(pkey)}">{esc(metric_label(metric, direction))} '
            f"<span class=muted>({esc(DIRECTION_WORDS[direction])}) on {esc(dataset)}, protocol {esc(pkey or 'unknown')}, "
            f"step: {esc(table.step)}</span></h3>"
        )
        parts.append(f'<table class="sortable leaderboard" data-metric="{esc(metric)}"><thead><tr>')
        parts.append("".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead><tbody>")
        for (_, row), shown in zip(rows.iterrows(), table.display_rows(rows), strict=True):
            rank, model, mean, ci, seeds, steps, vs_next, notes = shown
            sortable = [
                (rank, _num(row["rank"]), "num"),
                (model, None, ""),
                (mean, _num(row["mean"]), "num"),
                (ci, _num(row["ci95_low"]), "num"),
                (seeds, str(int(row["n_seeds"])), "num"),
                (steps, None, "num"),
                (vs_next, _num(row["vs_next_p"]), "sig" if row["vs_next_significant"] is True else ""),
                (notes, None, ""),
            ]
            cells = "".join(
                f"<td{f' class={cls}' if cls else ''}{f' data-v={value}' if value else ''}>{esc(text)}</td>"
                for text, value, cls in sortable
            )
            parts.append(f'<tr class="{"rank1" if rank == "1" else ""}">{cells}</tr>')
        parts.append("</tbody></table>")
        notes = table.group_notes.get(key, [])
        if notes:
            parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if table.notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in table.notes) + "</ul>")
    parts.append(f'<p class="methods">{esc(table.methods)}</p></section>')
    return "\n".join(parts)


def figures_section(frame: pd.DataFrame, runs: Sequence[Path], scratch: Path) -> str:
    """Training curves, precision vs recall, samples per run, memorization figures: each embedded."""
    parts = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(no sample grids|no successful result rows).*")
        curves = plot_curves(frame, scratch / "curves", ("svg",))
        bars = plot_leaderboard_bars(frame, scratch / "bars", formats=("svg",))
        losses = [p for i, run in enumerate(runs) for p in plot_training_curves(run, scratch / f"losses{i}", ("png",), list(frame["model"]))]
        pr = plot_precision_recall(frame, scratch / "pr", ("svg",))
        samples = [(run, plot_samples(run, scratch / f"samples{i}", frame, ("svg",))) for i, run in enumerate(runs)]
        by_seed = [(run, plot_samples_by_seed(run, scratch / f"seeds{i}", frame, ("svg",))) for i, run in enumerate(runs)]
    parts.append('<section id="curves"><h2>Training curves</h2>')
    if curves:
        parts.append('<div class="figs">')
        for path in curves:
            key = path.stem.removeprefix("curve_")
            parts.append(figure(path, f"{metric_label(key)} against training step: mean over seeds, band = min-max.", key))
        parts.append("</div>")
    else:
        parts.append("<p class=muted>No evaluations yet.</p>")
    parts.append("</section>")
    if bars:
        parts.append('<section id="bars"><h2>Leaderboard charts</h2><div class="figs">')
        parts += [figure(path, f"{metric_label(path.stem.removeprefix('leaderboard_'))}: mean over seeds (bar), 95% bootstrap "
                         "CI, each seed a dot.", path.stem) for path in bars]
        parts.append("</div></section>")
    if losses:
        parts.append('<section id="losses"><h2>Training losses</h2><div class="figs">')
        parts += [figure(path, f"{path.stem.removeprefix('training_')}: every value its training step logs "
                         "(losses.csv), smoothed; mean over seeds, band = min-max.", path.stem) for path in losses]
        parts.append("</div></section>")
    if pr:
        parts.append('<section id="precision-recall"><h2>Precision vs recall</h2>')
        parts += [figure(path, "Last step: a dot per seed, a diamond at each model's mean.", "precision vs recall") for path in pr]
        parts.append("</section>")
    parts.append('<section id="samples"><h2>Samples</h2>')
    shown = False
    for run, paths in samples:
        for path in paths:
            shown = True
            parts.append(figure(path, f"{run}: each model's samples at its last saved step (one seed); on 2-D data each "
                                "true mode is marked covered or missed by the mode metric's rule, its circle the "
                                "quality region at true size, the same axes in every panel.", "samples"))
    for run, paths in by_seed:
        parts += [figure(path, f"{run}: every seed's samples at its last saved step, a row per model, modes marked "
                         "as above: a seed that collapsed covers one mode.", "samples by seed") for path in paths]
    if not shown:
        parts.append("<p class=muted>No sample files in the run directories.</p>")
    parts.append("</section>")
    memorization = [p for run in runs for p in run_files(run, run.rglob(MEMORIZATION_GLOB)) if p.suffix.lower() in IMAGE_TYPES]
    if memorization:
        parts.append('<section id="memorization"><h2>Memorization</h2>')
        parts += [figure(p, f"{p}: generated samples beside their nearest training images.", "memorization") for p in memorization]
        parts.append("</section>")
    parts.append(run_figures_section(runs))
    return "\n".join(parts)


def run_figures_section(runs: Sequence[Path]) -> str:
    """A section per RUN_FIGURES entry with files in the run directories (none without)."""
    parts = []
    for pattern, (anchor, heading, caption) in RUN_FIGURES.items():
        found = [p for run in runs for p in sorted(run.rglob(pattern)) if p.suffix.lower() in IMAGE_TYPES]
        if found:
            parts.append(f'<section id="{anchor}"><h2>{esc(heading)}</h2>')
            parts += [figure(p, f"{p}: {caption}", heading) for p in found]
            parts.append("</section>")
    return "\n".join(parts)


def comparison_section(runs: Sequence[Path]) -> str:
    """Every comparison*.csv / comparison*.md of the run directories (a suite's paper comparison)."""
    files = [p for run in runs for p in run_files(run, run.glob(COMPARISON_GLOB)) if p.suffix.lower() in (".csv", ".md")]
    if not files:
        return ""
    parts = ['<section id="comparison"><h2>Comparison with the papers</h2>']
    for path in files:
        if path.suffix.lower() == ".csv" and path.with_suffix(".md") in files:
            continue  # the same comparison, shown from its Markdown
        parts.append(f"<h3>{esc(str(path))}</h3>")
        if path.suffix.lower() == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_text())))
            if rows:
                parts.append('<table class="sortable comparison"><thead><tr>')
                parts.append("".join(f"<th>{esc(h)}</th>" for h in rows[0]) + "</tr></thead><tbody>")
                parts += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows[1:]]
                parts.append("</tbody></table>")
        else:
            parts.append(markdown_html(path.read_text()))
    parts.append("</section>")
    return "\n".join(parts)


def computed_comparison_section(frame: pd.DataFrame) -> str:
    """The paper comparison of every suite the rows record, computed from them (when no comparison file is there)."""
    texts = suite_comparisons(frame)
    if not texts:
        return ""
    return '<section id="comparison"><h2>Comparison with the papers</h2>' + "\n".join(map(markdown_html, texts)) + "</section>"


def protocol_section(frame: pd.DataFrame, runs: Sequence[Path]) -> str:
    """Every protocol fingerprint in full (one per protocol key), who was measured under it, and the run settings."""
    parts = ['<section id="protocol"><h2>Protocol fingerprints</h2>']
    ok = frame[(frame["status"] == "ok") & (frame["metric"] != ALL_METRICS)]
    for pkey, rows in ok.groupby("protocol_key", sort=True):
        who = ", ".join(sorted({f"{m} on {d}" for m, d in zip(rows["model"], rows["dataset"], strict=True)}))
        shown, sampling = protocol_shown(rows["protocol"])
        protocol = json.dumps(shown, indent=2, sort_keys=True, default=str)
        parts.append(
            f"<h3>protocol {esc(pkey or 'unknown')}</h3><p class=muted>{esc(who)}</p>"
            f"{f'<p>{esc(sampling)}</p>' if sampling else ''}<pre>{esc(protocol)}</pre>"
        )
    for run in runs:
        grid = run / "grid.json"
        if run_files(run, [grid]):
            parts.append(f"<details><summary>run settings: {esc(str(grid))}</summary><pre>{esc(grid.read_text())}</pre></details>")
    configs = ok.drop_duplicates("model")
    for _, row in configs.iterrows():
        if row["config"]:
            text = json.dumps(row["config"], indent=2, sort_keys=True, default=str)
            parts.append(f"<details><summary>training config: {esc(row['model'])}</summary><pre>{esc(text)}</pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def report_html(runs: Sequence[str | os.PathLike], scratch: Path) -> str:
    """The whole page for the run directories (figures drawn into `scratch`, then embedded)."""
    runs = [Path(run) for run in runs]
    for run in runs:
        if not results_path(run).is_file():
            raise GanbenchError(f"{run} has no results.jsonl; pass run directories made by `ganbench run`")
    frame = load(runs)
    keys = ranked_keys(frame)
    sections = []
    nav = []
    if keys:
        sections.append(leaderboard_section(leaderboard(frame, keys, "last")))
        nav.append(("leaderboards", "Leaderboards"))
    else:
        sections.append("<section id=leaderboards><h2>Leaderboards</h2><p class=muted>No successful evaluations yet.</p></section>")
    sections.append(figures_section(frame, runs, scratch))
    nav += [("curves", "Training curves"), ("bars", "Charts"), ("losses", "Losses"), ("precision-recall", "Precision vs recall"),
            ("samples", "Samples")]
    comparison = comparison_section(runs) or computed_comparison_section(frame)
    if comparison:
        sections.append(comparison)
        nav.append(("comparison", "Papers"))
    probe = probe_section(runs, scratch, figure)
    if probe:
        sections.append(probe)
        nav.append(("probe", "Metric probe"))
    sections.append(protocol_section(frame, runs))
    nav.append(("protocol", "Protocol"))
    datasets = ", ".join(sorted(set(frame["dataset"])))
    models = ", ".join(sorted(set(frame["model"])))
    made = datetime.now(timezone.utc).isoformat(timespec="seconds")
    links = "".join(f'<a href="#{anchor}">{esc(text)}</a>' for anchor, text in nav if f'id="{anchor}"' in "".join(sections))
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        '<link rel=icon href="data:,">'
        f"<title>ganbench report: {esc(datasets)}</title><style>{CSS}</style></head><body>"
        f"<h1>ganbench report</h1><p class=lead>{esc(models)} on {esc(datasets)}; "
        f"{len(frame)} result rows from {esc(', '.join(str(r) for r in runs))}. Made {made} by ganbench "
        f"{esc(ganbench.__version__)}.</p><nav>{links}</nav>\n"
        + "\n".join(sections)
        + f"\n<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(runs: Sequence[str | os.PathLike], out_dir: str | os.PathLike) -> Path:
    """Write OUT_DIR/index.html for the run directories; returns its path."""
    out = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="ganbench-report-") as scratch:
        page = report_html(runs, Path(scratch))
    write_text_atomic(out / REPORT_FILE, page)
    return out / REPORT_FILE
