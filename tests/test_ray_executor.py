"""The Ray executor on a local Ray instance (2 CPUs, started once for this module): the same rows as the local
executor, a SIGKILLed worker retried from its checkpoint without duplicate rows, failed and diverged cells, the
reference computed once by the driver; and its pieces without Ray: the row ledger, the storage probe, the progress
lines, the executor's options."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from support.grids import (  # noqa: F401 (one_thread_and_cache: a fixture)
    assert_no_duplicates,
    comparable,
    one_thread_and_cache,
    ring_grid,
    run_quietly,
    values,
)
from support.ray_faults import ENV, Faults

from ganbench.cli import main
from ganbench.errors import GanbenchError
from ganbench.report.results import ResultRow, append_rows, read_rows
from ganbench.runner.cell import CellOutcome
from ganbench.runner.executors import LocalExecutor, executor_named
from ganbench.runner.grid import run_grid
from ganbench.runner.plan import GridConfig, plan_grid
from ganbench.runner.ray_executor import RayExecutor, RowLedger, handle_posts, parse_resources, wants_gpu
from ganbench.runner.ray_progress import ProgressBoard
from ganbench.runner.ray_tasks import LogLine, Rows, Started, StepReached, StorageProbe

TESTS = Path(__file__).resolve().parent
MODES_KEYS = ["modes_covered", "high_quality_fraction", "mode_kl"]


def on_ray(out, **changes) -> GridConfig:
    return ring_grid(out, **{"executor": "ray", "executor_settings": {"report_every_s": 0.0}, **changes})


pytestmark = pytest.mark.usefixtures("one_thread_and_cache")


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The tiny ring8 grid run by the local executor (the reference every Ray run must equal), named 'run'."""
    return run_quietly(ring_grid(tmp_path_factory.mktemp("local") / "run"), tmp_path_factory)


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """A local Ray instance with 2 CPUs for this module; its workers read the faults a test plants."""
    ray = pytest.importorskip("ray")
    faults = Faults(tmp_path_factory.mktemp("faults") / "faults.json")
    path = os.pathsep.join(filter(None, [str(TESTS), str(TESTS.parent), os.environ.get("PYTHONPATH")]))
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="warning",
        runtime_env={
            "worker_process_setup_hook": "support.ray_faults.install",
            "env_vars": {ENV: str(faults.path), "PYTHONPATH": path},
        },
    )
    yield faults
    ray.shutdown()


# ---------------------------------------------------------------- on a local Ray instance


@pytest.mark.slow  # minutes each (a Ray instance, several grids); issue 25's default-suite budget
def test_ray_grid_gives_the_local_executors_rows(tmp_path, local_run, faults):
    out = tmp_path / "run"
    lines = []
    plan, outcomes = run_grid(on_ray(out), log=lines.append)
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(0, "ok", 20), (1, "ok", 20)]
    rows, expected = read_rows(out), read_rows(local_run)
    assert len(rows) == len(expected) == 2 * 2 * len(MODES_KEYS)
    assert comparable(rows) == comparable(expected)  # values, protocols (fingerprints), configs, run name
    assert_no_duplicates(rows)
    assert any(line.startswith("Ray: the Ray cluster") for line in lines)  # the module's instance, not a new one
    assert sum("started on node" in line for line in lines) == 2
    assert lines[-1].startswith("grid: 2/2 cells done, 0 running")
    assert json.loads((out / "cells" / "gan" / "seed1" / "cell.json").read_text())["status"] == "ok"
    assert not list(out.glob(".ganbench-ray-probe-*"))  # the probe files are removed at the end

    plan, outcomes = run_grid(on_ray(out), log=lines.append)  # resume: everything finished, nothing runs
    assert outcomes == [] and len(plan.finished) == 2 and len(read_rows(out)) == len(rows)


@pytest.mark.slow  # minutes each (a Ray instance, several grids); issue 25's default-suite budget
def test_a_killed_worker_is_retried_from_its_checkpoint_without_duplicate_rows(tmp_path, local_run, faults):
    """Seed 1's worker SIGKILLs itself after its step-15 checkpoint (its step-10 rows already appended): Ray reruns
    the task, which resumes from that checkpoint; the rows equal an uninterrupted run's, each once."""
    out, marker, log = tmp_path / "run", tmp_path / "killed", tmp_path / "worker.log"
    faults.set(kill_after_checkpoint={"gan/seed1": {"step": 15, "marker": str(marker)}}, log=str(log))
    lines = []
    try:
        _, outcomes = run_grid(on_ray(out), log=lines.append)
    finally:
        faults.clear()
    assert marker.is_file()  # the worker was killed
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(0, "ok", 20), (1, "ok", 20)]
    assert any("[gan seed 1] started on node" in line and "attempt 2" in line for line in lines)
    assert "gan/seed1 15" in log.read_text().splitlines()  # the retry restored the step-15 checkpoint
    rows = read_rows(out)
    assert_no_duplicates(rows)
    assert comparable(rows) == comparable(read_rows(local_run))


