"""Extending a finished run and rerunning it with other settings (issue 23, "Results lost for good"): raising
--steps or changing --eval-every goes on from the run's checkpoints, an evaluation whose checkpoint was pruned is
reported once as unavailable (never a failed seed, never a hidden row), a damaged middle line of results.jsonl
is measured again where its checkpoint is kept, and a rerun whose evaluation protocol or model settings differ
from what the run holds is refused in one sentence naming the setting, even when grid.json is missing."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from support.grids import one_thread_and_cache, ring_grid, run_quietly, values  # noqa: F401 (fixture)

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig, ModeMetricConfig
from ganbench.report.leaderboard import leaderboard
from ganbench.report.results import load, read_rows
from ganbench.runner.grid import run_grid
from ganbench.runner.plan import GridConfig, plan_grid
from ganbench.scoring.config import ScoreConfig

pytestmark = pytest.mark.usefixtures("one_thread_and_cache")

ONE_SEED = dict(seeds=(0,))
STDS5 = MetricConfig(modes=ModeMetricConfig(mode_quality_stds=5.0))


def default_schedule(out, steps: int, **changes):
    """ring_grid of one seed with `steps` steps and the default evaluation schedule (5 evenly spaced steps)."""
    base = ring_grid(out, **ONE_SEED)
    return ring_grid(out, **ONE_SEED, eval_every=None, overrides={**base.overrides, "steps": str(steps)}, **changes)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """ring_grid's two seeds, 20 steps scored at 10 and 20 (checkpoints 15 and 20 are kept)."""
    return run_quietly(ring_grid(tmp_path_factory.mktemp("finished")), tmp_path_factory)


def run(config):
    lines: list[str] = []
    plan, outcomes = run_grid(config, log=lines.append)
    return lines, outcomes


def failed_rows(out):
    return [r for r in read_rows(out) if r.status != "ok"]


def ranked_seeds(out, metric="mode_kl"):
    table = leaderboard(load(out), [metric], "last").table
    return {(row.model, int(row.n_seeds)) for row in table.itertuples() if row.n_excluded == 0}, table


def test_raising_steps_extends_the_run_and_reports_pruned_evaluations_once(tmp_path, tmp_path_factory):
    out = tmp_path / "run"
    run(default_schedule(out, 20))  # evaluated at 4, 8, 12, 16, 20; checkpoints 16 and 20 kept
    lines, outcomes = run(default_schedule(out, 30))  # now 6, 12, 18, 24, 30: 6 and 18 can no longer be made
    assert [o.status for o in outcomes] == ["ok"], outcomes
    assert not failed_rows(out)
    unavailable = [line for line in lines if "unavailable" in line]
    assert len(unavailable) == 1 and "6, 18" in unavailable[0], lines
    steps = {r.step for r in read_rows(out)}
    assert steps == {4, 8, 12, 16, 20, 24, 30}
    seeds, table = ranked_seeds(out)
    assert seeds == {("gan", 1)} and set(table["steps"].astype(str)) == {"30"}
    # the newly trained steps equal an uninterrupted 30-step run's
    straight = run_quietly(default_schedule(tmp_path / "straight", 30), tmp_path_factory)
    mine, theirs = values(read_rows(out)), values(read_rows(straight))
    assert {k: v for k, v in mine.items() if k[2] in (24, 30)} == {k: v for k, v in theirs.items() if k[2] in (24, 30)}
    # rerunning the extended command: finished, reported nothing again; the original command: nothing fails
    again, outcomes = run(default_schedule(out, 30))
    assert outcomes == [] and not any("unavailable" in line for line in again)
    original, outcomes = run(default_schedule(out, 20))
    assert all(o.status == "ok" for o in outcomes) and not failed_rows(out)
    assert ranked_seeds(out)[0] == {("gan", 1)}


def test_a_new_evaluation_schedule_measures_what_its_checkpoints_allow(tmp_path, finished):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    before = values(read_rows(out))
    lines, outcomes = run(ring_grid(out, eval_every=5))  # 5, 10, 15, 20: checkpoint 15 is kept, 5 is pruned
    assert [o.status for o in outcomes] == ["ok", "ok"], outcomes
    assert not failed_rows(out)
    after = values(read_rows(out))
    assert {k: v for k, v in after.items() if k in before} == before
    assert {k[2] for k in after} == {10, 15, 20}
    assert sum("unavailable" in line and "step 5" in line for line in lines) == 2  # once per cell
    assert ranked_seeds(out)[0] == {("gan", 2)}


