"""CPU threads per cell: one for small networks, the usable cores shared among the jobs for larger ones, never read
from the load (threads change a cell's numbers, so the same command must choose the same threads busy or idle);
--threads overrides the rule, and the choice is recorded in grid.json and every row's protocol."""

from __future__ import annotations

import json
import multiprocessing
import time

import pytest
from support.grids import one_thread_and_cache, ring_grid  # noqa: F401  (a fixture)

from ganbench.data.base import DataShape
from ganbench.models.base import MODELS
from ganbench.runner import threads as thread_rule
from ganbench.runner.threads import (
    PARALLEL_WORK_FLOPS,
    ThreadChoice,
    busy_advice,
    busy_cores,
    busy_from_stat,
    choose_threads,
    step_work,
)


def work(family: str, shape: DataShape) -> float:
    return step_work(family, shape, MODELS.get(family).default_config(shape))


def test_the_2d_networks_are_small_work_and_the_28x28_ones_large():
    ring = work("gan", DataShape("points", 2))
    mnist = work("dcgan", DataShape("image", 1, 28))
    assert 1e8 < ring < PARALLEL_WORK_FLOPS < mnist < 1e10
    # a pack of m samples is m samples of work for the discriminator
    assert work("pacgan4", DataShape("points", 2)) > ring


@pytest.mark.parametrize(
    "flops, jobs, cores, threads",
    [
        (2e8, 1, 2, 1),  # small networks: one thread (16-19x faster than two at load 19; issue 25)
        (2e8, 1, 16, 1),  # ... however many cores there are
        (2e8, 2, 2, 1),
        (2e9, 1, 2, 2),  # large work, 2 cores, one job: both cores
        (2e9, 2, 2, 1),  # two jobs share two cores
        (2e9, 2, 16, 8),
        (2e9, 3, 16, 5),
        (2e9, 4, 2, 1),  # more jobs than cores: still one thread each
        (float("nan"), 1, 4, 4),  # work that could not be counted: the cores decide
    ],
)
def test_the_rule(flops, jobs, cores, threads):
    choice = choose_threads(flops, jobs, cores=cores)
    assert choice.threads == threads and f"{cores} cores" in choice.reason


def test_the_busy_machine_gets_advice_not_other_threads():
    two = ThreadChoice(2, "2 cores per job")
    assert busy_advice(two, busy=0.2) is None
    assert "1.5 cores are busy" in busy_advice(two, busy=1.5) and "--threads 1" in busy_advice(two, busy=1.5)
    assert busy_advice(ThreadChoice(1, "small networks"), busy=2.0) is None  # one thread does not spin against it


@pytest.mark.usefixtures("one_thread_and_cache")
def test_threads_are_recorded_in_grid_json_and_the_rows(tmp_path):
    from ganbench.report.results import read_rows
    from ganbench.runner.grid import run_grid

    lines = []
    config = ring_grid(tmp_path / "run", seeds=(0,), overrides={"steps": "4", "batch_size": "16", "width": "0.25"},
                       eval_every=4, n_generated=100, threads=1)
    run_grid(config, log=lines.append)
    grid = json.loads((tmp_path / "run" / "grid.json").read_text())
    assert grid["threads"] == {"per_cell": 1, "reason": "--threads"}
    assert "threads: 1 per cell (--threads)" in lines
    rows = read_rows(tmp_path / "run" / "results.jsonl")
    assert rows and {row.protocol["threads"] for row in rows} == {1}


def stat(user: int, idle: int, iowait: int = 0) -> str:
    return f"cpu  {user} 0 0 {idle} {iowait} 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"


def test_busy_cores_from_two_readings_of_proc_stat():
    # 2 cores over 100 ticks each = 200 ticks: 150 busy -> 1.5 cores; iowait counts as idle
    assert busy_from_stat(stat(1000, 500), stat(1150, 550), cores=2) == pytest.approx(1.5)
    assert busy_from_stat(stat(1000, 500, 10), stat(1020, 650, 40), cores=2) == pytest.approx(0.2)
    assert busy_from_stat(stat(1000, 500), stat(1000, 500), cores=2) == 0.0


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_busy_cores_sees_work_started_just_now():
    """Issue 25: the 1-minute load average lags by minutes; the sample counts what runs now. A planted spinning
    process is counted at (close to) one busy core on top of whatever else ran during the sample."""
    idle_before = busy_cores(0.5)
    spinner = multiprocessing.get_context("spawn").Process(target=spin, args=(6.0,))
    spinner.start()
    try:
        time.sleep(1.5)  # the spawned interpreter's start-up
        loaded = busy_cores(1.0)
    finally:
        spinner.terminate()
        spinner.join()
    assert loaded > 0.7 and loaded > idle_before - 0.5


@pytest.mark.usefixtures("one_thread_and_cache")
def test_the_same_command_trains_the_same_rows_on_a_busy_and_an_idle_machine(tmp_path, monkeypatch):
    """The CI failure of 2026-12-07: the rule read the cores idle now, gave the ring two threads on an idle machine
    and one on a busy one, and the rows differed (1e-9 relative in a digits FID, whole modes after training)."""
    from ganbench.report.results import read_rows
    from ganbench.runner.grid import run_grid

    rows, reasons = [], []
    for busy in (0.0, float(thread_rule.usable_cores())):
        monkeypatch.setattr(thread_rule, "busy_cores", lambda busy=busy: busy)
        out = tmp_path / f"busy{busy:.0f}"
        config = ring_grid(out, seeds=(0,), overrides={"steps": "30", "batch_size": "100", "width": "1"},
                           eval_every=30, n_generated=500)
        run_grid(config, log=lambda line: None)
        rows.append(sorted((row.metric, row.step, row.value) for row in read_rows(out / "results.jsonl")))
        reasons.append(json.loads((out / "grid.json").read_text())["threads"])
    assert rows[0] and rows[0] == rows[1]
    assert reasons[0] == reasons[1] and reasons[0]["per_cell"] == 1 and reasons[0]["reason"].startswith("small networks")


def test_the_cli_takes_threads(tmp_path):
    from ganbench.cli import build_parser
    from ganbench.cli.run_cmd import grid_config

    args = build_parser().parse_args(["run", "--models", "gan", "--dataset", "ring8", "--threads", "3", "--out", str(tmp_path)])
    assert grid_config(args).threads == 3
