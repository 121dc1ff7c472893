"""Publishing a suite's results: the rows, the leaderboard, the comparison with the paper and the figures, in one
folder, every file saying how it was made (what `ganbench suite compare RUN_DIR --out DIR` writes)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ganbench.atomic import write_text_atomic
from ganbench.devices import machine_description
from ganbench.errors import GanbenchError
from ganbench.report.comparison import Comparison, compare
from ganbench.report.comparison_table import claims_frame, header_lines, to_frame, to_markdown, with_provenance
from ganbench.report.leaderboard import leaderboard
from ganbench.report.leaderboard_table import csv_safe
from ganbench.report.plots.make import plot_frame
from ganbench.report.plots.samples import plot_samples
from ganbench.report.plots.seed_samples import plot_samples_by_seed
from ganbench.report.results import load, read_rows, results_path
from ganbench.suites.base import SUITES, Suite

COMPARISON_MD = "comparison.md"
COMPARISON_CSV = "comparison.csv"
CLAIMS_CSV = "claims.csv"


def suite_rows(frame: pd.DataFrame, suite: Suite) -> pd.DataFrame:
    """The rows of `frame` that belong to `suite`: its dataset and its models (or a published row's model)."""
    models = set(suite.model_names) | {row.model for row in suite.published if row.model}
    return frame[(frame["dataset"] == suite.dataset) & frame["model"].isin(models)]


def load_suite_rows(run_dirs: Sequence[str | os.PathLike], suite: Suite, at_step: int | None = None) -> pd.DataFrame:
    """The suite's rows of the runs (with `at_step`, only those of evaluations at or before it, so every seed is
    compared as it stood then); a GanbenchError when none of them succeeded."""
    frame = suite_rows(load(run_dirs), suite)
    if at_step is not None:
        frame = frame[frame["step"] <= at_step]
    if not (frame["status"] == "ok").any():
        raise GanbenchError(
            f"the runs hold no successful rows of suite {suite.name!r} (dataset {suite.dataset}, models "
            f"{', '.join(suite.model_names)}); run `ganbench run --suite {suite.name}` first"
        )
    return frame


def which_suite(run_dirs: Sequence[str | os.PathLike], name: str | None) -> Suite:
    """The suite named, else the one the rows record, else the only suite on the runs' dataset."""
    if name:
        return SUITES.get(name)
    frame = load(run_dirs)
    recorded = {c["suite"]["name"] for c in frame["config"] if isinstance(c.get("suite"), dict)}
    if len(recorded) == 1:
        return SUITES.get(recorded.pop())
    datasets = set(frame["dataset"])
    candidates = [n for n in SUITES if SUITES.get(n).dataset in datasets]
    if len(recorded) > 1 or len(candidates) != 1:
        choices = ", ".join(sorted(recorded) or candidates) or ", ".join(SUITES.names())
        raise GanbenchError(f"cannot tell which suite these runs belong to; pass --suite (one of: {choices})")
    return SUITES.get(candidates[0])


def _copy_rows(run_dirs: Sequence[str | os.PathLike], suite: Suite, out: Path, at_step: int | None) -> Path:
    """OUT/results.jsonl: the suite's rows of every run (up to `at_step`), in file order (rewritten whole,
    atomically)."""
    models = set(suite.model_names) | {row.model for row in suite.published if row.model}
    lines = []
    for run_dir in run_dirs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = read_rows(results_path(run_dir))
        lines += [
            r.to_line()
            for r in rows
            if r.dataset == suite.dataset and r.model in models and (at_step is None or r.step <= at_step)
        ]
    path = out / "results.jsonl"
    write_text_atomic(path, "".join(lines))
    return path


def publish(
    run_dirs: Sequence[str | os.PathLike], suite: Suite, out: str | os.PathLike, figures: bool = True,
    at_step: int | None = None,
) -> tuple[Comparison, list[Path]]:
    """Write the suite's rows, leaderboard (CSV, Markdown), comparison (Markdown, CSV), claims and figures to
    `out` (with `at_step`: as the runs stood at that step); returns the comparison and the files written. Nothing
    is written when the runs hold no row of it."""
    frame = load_suite_rows(run_dirs, suite, at_step)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    comparison = compare(frame, suite, machine_description())
    files = [_copy_rows(run_dirs, suite, out, at_step)]

    write_text_atomic(out / COMPARISON_MD, to_markdown(comparison))
    files.append(out / COMPARISON_MD)
    for name, table in ((COMPARISON_CSV, to_frame(comparison)), (CLAIMS_CSV, claims_frame(comparison))):
        write_text_atomic(out / name, csv_safe(table).to_csv(index=False, lineterminator="\n"))
        files.append(out / name)

    keys = [m.key for m in suite.metrics if (frame["metric"] == m.key).any()]
    if keys:
        board = leaderboard(frame, keys, "last")
        board.notes = [line.removeprefix("- ") for line in header_lines(comparison)] + board.notes
        files.append(board.write(out / "leaderboard.md"))
        csv = csv_safe(with_provenance(board.table, comparison)).to_csv(index=False, lineterminator="\n")
        write_text_atomic(out / "leaderboard.csv", csv)
        files.append(out / "leaderboard.csv")
    if figures:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(no sample grids|no successful result rows).*")
            files += plot_frame(frame, out / "figures")
            # one figure over every run folder: drawn per folder, each would overwrite the one before
            files += plot_samples(run_dirs, out / "figures", frame, ("png",), max_step=at_step)
            files += plot_samples_by_seed(run_dirs, out / "figures", frame, ("png",), max_step=at_step)
    return comparison, files
