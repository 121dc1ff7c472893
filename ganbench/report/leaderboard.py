"""Leaderboards across training seeds: mean, std, bootstrap CI and Welch's t-test per model.

Only rows measured under the same protocol are ranked together: rows are grouped by
(dataset, protocol_key) and each group gets its own ranking, with the fields that differ named.
Each model's number is a summary over seeds, never its best seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ganbench.errors import GanbenchError
from ganbench.metrics.spec import METRICS, direction_of
from ganbench.protocol import differences
from ganbench.report.labels import metric_direction
from ganbench.report.leaderboard_table import LEADERBOARD_COLUMNS, LeaderboardTable
from ganbench.report.results import ALL_METRICS
from ganbench.report.significance import (
    ALPHA,
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CONFIDENCE,
    TEST_NAME,
    bootstrap_ci,
    mean_std,
    welch_test,
)


def parse_metrics(metric: str | Sequence[str]) -> list[str]:
    """'fid,precision' or ['fid', 'precision'] as a list of keys (order kept, duplicates dropped)."""
    parts = metric.split(",") if isinstance(metric, str) else list(metric)
    keys = [part.strip() for part in parts if part and part.strip()]
    if not keys:
        raise GanbenchError("no metric named; pass e.g. --metric fid or --metric fid,precision")
    return list(dict.fromkeys(keys))


def methods_text(
    step: str, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED, alpha: float = ALPHA
) -> str:
    """The caption that says how every number in the table was made."""
    if step == "last":
        values = "each seed's value at its final evaluated step"
    else:
        values = "each seed's best value over all evaluated steps (optimistic: it selects on the test metric)"
    return (
        f"Per-seed values: {values}. mean and std (ddof=1) are across seeds; 95% CI: percentile bootstrap of the "
        f"mean ({resamples:,} resamples, seed {seed}; with few seeds it understates the uncertainty). "
        f"vs next: {TEST_NAME} of the per-seed values against the next model down, alpha {alpha:g}, "
        "not corrected for multiple comparisons. Failed and diverged seeds are listed and excluded from all statistics."
    )


def suite_protocol_notes(frame: pd.DataFrame) -> list[str]:
    """One note per suite the rows were run under: its full protocol, or REDUCED and the pinned settings changed."""
    found: dict[str, set[str]] = {}
    for config in frame["config"] if len(frame) else []:
        record = config.get("suite") if isinstance(config, dict) else None
        if isinstance(record, dict):
            found.setdefault(record["name"], set()).add(record.get("deviations", ""))
    notes = []
    for name, changes in sorted(found.items()):
        changed = sorted(changes - {""})
        status = f"REDUCED protocol ({'; '.join(changed)})" if changed else "full protocol"
        notes.append(f"suite {name}: {status}; `ganbench suite compare` sets these rows beside the paper's")
    return notes


@dataclass
class Cell:
    """One (model, seed) of a ranking group: its per-seed value or why it was left out."""

    model: str
    seed: int
    status: str
    value: float = math.nan
    step: int | None = None
    reason: str = ""


def _step_text(steps: Iterable[int]) -> str:
    steps = sorted(set(steps))
    if not steps:
        return ""
    return str(steps[0]) if len(steps) == 1 else f"{steps[0]}-{steps[-1]}"


def _relevant(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Rows that matter for ranking `metric`: its own rows, whole-cell rows ('*'), and any divergence."""
    return frame[frame["metric"].isin([metric, ALL_METRICS]) | (frame["status"] == "diverged")]


def _cells_for_group(relevant: pd.DataFrame, metric: str, key: str, direction: str, step: str) -> list[Cell]:
    """The (model, seed) cells of one ranking group (rows of one dataset) with their values or exclusion.

    A cell whose rows carry a protocol joins only the groups of those protocols; a cell with no protocol
    at all (e.g. it crashed before anything was scored) is listed in every group of its dataset.
    """
    cells = []
    for (model, seed), rows in relevant.groupby(["model", "seed"], sort=True):
        cell_keys = set(rows["protocol_key"]) - {""}
        if cell_keys and key not in cell_keys:
            continue
        rows = rows[rows["protocol_key"].isin([key, ""])]
        ok = rows[(rows["status"] == "ok") & (rows["metric"] == metric) & (rows["protocol_key"] == key)]
        bad = rows[rows["status"] != "ok"]
        if ok.empty and bad.empty:
            continue
        diverged = bad[bad["status"] == "diverged"]
        if not diverged.empty:
            first = diverged.sort_values("step", kind="stable").iloc[0]
            cells.append(Cell(model, int(seed), "diverged", step=int(first["step"]), reason=first["reason"]))
            continue
        if not bad.empty:
            latest_bad = bad.sort_values("step", kind="stable").iloc[-1]
            # a failure is superseded by a value at a later step, or at the same step measured after it
            # (a failed cell that a rerun retried); rows keep their file order in the frame's index
            later = (ok["step"] > latest_bad["step"]) | (
                (ok["step"] == latest_bad["step"]) & (ok.index > latest_bad.name)
            )
            if not later.any():
                cells.append(
                    Cell(model, int(seed), "failed", step=int(latest_bad["step"]), reason=latest_bad["reason"])
                )
                continue
        per_step = ok.drop_duplicates("step", keep="last").set_index("step")["value"].sort_index()
        if step == "last":
            chosen = int(per_step.index[-1])
        else:
            chosen = int(per_step.idxmin() if direction == "lower" else per_step.idxmax())
        cells.append(Cell(model, int(seed), "ok", value=float(per_step[chosen]), step=chosen))
    return cells