@pytest.mark.slow  # minutes each (a Ray instance, several grids); issue 25's default-suite budget
def test_when_the_retries_run_out_the_cell_is_failed_and_a_rerun_resumes_it(tmp_path, local_run, faults):
    """--ray-max-retries 0: the killed cell is recorded failed (after its step-10 rows); the rerun continues it from
    its step-15 checkpoint and ends with the uninterrupted run's rows."""
    out, marker, log = tmp_path / "run", tmp_path / "killed", tmp_path / "worker.log"
    faults.set(kill_after_checkpoint={"gan/seed1": {"step": 15, "marker": str(marker)}}, log=str(log))
    try:
        _, outcomes = run_grid(on_ray(out, seeds=(1,), executor_settings={"max_retries": 0}), log=lambda line: None)
        assert [(o.status, o.step) for o in outcomes] == [("failed", 10)]
        assert "Ray reran it up to --ray-max-retries 0 times" in outcomes[0].reason
        assert [(r.step, r.status) for r in read_rows(out)] == [(10, "ok")] * 3 + [(10, "failed")]
        _, outcomes = run_grid(on_ray(out, seeds=(1,)), log=lambda line: None)
    finally:
        faults.clear()
    assert [(o.status, o.step) for o in outcomes] == [("ok", 20)]
    assert log.read_text().splitlines()[-2:] == ["gan/seed1 trains", "gan/seed1 15"]  # resumed from step 15
    expected = {key: row for key, row in comparable(read_rows(local_run)).items() if key[1] == 1}
    assert comparable(row for row in read_rows(out) if row.status == "ok") == expected


@pytest.mark.slow  # minutes each (a Ray instance, several grids); issue 25's default-suite budget
def test_failed_and_diverged_cells_are_recorded_and_only_the_failed_one_reruns(tmp_path, local_run, faults):
    out = tmp_path / "run"
    faults.set(**{"raise": {"gan/seed1": "boom\nsecond line"}, "diverge": {"gan/seed0": 3}})
    try:
        _, outcomes = run_grid(on_ray(out), log=lambda line: None)
    finally:
        faults.clear()
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(0, "diverged", 3), (1, "failed", 0)]
    rows = read_rows(out)
    assert sorted((r.seed, r.status, r.metric, r.reason) for r in rows) == [
        (0, "diverged", "*", "non-finite loss at step 3: d_loss"),
        (1, "failed", "*", "RuntimeError: boom"),
    ]
    assert "RuntimeError: boom" in (out / "cells" / "gan" / "seed1" / "error.txt").read_text()

    plan, outcomes = run_grid(on_ray(out), log=lambda line: None)  # the failed cell reruns, the diverged one not
    assert [job.seed for job in plan.finished] == [0]
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(1, "ok", 20)]
    expected = {key: value for key, value in values(read_rows(local_run)).items() if key[1] == 1}
    assert values(read_rows(out)) == expected


def test_reference_statistics_are_computed_once_by_the_driver(tmp_path, monkeypatch, faults):
    """An image grid: the driver computes the reference features before any cell; no worker computes them; the rows
    equal the local executor's at the same --threads, which a Ray cell takes over its --ray-cpus-per-cell (1)."""
    import ganbench.scoring.reference_cache as reference_cache

    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "fresh-cache"))
    computed = []
    real = reference_cache.compute_reference
    monkeypatch.setattr(reference_cache, "compute_reference", lambda *a, **k: computed.append(1) or real(*a, **k))
    log = tmp_path / "worker.log"
    faults.set(log=str(log))
    config = dict(
        models=("gan",),
        dataset="digits",
        seeds=(0, 1),
        overrides={"steps": "2", "batch_size": "16", "width": "0.25"},
        eval_every=2,
        n_generated=60,
        device="cpu",
        threads=2,
    )
    try:
        _, outcomes = run_grid(
            GridConfig(out=tmp_path / "ray" / "run", executor="ray", **config), log=lambda _: None
        )
    finally:
        faults.clear()
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert computed == [1]  # by the driver, before the cells
    worker_log = log.read_text().splitlines()
    assert {"gan/seed0 trains", "gan/seed1 trains"} <= set(worker_log) and "reference" not in worker_log
    run_grid(GridConfig(out=tmp_path / "local" / "run", **config), log=lambda _: None)
    rows = read_rows(tmp_path / "ray" / "run")
    assert len(rows) == 2 * 7 and {row.protocol["threads"] for row in rows} == {2}
    assert comparable(rows) == comparable(read_rows(tmp_path / "local" / "run"))


