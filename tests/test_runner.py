"""The benchmark runner: a tiny grid end to end, resume after an interruption, failing and diverged cells,
names checked before anything trains, parallel cells equal to sequential ones."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from support.grids import one_thread_and_cache, ring_grid, run_quietly, values  # noqa: F401 (fixture)

import ganbench.runner.cell as runner_cell
import ganbench.train.run_state as train_module
from ganbench.cli import main
from ganbench.errors import GanbenchError
from ganbench.report.results import load, read_rows
from ganbench.runner.grid import run_grid
from ganbench.runner.local_cells import device_slots
from ganbench.runner.plan import GridConfig, eval_steps, parse_seeds
from ganbench.train.loop import TrainResult

MODES_KEYS = ["modes_covered", "high_quality_fraction", "mode_kl"]
IMAGE_KEYS = ["fid", "kid_mean", "kid_std", "precision", "recall", "density", "coverage"]


pytestmark = pytest.mark.usefixtures("one_thread_and_cache")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return run_quietly(ring_grid(tmp_path_factory.mktemp("straight")), tmp_path_factory)


# ---------------------------------------------------------------- small pieces


def test_eval_steps_and_seeds():
    assert eval_steps(20, 10) == (10, 20)
    assert eval_steps(25, 10) == (10, 20, 25)
    assert eval_steps(10, None) == (2, 4, 6, 8, 10)
    assert eval_steps(3, None) == (1, 2, 3)
    assert parse_seeds("0, 2,2,1") == (0, 2, 1)
    assert parse_seeds("3-5") == (3, 4, 5)
    with pytest.raises(GanbenchError):
        parse_seeds("a")


def test_device_slots_on_cpu():
    assert device_slots("cpu", None, 1) == ["cpu"]
    assert device_slots("cpu", 3, 1) == ["cpu", "cpu", "cpu"]
    if not torch.cuda.is_available():
        assert device_slots("auto", None, 4) == ["cpu"]
        with pytest.raises(GanbenchError, match="no CUDA device"):
            device_slots("cuda", None, 1)


# ---------------------------------------------------------------- end to end


def test_tiny_image_grid_end_to_end(tmp_path, capsys):
    """2 models x 2 seeds on digits through the CLI: rows, leaderboard numbers and figures."""
    out = tmp_path / "run"
    code = main(
        ["run", "--models", "gan,lsgan", "--dataset", "digits", "--seeds", "0,1", "--steps", "4", "--eval-every", "2",
         "--batch-size", "16", "--width", "0.25", "--n-generated", "60", "--n-reference", "120", "--kid-subsets", "10",
         "--device", "cpu", "--out", str(out)]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    rows = read_rows(out)
    assert len(rows) == 2 * 2 * 2 * len(IMAGE_KEYS)
    assert {r.status for r in rows} == {"ok"}
    assert sorted({r.step for r in rows}) == [2, 4]
    assert {r.metric for r in rows} == set(IMAGE_KEYS)
    for row in rows:
        assert math.isfinite(row.value)
        assert row.protocol["n_generated"] == 60 and row.protocol["n_reference"] == 120
        assert row.protocol["extractor"] == "mnist-classifier" and row.protocol["reference"] == "digits"
        assert row.config["model_config"]["steps"] == 4 and row.config["model_config"]["batch_size"] == 16
        assert row.config["seed"] == row.seed and row.run_name == "run" and row.wall_time_s > 0
        if row.metric in ("precision", "recall", "coverage"):
            assert 0.0 <= row.value <= 1.0
        if row.metric == "fid":
            assert row.value > 1.0  # 4 training steps: far from the data
    # each (model, seed, step) measured once
    assert len({(r.model, r.seed, r.step, r.metric) for r in rows}) == len(rows)

    with open(out / "leaderboard.csv", newline="") as handle:
        board = list(csv.DictReader(handle))
    fid = {r["model"]: r for r in board if r["metric"] == "fid"}
    assert set(fid) == {"gan", "lsgan"}
    for model, entry in fid.items():
        finals = [r.value for r in rows if r.model == model and r.metric == "fid" and r.step == 4]
        assert int(entry["n_seeds"]) == 2 and entry["steps"] == "4"
        assert float(entry["mean"]) == pytest.approx(np.mean(finals), rel=1e-12)
        assert float(entry["std"]) == pytest.approx(np.std(finals, ddof=1), rel=1e-9)
        assert float(entry["ci95_low"]) <= float(entry["mean"]) <= float(entry["ci95_high"])
    ranks = sorted(fid.values(), key=lambda e: int(e["rank"]))
    assert float(ranks[0]["mean"]) <= float(ranks[1]["mean"])  # FID: lower is better
    assert {r["metric"] for r in board} == {k for k in IMAGE_KEYS if k != "kid_std"}  # spreads are not ranked
    assert "# Leaderboard" in (out / "leaderboard.md").read_text()

    figures = out / "figures"
    for stem in ("curve_fid", "leaderboard_fid", "precision_recall", "samples"):
        assert (figures / f"{stem}.png").stat().st_size > 5000
    for model in ("gan", "lsgan"):
        assert (out / "cells" / model / "seed1" / "samples_step4.png").is_file()
    assert "FID" in printed and f"leaderboard: {out / 'leaderboard.csv'}" in printed
    assert f"results:     {out / 'results.jsonl'}" in printed


def test_extractor_is_built_once_per_cell(tmp_path, monkeypatch):
    """Every evaluation of a cell reuses one extractor: one build for the reference cache, one per cell."""
    import ganbench.scoring.plan as scoring_job

    built = []
    real_build = scoring_job.build_extractor

    def counting_build(name, config):
        built.append(name)
        return real_build(name, config)

    monkeypatch.setattr(scoring_job, "build_extractor", counting_build)
    config = GridConfig(
        models=("gan",),
        dataset="digits",
        out=tmp_path / "run",
        seeds=(0, 1),
        overrides={"steps": "6", "batch_size": "16", "width": "0.25"},
        eval_every=2,
        n_generated=60,
        device="cpu",
    )
    _, outcomes = run_grid(config, log=lambda line: None)
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert len(read_rows(tmp_path / "run")) == 2 * 3 * len(IMAGE_KEYS)  # 2 seeds x 3 evaluations
    assert built == ["mnist-classifier"] * 3  # warming the cache, then one per cell (not one per evaluation)


def test_evaluation_is_deterministic(uninterrupted):
    """Re-scoring a saved checkpoint gives the row's value exactly (seeded evaluation noise)."""
    from ganbench.runner.evaluate import evaluate_checkpoint
    from ganbench.runner.plan import plan_grid

    plan = plan_grid(ring_grid(uninterrupted))
    job = plan.jobs[1]
    checkpoint = job.cell_dir / "checkpoints" / "step_00000020.json"
    score = evaluate_checkpoint(
        checkpoint, plan.eval, plan.info, seed=job.seed, device="cpu", samples_stem=job.cell_dir / "again"
    )
    rows = values(read_rows(uninterrupted))
    assert score.metrics == {key: rows[("gan", 1, 20, key)] for key in MODES_KEYS}
    assert score.protocol["n_generated"] == 500