def _rank_group(cells: list[Cell], direction: str, alpha: float, resamples: int, seed: int) -> list[dict]:
    """One output row per model of a group, sorted by rank (models without a usable seed last)."""
    models = sorted({cell.model for cell in cells})
    summaries = []
    for model in models:
        mine = [c for c in cells if c.model == model]
        good = sorted((c for c in mine if c.status == "ok"), key=lambda c: c.seed)
        bad = sorted((c for c in mine if c.status != "ok"), key=lambda c: c.seed)
        values = np.array([c.value for c in good])
        mean, std = mean_std(values)
        low, high = bootstrap_ci(values, CONFIDENCE, resamples, seed)
        statuses = sorted({c.status for c in bad})
        note = "interval unknown (1 seed)" if len(good) == 1 else ""
        if good:
            best = float(values.min() if direction == "lower" else values.max())
        else:
            best = math.nan
        summaries.append(
            {
                "model": model,
                "mean": mean,
                "std": std,
                "ci95_low": low,
                "ci95_high": high,
                "n_seeds": len(good),
                "n_excluded": len(bad),
                "status": "ok" if good else "/".join(statuses),
                "steps": _step_text(c.step for c in good),
                "seed_values": ";".join(f"{c.seed}:{c.value:.10g}" for c in good),
                "excluded": ";".join(
                    f"seed {c.seed}: {c.status} at step {c.step}" + (f" ({c.reason})" if c.reason else "") for c in bad
                ),
                "note": note,
                "best_seed_value": best,
                "_values": values,
            }
        )
    sign = 1.0 if direction == "lower" else -1.0
    ranked = sorted((s for s in summaries if s["n_seeds"]), key=lambda s: (sign * s["mean"], s["model"]))
    unranked = [s for s in summaries if not s["n_seeds"]]
    previous_mean, previous_rank = None, 0
    for position, summary in enumerate(ranked, start=1):
        summary["rank"] = previous_rank if summary["mean"] == previous_mean else position
        previous_mean, previous_rank = summary["mean"], summary["rank"]
        nxt = ranked[position] if position < len(ranked) else None
        summary["vs_next_model"] = nxt["model"] if nxt else ""
        p = welch_test(summary["_values"], nxt["_values"]).p if nxt else math.nan
        summary["vs_next_p"] = p
        summary["vs_next_significant"] = None if math.isnan(p) else bool(p < alpha)
    for summary in unranked:
        summary.update(rank=None, vs_next_model="", vs_next_p=math.nan, vs_next_significant=None)
    return ranked + unranked


def ranked_keys(frame: pd.DataFrame) -> list[str]:
    """Every metric key with successful rows that can be ranked (a lower / higher direction), in the order of the
    registered metrics; spreads (kid_std, ...) and keys no metric reports are left out."""
    present = set(frame.loc[(frame["status"] == "ok") & (frame["metric"] != ALL_METRICS), "metric"]) if len(frame) else set()
    known = [key for name in METRICS for key in METRICS.get(name).directions]
    return [key for key in dict.fromkeys(known) if key in present and direction_of(key) in ("lower", "higher")]


def version_note(protocols: Iterable) -> str | None:
    """A note when the rows of one ranking were made by more than one ganbench or torch version: the protocol key
    leaves versions out (so such rows are ranked together), but the numbers can move slightly between versions."""
    found = []
    for name in ("ganbench_version", "torch_version"):
        versions = sorted({str(p[name]) for p in protocols if isinstance(p, dict) and p.get(name)})
        if len(versions) > 1:
            found.append(f"{name.removesuffix('_version')} {', '.join(versions)}")
    if not found:
        return None
    return (
        f"rows made by several versions ({'; '.join(found)}): numbers can differ slightly between versions; "
        "rerun the models under one version to compare them strictly"
    )


