"""A run beside a suite's published table: the paper's rows, ours across seeds, a verdict per number, the claims.

For every published row and metric: the paper's mean +- s.e. (n trials) and ours (mean +- s.e., 95% CI, n
seeds, each seed's value at its last evaluation). Both intervals are Student-t 95% intervals of the mean
(the paper's from its s.e. and trial count; a row printed without an uncertainty is a point). On point data
the suite's chance baselines (ganbench.report.chance) are scored beside them. Verdicts follow
ganbench.report.verdicts: too few seeds, at / below chance, inconclusive, higher / lower, agrees. Which pinned
settings the run changed (a reduced protocol) is read from what the rows recorded, never from a label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ganbench.data.base import DATASETS
from ganbench.metrics.spec import value_range
from ganbench.report.chance import ChanceBaseline, chance_baselines
from ganbench.report.labels import metric_direction
from ganbench.report.leaderboard import leaderboard
from ganbench.report.significance import mean_std, t_interval, welch_from_summary, welch_test
from ganbench.report.verdicts import ChanceTest, chance_test, claim_verdict, number_verdict
from ganbench.suites.base import PublishedRow, Suite, protocol_deviations


@dataclass
class ModelRun:
    """Our seeds of one model: per metric the per-seed values (ganbench units), and how the run was made."""

    model: str
    values: dict[str, np.ndarray] = field(default_factory=dict)
    steps: str = ""
    deviations: dict[str, tuple[str, set]] = field(default_factory=dict)
    cell_wall_s: list[float] = field(default_factory=list)
    cell_steps: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ComparedNumber:
    """One (published row, metric): the paper's summary, ours, and the verdict ('' fields when absent)."""

    label: str
    model: str
    metric: str
    column: str
    paper_mean: float
    paper_se: float | None
    paper_n: int | None
    paper_low: float
    paper_high: float
    ours_mean: float
    ours_se: float
    ours_low: float
    ours_high: float
    n_seeds: int
    welch_p: float
    verdict: str
    checked: bool
    source: str
    chance_baseline: str = ""
    chance_mean: float = math.nan
    chance_p: float = math.nan


@dataclass(frozen=True)
class ClaimResult:
    """A claim tested on our seeds: both means (ganbench units), Welch's p and whether it is supported."""

    text: str
    metric: str
    better_mean: float
    worse_mean: float
    n_better: int
    n_worse: int
    p: float
    verdict: str


@dataclass
class Comparison:
    """Everything the comparison files say."""

    suite: Suite
    numbers: list[ComparedNumber]
    claims: list[ClaimResult]
    runs: dict[str, ModelRun]
    versions: list[str]
    machine: str
    chance: list[ChanceBaseline] = field(default_factory=list)

    @property
    def reduced(self) -> bool:
        return any(run.deviations for run in self.runs.values())


def paper_se(row: PublishedRow, uncertainty: float | None) -> float | None:
    """The paper's standard error of the mean: its +- when that is a s.e., std / sqrt(n) when a std."""
    if uncertainty is None or row.uncertainty == "none":
        return None
    if row.uncertainty == "s.e.":
        return uncertainty
    return uncertainty / math.sqrt(row.n_trials) if row.n_trials else None


def _seed_values(text: str) -> np.ndarray:
    return np.array([float(part.split(":", 1)[1]) for part in text.split(";") if part], dtype=np.float64)


def model_runs(frame: pd.DataFrame, suite: Suite) -> dict[str, ModelRun]:
    """Our seeds of every model of `suite` in `frame` (rows of its dataset, at its sample count when there are
    any; each seed's last step)."""
    ok = frame[(frame["dataset"] == suite.dataset) & (frame["status"] == "ok")]
    pinned_count = [p.get("n_generated") == suite.n_generated for p in ok["protocol"]]
    if any(pinned_count):  # rows at the suite's sample count win; otherwise the deviating count is compared
        ok = ok[pinned_count]
    wanted = set(suite.model_names) | {row.model for row in suite.published if row.model}
    ok = ok[ok["model"].isin(wanted)]
    runs: dict[str, ModelRun] = {}
    keys = [m.key for m in suite.metrics if (ok["metric"] == m.key).any()]
    if not keys:
        return runs
    table = leaderboard(ok, keys, "last").table
    for _, row in table[table["n_seeds"] > 0].iterrows():
        run = runs.setdefault(row["model"], ModelRun(row["model"]))
        run.values[row["metric"]] = _seed_values(row["seed_values"])
        run.steps = row["steps"]
    for (model, _seed), rows in ok.groupby(["model", "seed"]):
        run = runs.get(model)
        if run is None:
            continue
        last = rows.loc[rows["step"].idxmax()]
        run.cell_wall_s.append(float(rows["wall_time_s"].max()))
        run.cell_steps.append(int(rows["step"].max()))
        found = protocol_deviations(suite, model, last["config"].get("model_config", {}), last["protocol"])
        for key, (pinned, used) in found.items():
            run.deviations.setdefault(key, (pinned, set()))[1].add(used)
    return runs