def test_resume_after_interruption_in_the_middle_of_a_cell(tmp_path, uninterrupted, monkeypatch):
    """Stopped after seed 1's checkpoint at step 15 (between its evaluations at 10 and 20), the rerun
    continues from that checkpoint and ends with the same rows and weights as an uninterrupted run."""
    out = tmp_path / "stopped"
    original_save = train_module.save_state

    def save_then_stop(run_dir, step, *args, **kwargs):
        path = original_save(run_dir, step, *args, **kwargs)
        if step == 15 and run_dir.name == "seed1":
            raise KeyboardInterrupt
        return path

    monkeypatch.setattr(train_module, "save_state", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run_grid(ring_grid(out), log=lambda line: None)
    before = read_rows(out)
    assert sorted({(r.seed, r.step) for r in before}) == [(0, 10), (0, 20), (1, 10)]

    monkeypatch.setattr(train_module, "save_state", original_save)
    resumed_from = []
    original_newest = train_module.newest_good_checkpoint

    def spy(run_dir):
        found = original_newest(run_dir)
        resumed_from.append((run_dir.name, found.path.name if found else None))
        return found

    monkeypatch.setattr(train_module, "newest_good_checkpoint", spy)
    plan, outcomes = run_grid(ring_grid(out), log=lambda line: None)
    assert [job.seed for job in plan.finished] == [0]
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(1, "ok", 20)]
    assert resumed_from == [("seed1", "step_00000015.json")]

    after = read_rows(out)
    assert len(after) == len(read_rows(uninterrupted)) == 2 * 2 * len(MODES_KEYS)
    assert values(after) == values(read_rows(uninterrupted))
    for seed in (0, 1):
        name = f"cells/gan/seed{seed}/checkpoints/step_00000020.safetensors"
        mine, theirs = load_file(str(out / name)), load_file(str(uninterrupted / name))
        assert all(torch.equal(mine[k], theirs[k]) for k in theirs if k.startswith("generator."))

    plan, outcomes = run_grid(ring_grid(out), log=lambda line: None)  # everything finished: nothing runs
    assert outcomes == [] and len(plan.finished) == 2
    assert len(read_rows(out)) == len(after)