@pytest.mark.gpu
def test_cells_share_a_gpu_as_ray_tasks(tmp_path, faults):
    """--jobs-per-gpu 2: each cell asks Ray for half a GPU and runs on it (its CUDA memory capped to half)."""
    lines = []
    _, outcomes = run_grid(
        ring_grid(tmp_path / "run", device="auto", jobs_per_gpu=2, executor="ray"), log=lines.append
    )
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert "running 2 cell(s) as Ray GPU tasks (num_cpus=1, num_gpus=0.5)" in lines
    rows = read_rows(tmp_path / "run")
    assert len(rows) == 2 * 2 * len(MODES_KEYS) and {r.status for r in rows} == {"ok"}
    for seed in (0, 1):  # trained on the task's GPU
        assert (
            json.loads((tmp_path / "run" / "cells" / "gan" / f"seed{seed}" / "run.json").read_text())["device"]
            == "cuda:0"
        )


# ---------------------------------------------------------------- the pieces, without a Ray instance


def ok_row(seed: int, step: int, metric: str, value: float) -> ResultRow:
    return ResultRow(model="gan", dataset="ring8", seed=seed, step=step, metric=metric, value=value)


def test_the_driver_appends_a_row_a_dead_attempt_delivered_once(tmp_path):
    """Attempt 1 delivered step 10 and died; its retry re-measured step 10 and delivered it again: one copy is
    appended, and both workers are released."""
    append_rows(tmp_path, [ok_row(0, 10, "mode_kl", 1.0)])  # from an earlier run
    first = [ok_row(1, 10, "mode_kl", 2.0), ok_row(1, 10, "modes_covered", 3.0)]
    again = [ok_row(1, 10, "mode_kl", 2.0), ok_row(1, 10, "modes_covered", 3.0), ok_row(1, 20, "mode_kl", 4.0)]
    failed = ResultRow("gan", "ring8", 1, 20, "*", float("nan"), status="failed", reason="RuntimeError: x")

    class FakeMailbox:
        released: list[int] = []

        class stored:  # noqa: N801 - mirrors the actor method handle
            @staticmethod
            def remote(tickets):
                FakeMailbox.released += tickets

    lines = []
    board = ProgressBoard([], lines.append, live=False, every_s=0)
    board.labels[("gan", 1)], board.targets[("gan", 1)] = "gan seed 1", 20
    cell = ("gan", 1)
    posts = [
        Started(cell, "n1"),
        StepReached(cell, 10),
        Rows(cell, 0, first),
        LogLine(cell, "[gan seed 1] step 10: mode_kl 2"),
        Started(cell, "n2"),  # attempt 1 died; Ray retried the task
        StepReached(cell, 15),
        Rows(cell, 1, again),
        Rows(cell, 2, [failed]),
        Rows(cell, 3, [failed]),
    ]
    handle_posts(posts, RowLedger(tmp_path), board, FakeMailbox)
    rows = read_rows(tmp_path)
    assert [(r.seed, r.step, r.metric, r.status) for r in rows] == [
        (0, 10, "mode_kl", "ok"),
        (1, 10, "mode_kl", "ok"),
        (1, 10, "modes_covered", "ok"),
        (1, 20, "mode_kl", "ok"),
        (1, 20, "*", "failed"),  # a failure is an event, recorded each time it happens
        (1, 20, "*", "failed"),
    ]
    assert FakeMailbox.released == [0, 1, 2, 3]
    assert lines == [
        "[gan seed 1] started on node n1",
        "[gan seed 1] step 10: mode_kl 2",
        "[gan seed 1] started on node n2, attempt 2 (Ray retried it: its worker died)",
    ]
    assert board.lines()[1] == "  gan seed 1: step 15/20 on n2, attempt 2"
    # a new ledger reads what the file holds: a late duplicate of an earlier run's row is dropped too
    assert RowLedger(tmp_path).append([ok_row(0, 10, "mode_kl", 1.0), ok_row(0, 20, "mode_kl", 5.0)]) == 1


def test_storage_probe_names_the_node_and_folder_a_worker_cannot_see(tmp_path):
    probe = StorageProbe.write({"--out": tmp_path / "run", "the ganbench cache": tmp_path / "cache"})
    assert probe.problem("10.0.0.2 (abcd1234)") is None
    elsewhere = StorageProbe(probe.folders, token="another-driver")  # what a node with its own /tmp/run sees
    assert elsewhere.problem("10.0.0.2 (abcd1234)") == (
        f"Ray node 10.0.0.2 (abcd1234) does not see --out {(tmp_path / 'run').resolve()} as the driver does (the file "
        "the driver wrote there is missing): put it on a filesystem every node mounts at that same path"
    )
    probe.remove()
    assert probe.problem("n") is not None and not list((tmp_path / "run").iterdir())