def test_a_damaged_middle_line_is_measured_again_or_reported_and_loses_nothing(tmp_path, finished):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    path = out / "results.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    step10 = [i for i, line in enumerate(lines) if '"step":10' in line and '"seed":0' in line][1]
    step20 = next(i for i, line in enumerate(lines) if '"step":20' in line and '"seed":1' in line)
    assert 0 < step10 < step20 < len(lines) - 1
    for i in (step10, step20):
        lines[i] = lines[i][: len(lines[i]) // 2] + "\n"
    path.write_text("".join(lines))

    log, outcomes = run(ring_grid(out))
    assert [o.status for o in outcomes] == ["ok", "ok"], outcomes
    assert not failed_rows(out)
    assert any("moved 2 damaged line(s)" in line for line in log)
    assert any("unavailable" in line and "step 10" in line for line in log)
    got, expected = values(read_rows(out)), values(read_rows(finished))
    assert all(got[k] == v for k, v in expected.items() if k in got)
    assert len(expected) - len(got) == 1  # the step-10 key of seed 0 cannot be measured again; step 20 was
    assert ranked_seeds(out)[0] == {("gan", 2)}
    rerun, outcomes = run(ring_grid(out))
    assert outcomes == [] and not any("unavailable" in line for line in rerun)


@pytest.mark.parametrize(
    "change, setting",
    [
        (dict(scoring=dataclasses.replace(ring_grid("x").scoring, metric_config=STDS5)),
         "mode_quality_stds"),
        (dict(overrides={**ring_grid("x").overrides, "dropout": "0.5"}), "dropout"),
    ],
)  # fmt: skip
def test_a_changed_setting_on_a_finished_run_is_refused_naming_it(finished, change, setting):
    before = (finished / "results.jsonl").read_bytes()
    with pytest.raises(GanbenchError, match=setting) as refused:
        run(ring_grid(finished, **change))
    assert "\n" not in str(refused.value)
    assert (finished / "results.jsonl").read_bytes() == before


def test_without_grid_json_the_rows_say_what_the_run_holds(tmp_path, finished):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    (out / "grid.json").unlink()
    with pytest.raises(GanbenchError, match="n_generated 500 -> 400"):
        run(ring_grid(out, n_generated=400))
    with pytest.raises(GanbenchError, match="mode_quality_stds"):
        run(ring_grid(out, scoring=dataclasses.replace(ring_grid(out).scoring, metric_config=STDS5)))
    lines, outcomes = run(ring_grid(out))  # the identical rerun skips
    assert outcomes == [] and any("2 of 2 cells already finished" in line for line in lines)


def test_a_truncated_grid_json_is_rebuilt_not_a_traceback(tmp_path, finished):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    text = (out / "grid.json").read_text()
    (out / "grid.json").write_text(text[: len(text) // 2])
    with pytest.raises(GanbenchError, match="n_generated 500 -> 400"):
        run(ring_grid(out, n_generated=400))
    lines, outcomes = run(ring_grid(out))
    assert outcomes == []
    assert json.loads((out / "grid.json").read_text())["seeds"] == [0, 1]


def test_a_finished_cell_of_a_generator_without_codes_is_not_evaluated_again(tmp_path):
    """code_recovery and gan_test report nothing for an unconditional generator (no class input): a finished `gan`
    cell must count as finished on a rerun, while the conditional `cgan` cell is expected to report them."""
    config = GridConfig(
        models=("gan", "cgan"),
        dataset="digits",
        out=tmp_path / "run",
        overrides={"steps": "2", "batch_size": "16", "width": "0.25"},
        eval_every=2,
        n_generated=60,
        scoring=ScoreConfig(metrics=("fid", "code_recovery", "gan_test")),
        device="cpu",
    )
    _, outcomes = run(config)
    assert [o.status for o in outcomes] == ["ok", "ok"]
    rows = read_rows(tmp_path / "run")
    keys = {(r.model, r.metric) for r in rows if r.status == "ok"}
    assert keys == {("gan", "fid"), ("cgan", "fid"), ("cgan", "code_accuracy"), ("cgan", "gan_test_accuracy")}
    plan = plan_grid(config)
    assert [job.model for job in plan.finished] == ["gan", "cgan"]
    lines, outcomes = run(config)
    assert outcomes == [] and len(read_rows(tmp_path / "run")) == len(rows)