def test_failing_and_diverged_cells_are_recorded_and_the_grid_goes_on(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    real_train = runner_cell.train

    def flaky(family, config, run, *args, **kwargs):
        if family == "lsgan":
            raise RuntimeError("boom\nsecond line")
        if family == "wgan":
            return TrainResult("diverged", 3, "non-finite loss at step 3: d_loss", kwargs.get("out_dir", args[1]), None)
        return real_train(family, config, run, *args, **kwargs)

    monkeypatch.setattr(runner_cell, "train", flaky)
    argv = ["run", "--models", "lsgan,wgan,gan", "--dataset", "ring8", "--seeds", "0", "--steps", "10",
            "--batch-size", "64", "--width", "0.25", "--n-generated", "500", "--device", "cpu", "--out", str(out)]  # fmt: skip
    assert main(argv) == 1  # a failed cell makes the exit code 1 (a diverged one does not)
    printed = capsys.readouterr().out
    assert "failed: lsgan seed 0 at step 0: RuntimeError: boom" in printed
    frame = load(out)
    bad = frame[frame["status"] != "ok"].set_index("model")
    assert bad.loc["lsgan", "status"] == "failed" and bad.loc["lsgan", "reason"] == "RuntimeError: boom"
    assert bad.loc["wgan", "status"] == "diverged" and bad.loc["wgan", "step"] == 3
    assert bad.loc["wgan", "metric"] == "*" and math.isnan(bad.loc["wgan", "value"])
    ok = frame[frame["status"] == "ok"]
    assert set(ok["model"]) == {"gan"} and sorted(set(ok["step"])) == [2, 4, 6, 8, 10]
    with open(out / "leaderboard.csv", newline="") as handle:
        board = {(r["metric"], r["model"]): r for r in csv.DictReader(handle)}
    assert board["modes_covered", "lsgan"]["status"] == "failed" and board["modes_covered", "lsgan"]["n_seeds"] == "0"
    assert board["modes_covered", "wgan"]["status"] == "diverged"
    assert board["modes_covered", "gan"]["rank"] == "1"
    assert "RuntimeError" in (out / "cells" / "lsgan" / "seed0" / "error.txt").read_text()

    # rerun: the failed cell is retried (now it works), the diverged one is final and skipped
    monkeypatch.setattr(runner_cell, "train", real_train)
    plan, outcomes = run_grid(ring_grid(out, models=("lsgan", "wgan", "gan"), seeds=(0,), overrides={
        "steps": "10", "batch_size": "64", "width": "0.25"}, eval_every=None, checkpoint_every=1000), log=lambda line: None)  # fmt: skip
    assert sorted(job.model for job in plan.finished) == ["gan", "wgan"]
    assert [(o.model, o.status, o.step) for o in outcomes] == [("lsgan", "ok", 10)]
    from ganbench.report.leaderboard import leaderboard

    table = leaderboard(load(out), "modes_covered").table.set_index("model")
    assert table.loc["lsgan", "status"] == "ok" and table.loc["lsgan", "n_seeds"] == 1
    assert table.loc["wgan", "status"] == "diverged"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "gan,nosuch"], "unknown model 'nosuch'"),
        (["--dataset", "nosuch"], "unknown dataset 'nosuch'"),
        (["--metrics", "fid2"], "unknown metric 'fid2'"),
        (["--metrics", "fid"], "fid need images; ring8 is a 2-D point dataset"),
        (["--set", "nosuch=1"], "unknown setting 'nosuch'"),
        (["--steps", "0"], "steps must be at least 1"),
        (["--n-reference", "100"], "--n-reference does not apply to ring8"),
    ],
)
def test_bad_names_are_rejected_before_anything_trains(tmp_path, monkeypatch, capsys, argv, message):
    def must_not_train(*args, **kwargs):
        raise AssertionError("trained despite a bad name")

    monkeypatch.setattr(runner_cell, "train", must_not_train)
    base = {"--models": "gan", "--dataset": "ring8", "--out": str(tmp_path / "run"), "--device": "cpu"}
    flags = dict(base)
    extra = []
    for i in range(0, len(argv), 2):
        if argv[i] in flags:
            flags[argv[i]] = argv[i + 1]
        else:
            extra += argv[i : i + 2]
    code = main(["run", *[x for pair in flags.items() for x in pair], *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("ganbench: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_resuming_with_another_protocol_is_refused(tmp_path, uninterrupted):
    with pytest.raises(GanbenchError, match="n_generated 500 -> 400"):
        run_grid(ring_grid(uninterrupted, n_generated=400), log=lambda line: None)


def test_parallel_cells_match_sequential_ones(tmp_path, uninterrupted):
    """Two worker processes (one thread each) give the rows of the sequential run."""
    out = tmp_path / "parallel"
    lines = []
    plan, outcomes = run_grid(ring_grid(out, jobs=2), log=lines.append)
    assert plan.slots == ("cpu", "cpu")
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert sum("started on cpu" in line for line in lines) == 2
    assert values(read_rows(out)) == values(read_rows(uninterrupted))
    state = json.loads((out / "cells" / "gan" / "seed1" / "cell.json").read_text())
    assert state["status"] == "ok" and state["step"] == 20