def chance_tests(runs: dict[str, ModelRun], baselines: list[ChanceBaseline]) -> dict[tuple[str, str], ChanceTest]:
    """(model, metric key) -> our seeds against the best chance baseline on that key (ganbench units)."""
    tests = {}
    for model, run in runs.items():
        for key, values in run.values.items():
            found = chance_test(values, {b.name: b.values[key] for b in baselines if key in b.values}, metric_direction(key))
            if found is not None:
                tests[(model, key)] = found
    return tests


def _compare_row(
    row: PublishedRow, suite: Suite, runs: dict[str, ModelRun], chance: dict[tuple[str, str], ChanceTest]
) -> list[ComparedNumber]:
    out = []
    num_classes = DATASETS.get(suite.dataset).info.num_classes
    for metric in suite.metrics:
        if metric.key not in row.values:
            continue
        mean, uncertainty = row.values[metric.key]
        se = paper_se(row, uncertainty)
        low, high = t_interval(mean, se, row.n_trials)
        values = runs[row.model].values.get(metric.key) if row.model in runs else None
        tested = chance.get((row.model or "", metric.key))
        if values is None or not len(values):
            ours = (math.nan, math.nan, math.nan, math.nan)
            n, p = 0, math.nan
            decided = "not implemented" if row.model is None else "not run"
        else:
            scaled = values * metric.factor
            ours_mean, std = mean_std(scaled)
            n = len(scaled)
            ours_se = std / math.sqrt(n) if n > 1 else math.nan
            ours = (ours_mean, ours_se, *t_interval(ours_mean, ours_se if n > 1 else None, n))
            p = welch_from_summary(ours_mean, ours_se, n, mean, se, row.n_trials) if se is not None and n > 1 else math.nan
            bounds = value_range(metric.key, num_classes)
            width = (bounds[1] - bounds[0]) * metric.factor if bounds is not None else None
            at_chance = tested.at_chance if tested is not None else None
            below = tested is not None and tested.below
            decided = number_verdict(n, ours_mean, (ours[2], ours[3]), mean, (low, high), p, width, at_chance, below)
        chance_fields = (tested.baseline, tested.mean * metric.factor, tested.p) if tested else ("", math.nan, math.nan)
        out.append(
            ComparedNumber(
                row.label, row.model or "", metric.key, metric.column, mean, se, row.n_trials, low, high,
                *ours, n, p, decided, row.checked, row.source, *chance_fields,
            )
        )
    return out


def unpublished_rows(suite: Suite, runs: dict[str, ModelRun]) -> list[PublishedRow]:
    """A row without a paper value for every model run that no published row reproduces, so that ours is shown
    beside the chance baselines (the WGAN-GP toy suites publish no table)."""
    published = {row.model for row in suite.published}
    return [
        PublishedRow(f"{model} (no published row)", model, {m.key: (math.nan, None) for m in suite.metrics}, "none",
                     None, "no published value", checked=True)
        for model in sorted(runs) if model not in published
    ]


def _claim(claim, runs: dict[str, ModelRun], chance: dict[tuple[str, str], ChanceTest]) -> ClaimResult:
    better = runs[claim.better].values.get(claim.metric, np.array([])) if claim.better in runs else np.array([])
    worse = runs[claim.worse].values.get(claim.metric, np.array([])) if claim.worse in runs else np.array([])
    if not len(better) or not len(worse):
        return ClaimResult(claim.text, claim.metric, math.nan, math.nan, len(better), len(worse), math.nan, "not run")
    sign = 1.0 if metric_direction(claim.metric) == "higher" else -1.0
    difference = sign * (better.mean() - worse.mean())
    p = welch_test(better, worse).p
    tests = [chance.get((model, claim.metric)) for model in (claim.better, claim.worse)]
    both_at_chance = all(t is not None and t.at_chance for t in tests)
    decided = claim_verdict(len(better), len(worse), difference, p, both_at_chance)
    return ClaimResult(claim.text, claim.metric, better.mean(), worse.mean(), len(better), len(worse), p, decided)


def compare(frame: pd.DataFrame, suite: Suite, machine: str) -> Comparison:
    """The comparison of the result rows in `frame` with `suite`'s published table and claims.

    `machine` is used when the rows do not record the machine they were trained on.
    """
    runs = model_runs(frame, suite)
    baselines = chance_baselines(suite)
    chance = chance_tests(runs, baselines)
    table_rows = [*suite.published, *unpublished_rows(suite, runs)]
    numbers = [number for row in table_rows for number in _compare_row(row, suite, runs, chance)]
    claims = [_claim(claim, runs, chance) for claim in suite.claims]
    rows = frame[(frame["dataset"] == suite.dataset) & (frame["status"] == "ok")]
    versions = sorted({str(p.get("ganbench_version")) for p in rows["protocol"] if p.get("ganbench_version")})
    recorded = sorted({c.get("machine") for c in rows["config"] if c.get("machine")})
    if recorded:
        machine = "; ".join(recorded)
    else:
        machine = f"{machine} (the machine `suite compare` ran on; the rows do not record one)"
    return Comparison(suite, numbers, claims, runs, versions, machine, baselines)
