"""A run directory survives what happens to real runs: a second `ganbench run` on it, a killed main process, a
damaged last line of results.jsonl, a full disk during an append, a damaged checkpoint. Each test reproduces the
failure the issue reported (duplicates, lost rows, orphaned workers, a cell failing forever) and checks it holds."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from support.grids import one_thread_and_cache, ring_grid, run_quietly, values  # noqa: F401 (fixture)

import ganbench.report.results as results_module
import ganbench.runner.cell as runner_cell
from ganbench.checkpoint import checkpoint_path
from ganbench.cli import main
from ganbench.errors import GanbenchError
from ganbench.report.leaderboard import leaderboard
from ganbench.report.results import ResultRow, append_rows, load, read_rows
from ganbench.runner.grid import RUN_LOCK_FILE, run_grid
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("modes_covered", "high_quality_fraction", "mode_kl")


pytestmark = pytest.mark.usefixtures("one_thread_and_cache")


def keys_of(rows) -> list[tuple]:
    return sorted((r.model, r.seed, r.step, r.metric) for r in rows if r.status == "ok")


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    return run_quietly(ring_grid(tmp_path_factory.mktemp("straight")), tmp_path_factory)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def hold_lock_in_child(path: Path) -> subprocess.Popen:
    """A live process holding the lock at `path` until killed."""
    code = (
        "import sys, time; from ganbench.locks import acquire; "
        f"lock = acquire({str(path)!r}, 'x'); print('held', flush=True); time.sleep(600)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=child_env())
    assert child.stdout.readline().strip() == "held"
    return child


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


# ---------------------------------------------------------------- one process per run directory and cell


def test_a_second_run_on_the_same_out_is_refused_naming_the_first(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    holder = hold_lock_in_child(out / RUN_LOCK_FILE)
    try:
        code = main(["run", "--models", "gan", "--dataset", "ring8", "--steps", "10", "--out", str(out), "--device", "cpu"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1
        assert f"the run directory {out} is in use by pid {holder.pid}" in err
        assert not (out / "results.jsonl").exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder died: its lock is stale, and the next run takes it over
    plan, outcomes = run_grid(ring_grid(out, seeds=(0,), overrides={"steps": "10", "batch_size": "64", "width": "0.25"}), log=lambda line: None)
    assert [o.status for o in outcomes] == ["ok"]


def test_a_cell_a_live_process_is_running_is_left_to_it(tmp_path):
    out = tmp_path / "run"
    holder = hold_lock_in_child(runner_cell.cell_dir(out, "gan", 1) / runner_cell.LOCK_FILE)
    try:
        lines = []
        plan, outcomes = run_grid(ring_grid(out), log=lines.append)
    finally:
        holder.kill()
        holder.wait()
    assert [(o.seed, o.status) for o in outcomes] == [(0, "ok"), (1, "busy")]
    assert {r.seed for r in read_rows(out)} == {0}  # nothing written for the busy cell, not even a failed row
    assert any(f"cell gan seed 1 is in use by pid {holder.pid}" in line for line in lines)


def test_killing_the_main_process_kills_its_workers(tmp_path):
    """`kill -9` of `ganbench run --jobs 2`: the workers must not train on, and the rerun finds the cells free."""
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "ganbench", "run", "--models", "gan", "--dataset", "ring8", "--seeds", "0,1",
            "--steps", "100000", "--eval-every", "50000", "--jobs", "2", "--device", "cpu", "--out", str(out)]
    main_process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=child_env())
    workers = []
    deadline = time.monotonic() + 120
    while len(workers) < 2 and time.monotonic() < deadline:
        line = main_process.stdout.readline()
        if "started on cpu (pid " in line:
            workers.append(int(line.rsplit("pid ", 1)[1].rstrip(")\n")))
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.0)
    main_process.send_signal(signal.SIGKILL)
    main_process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "workers outlived the killed main process"


# ---------------------------------------------------------------- rows that parse decide what is done


def test_a_row_lost_to_a_damaged_last_line_is_measured_again(tmp_path, straight):
    out = tmp_path / "run"
    shutil.copytree(straight, out)
    path = out / "results.jsonl"
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: last_start + (len(data) - last_start) // 2])  # the last row cut in half
    lost = keys_of(read_rows(straight))[-1:]
    assert len(read_rows(path)) == len(read_rows(straight)) - 1

    lines = []
    plan, outcomes = run_grid(ring_grid(out), log=lines.append)
    assert any("moved 1 damaged line(s)" in line for line in lines)
    rows = read_rows(out)
    assert values(rows) == values(read_rows(straight))  # re-measured, with the same value
    assert len(rows) == len(read_rows(straight))  # and only the lost key appended: no duplicates
    damaged = (out / "results.jsonl.damaged").read_bytes()
    assert damaged and not damaged.startswith(b"\n") and lost
    table = leaderboard(load(out), ["mode_kl"], "last").table
    assert set(table["steps"].astype(str)) == {"20"}  # no '10-20' mix of steps


def test_an_append_batch_lands_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "results.jsonl"
    row = ResultRow(model="m", dataset="ring8", seed=0, step=1, metric="mode_kl", value=0.5)
    append_rows(path, [row])
    before = path.read_bytes()
    real_write = os.write

    def disk_fills_up(fd, data):
        real_write(fd, bytes(data[: len(data) // 3]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results_module.os, "write", disk_fills_up)
    with pytest.raises(GanbenchError, match=r"could not append 7 row.*\(No space left on device\); none of them was kept"):
        append_rows(path, [row] * 7)
    monkeypatch.undo()
    assert path.read_bytes() == before


# ---------------------------------------------------------------- checkpoints


def ring_training(out, steps):
    split, shape, info = load_training_split("ring8", __import__("ganbench.data.base", fromlist=["DataConfig"]).DataConfig())
    from ganbench.config_parsing import apply_overrides
    from ganbench.models.base import MODELS

    config = apply_overrides(MODELS.get("gan").default_config(shape), {"steps": str(steps), "batch_size": "64", "width": "0.25"})
    run = RunConfig(device="cpu", checkpoint_every=5, progress=False, tensorboard=False, dataset="ring8", keep_checkpoints=5)
    return train("gan", config, run, split, out, shape=shape)


def test_a_damaged_checkpoint_is_set_aside_and_training_resumes_from_the_previous_one(tmp_path):
    straight_run = ring_training(tmp_path / "straight", 15)
    out = tmp_path / "damaged"
    ring_training(out, 10)
    tensors = checkpoint_path(out, 10).with_suffix(".safetensors")
    tensors.write_bytes(tensors.read_bytes()[:100])  # damaged (e.g. the disk filled while it was written)
    with pytest.warns(UserWarning, match="step_00000010.json is damaged .* resumed from the previous good checkpoint"):
        result = ring_training(out, 15)
    assert result.status == "ok" and (tensors.parent / (tensors.name + ".damaged")).is_file()
    from safetensors.torch import load_file

    mine = load_file(str(checkpoint_path(out, 15).with_suffix(".safetensors")))
    theirs = load_file(str(checkpoint_path(straight_run.run_dir, 15).with_suffix(".safetensors")))
    assert all(torch.equal(mine[k], theirs[k]) for k in theirs if k.startswith("generator."))


def test_training_a_run_already_past_steps_is_refused(tmp_path):
    ring_training(tmp_path, 20)
    with pytest.raises(GanbenchError, match="already trained to step 20, past --steps 15"):
        ring_training(tmp_path, 15)


# ---------------------------------------------------------------- progress


def test_progress_lines_per_cell_and_for_the_grid(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_cell, "PROGRESS_EVERY_S", 0.0)
    lines = []
    run_grid(ring_grid(tmp_path / "run"), log=lines.append)
    steps = [line for line in lines if line.startswith("[gan seed 0] step ") and "it/s" in line]
    assert steps and all("/20, " in line and "ETA" in line for line in steps[:-1])
    assert "grid: 1/2 cells done" in "\n".join(lines) and "ETA" in next(line for line in lines if "grid: 1/2" in line)
    assert any(line.startswith("grid: 2/2 cells done") for line in lines)