def leaderboard(
    frame: pd.DataFrame,
    metric: str | Sequence[str] = "fid",
    step: str = "last",
    *,
    alpha: float = ALPHA,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> LeaderboardTable:
    """Rank models per metric from result rows (a frame from `ganbench.report.results.load`).

    `metric`: a key or several ("fid,precision"); `step`: "last" (each seed's value at its final step)
    or "best" (each seed's best value over steps; optimistic). One ranking per (metric, dataset,
    protocol_key): rows under different protocols are never ranked together, and `notes` says which
    protocol fields differ. Failed and diverged seeds are listed and excluded from the statistics; a seed
    counts as diverged when any of its rows under that protocol says so, and as failed when its latest row
    for the metric (or for '*', the whole cell) failed.
    """
    if step not in ("last", "best"):
        raise GanbenchError(f"unknown step rule {step!r}; use last or best")
    metrics = parse_metrics(metric)
    directions = {key: metric_direction(key) for key in metrics}
    present = sorted(set(frame["metric"]) - {ALL_METRICS}) if len(frame) else []
    missing = [key for key in metrics if key not in present]
    if len(missing) == len(metrics):
        raise GanbenchError(
            f"no rows for {', '.join(missing)} in these results; metrics present: {', '.join(present) or 'none'}"
        )
    notes: list[str] = []
    if missing:
        notes.append(f"no rows for {', '.join(missing)}; left out")
    if step == "best":
        notes.append(
            "step: best picks each seed's best value over training steps, which is optimistic "
            "(the checkpoint is chosen on the test metric); step: last is the fair comparison."
        )

    dup_mask = frame[frame["status"] == "ok"].duplicated(
        ["dataset", "protocol_key", "model", "seed", "step", "metric"], keep="last"
    )
    if dup_mask.any():
        notes.append(
            f"{int(dup_mask.sum())} duplicate measurement(s) of the same model, seed, step and metric; "
            "used the one written last"
        )

    notes += suite_protocol_notes(frame)
    output_rows: list[dict] = []
    protocol_notes: list[str] = []
    group_notes: dict[tuple[str, str, str], list[str]] = {}
    for key in metrics:
        if key in missing:
            continue
        direction = directions[key]
        relevant = _relevant(frame, key)
        named = relevant["metric"].isin([key, ALL_METRICS])
        for dataset in list(dict.fromkeys(relevant.loc[named, "dataset"])):
            rows_here = relevant[relevant["dataset"] == dataset]
            keys = list(dict.fromkeys(k for k in rows_here["protocol_key"] if k))
            unknown_ok = (
                (rows_here["protocol_key"] == "") & (rows_here["status"] == "ok") & (rows_here["metric"] == key)
            )
            if not keys or unknown_ok.any():
                keys.append("")
            if len(keys) > 1:
                protocols = {k: rows_here[rows_here["protocol_key"] == k]["protocol"].iloc[0] for k in keys}
                first = keys[0]
                why = []
                for other in keys[1:]:
                    diff = differences(protocols[first], protocols[other]) if other else ["no protocol recorded"]
                    why.append(f"{first} vs {other or 'unknown'}: {'; '.join(diff)}")
                protocol_notes.append(
                    f"{key} on {dataset}: {len(keys)} different protocols, ranked separately (never compare across "
                    f"them) because they differ in {' | '.join(why)}"
                )
            for pkey in keys:
                cells = _cells_for_group(rows_here, key, pkey, direction, step)
                if not cells:
                    continue
                group = (key, dataset, pkey)
                used = rows_here[(rows_here["status"] == "ok") & (rows_here["metric"] == key) & (rows_here["protocol_key"] == pkey)]
                mixed = version_note(used["protocol"])
                if mixed:
                    group_notes.setdefault(group, []).append(mixed)
                bad = [c for c in cells if c.status != "ok"]
                if bad:
                    group_notes.setdefault(group, []).append(
                        f"{len(bad)} failed/diverged seed(s) excluded from the statistics: "
                        + "; ".join(f"{c.model} seed {c.seed} {c.status}" for c in bad)
                    )
                for summary in _rank_group(cells, direction, alpha, resamples, seed):
                    summary.pop("_values")
                    output_rows.append(
                        {
                            "dataset": dataset,
                            "protocol_key": pkey,
                            "metric": key,
                            "direction": direction,
                            "step_rule": step,
                            **summary,
                        }
                    )
                ended = {
                    s["steps"]
                    for s in output_rows
                    if (s["metric"], s["dataset"], s["protocol_key"]) == group and s["steps"]
                }
                if step == "last" and len(ended) > 1:
                    group_notes.setdefault(group, []).append(
                        "the values come from different training steps (see the step column)"
                    )

    table = pd.DataFrame.from_records(output_rows, columns=list(LEADERBOARD_COLUMNS))
    table = table.astype({"rank": "Int64", "n_seeds": "int64", "n_excluded": "int64", "vs_next_significant": "boolean"})
    return LeaderboardTable(
        table=table,
        metrics=[k for k in metrics if k not in missing],
        step=step,
        notes=protocol_notes + notes,
        methods=methods_text(step, resamples, seed, alpha),
        group_notes=group_notes,
        protocol_notes=protocol_notes,
    )