def test_progress_lines_per_running_cell_and_for_the_grid(tmp_path):
    plan = plan_grid(ring_grid(tmp_path / "run", seeds=(0, 1, 2)))
    now = [0.0]
    lines = []
    board = ProgressBoard(plan.jobs, lines.append, live=False, every_s=30, clock=lambda: now[0])
    board.started(("gan", 0), "10.0.0.2 (aa)")
    board.started(("gan", 1), "10.0.0.3 (bb)")
    board.started(("gan", 1), "10.0.0.4 (cc)")
    board.step(("gan", 0), 12)
    board.ended(CellOutcome("gan", 2, "failed", 5, "RuntimeError: x"))
    now[0] = 29.0
    board.tick()
    assert len(lines) == 4  # the starts and the end only: not 30 s yet
    now[0] = 31.0
    board.tick()
    assert lines[4:] == [
        "grid: 1/3 cells done (1 failed), 2 running, 31 s",
        "  gan seed 0: step 12/20 on 10.0.0.2 (aa)",
        "  gan seed 1: step 0/20 on 10.0.0.4 (cc), attempt 2",
    ]
    board.tick()
    assert len(lines) == 7  # nothing changed since

    screen = io.StringIO()  # on a terminal the lines are redrawn in place, log lines above them
    live = ProgressBoard(plan.jobs, lambda line: screen.write(line + "\n"), live=True, every_s=30, stream=screen)
    live.started(("gan", 0), "n1")
    live.message("[gan seed 0] step 10: mode_kl 2")
    text = screen.getvalue()
    assert text.count("\x1b[2F\x1b[J") == 1 and text.endswith(
        "[gan seed 0] step 10: mode_kl 2\ngrid: 0/3 cells done, 1 running, 0 s\n  gan seed 0: step 0/20 on n1\n"
    )


def test_executor_options(tmp_path, capsys):
    assert executor_named("local") == LocalExecutor()
    assert executor_named("ray", {"ray": {"address": "ray://h:10001", "max_retries": 1}}) == RayExecutor(
        address="ray://h:10001", max_retries=1
    )
    with pytest.raises(GanbenchError, match="unknown executor 'dask'; choose one of: local, ray"):
        executor_named("dask")
    assert parse_resources("second=1, ssd=0.5") == (("second", 1.0), ("ssd", 0.5))
    with pytest.raises(GanbenchError, match="give NAME=AMOUNT"):
        parse_resources("second")
    options = RayExecutor(cpus_per_cell=2, memory_per_cell=1.5, resources=(("second", 1.0),)).task_options(True, 4)
    assert options == {
        "num_cpus": 2,
        "num_gpus": 0.25,
        "memory": int(1.5 * 2**30),
        "resources": {"second": 1.0},
        "max_retries": 3,
        "retry_exceptions": False,
    }
    assert RayExecutor().slots("auto", None, 1) == ("cuda:0",) if torch.cuda.is_available() else ("cpu",)
    with pytest.raises(GanbenchError, match="--device cuda:1 with --executor ray: use auto, cpu or cuda"):
        RayExecutor().slots("cuda:1", None, 1)
    assert wants_gpu("auto", {"CPU": 2}) is False and wants_gpu("auto", {"GPU": 1}) is True
    assert wants_gpu("cpu", {"GPU": 1}) is False
    with pytest.raises(GanbenchError, match="the Ray cluster has no GPU"):
        wants_gpu("cuda", {"CPU": 2})

    base = ["run", "--models", "gan", "--dataset", "ring8", "--device", "cpu", "--out", str(tmp_path / "run")]
    for extra, message in [
        (["--ray-address", "auto"], "--ray-address only apply with --executor ray"),
        (["--executor", "dask"], "unknown executor 'dask'"),
        (["--executor", "ray", "--ray-cpus-per-cell", "0"], "--ray-cpus-per-cell must be more than 0"),
        (["--executor", "ray", "--ray-resources", "x=-1"], "bad Ray resource 'x=-1'"),
    ]:
        assert main(base + extra) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_without_ray_the_local_executor_works_and_the_ray_one_says_how_to_install(tmp_path, monkeypatch):
    code = "import sys, ganbench.runner.grid, ganbench.cli.run_cmd; print('ray' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"  # running a grid locally never imports Ray
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(
        GanbenchError, match=r"--executor ray needs Ray, which is not installed: pip install 'ganbench\[ray\]'"
    ):
        run_grid(on_ray(tmp_path / "run"), log=lambda line: None)
    assert not (tmp_path / "run").exists()  # refused while planning, before anything was written
