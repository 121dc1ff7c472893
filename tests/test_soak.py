"""Soak test: a small grid is killed with SIGKILL at random moments and rerun, five times, then run to the end.
Kills alternate between the main process alone and a worker (followed by its main process a moment later),
each at a random delay after the work started (the grid's "running" line, or a worker's start). The final rows equal an uninterrupted run's: every (model, seed, step,
metric) measured once, with the same value; nothing lost, nothing duplicated. Bounded: about two minutes on a
2-core CPU, most of it process start-up. The same holds for kills while a finished run is extended (--steps
raised): the rows equal those of the same extension run without interruption (slow)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from support.grids import run_quietly

from ganbench.report.results import read_rows
from ganbench.runner.plan import GridConfig

ROOT = Path(__file__).resolve().parent.parent
KILLS = 5
MODELS, SEEDS, STEPS, EVAL_EVERY = ("gan", "lsgan"), (0, 1), 100, 25
OVERRIDES = {"steps": str(STEPS), "batch_size": "64", "width": "0.25"}


def command(out: Path, steps: int = STEPS) -> list[str]:
    return [
        sys.executable, "-m", "ganbench", "run", "--models", ",".join(MODELS), "--dataset", "ring8",
        "--seeds", ",".join(map(str, SEEDS)), "--steps", str(steps), "--batch-size", "64", "--set", "width=0.25",
        "--eval-every", str(EVAL_EVERY), "--n-generated", "500", "--checkpoint-every", "10", "--jobs", "2",
        "--device", "cpu", "--no-plots", "--out", str(out),
    ]  # fmt: skip


class Launch:
    """One `ganbench run` in a child process, its output read as it comes (worker pids are announced there)."""

    def __init__(self, out: Path, env: dict[str, str], steps: int = STEPS) -> None:
        self.process = subprocess.Popen(
            command(out, steps), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.workers: list[int] = []
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if "started on cpu (pid " in line:
                self.workers.append(int(line.rsplit("pid ", 1)[1].rstrip(")\n")))

    def running_workers(self) -> list[int]:
        return [pid for pid in self.workers if Path(f"/proc/{pid}").exists()]

    def wait_for(self, ready, timeout: float = 120.0) -> bool:
        """Wait until `ready()` or the process ends; True when ready while it still runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if ready():
                return True
            time.sleep(0.05)
        return False

    def sleep(self, seconds: float) -> bool:
        """Sleep while the process runs; True when it still runs afterwards."""
        return not self.wait_for(lambda: False, seconds) and self.process.poll() is None


def ok_rows(out: Path) -> Counter:
    return Counter((r.model, r.seed, r.step, r.metric, r.value) for r in read_rows(out) if r.status == "ok")


@pytest.mark.slow  # the slowest default test (7 min at load 35); issue 25's default-suite budget
def test_a_grid_killed_at_random_moments_ends_with_an_uninterrupted_runs_rows(tmp_path, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "cache"
    env = {**os.environ, "GANBENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    straight = run_quietly(
        GridConfig(models=MODELS, dataset="ring8", out=tmp_path / "straight", seeds=SEEDS, overrides=OVERRIDES,
                   eval_every=EVAL_EVERY, n_generated=500, checkpoint_every=10, device="cpu"),  # fmt: skip
        tmp_path_factory,
    )
    expected = ok_rows(straight)
    assert len(expected) == len(MODELS) * len(SEEDS) * (STEPS // EVAL_EVERY) * 3

    out, rng, started = tmp_path / "killed", random.Random(14), time.monotonic()
    kills = kill_repeatedly(out, env, rng, KILLS)
    print(f"soak: {len(kills)} kills (delay s, victim): {kills}")  # shown with pytest -s
    final = subprocess.run(command(out), capture_output=True, text=True, env=env, timeout=300)
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]

    got = ok_rows(out)
    assert set(got) == set(expected), f"kills {kills}: rows differ from the uninterrupted run's"
    assert all(count == 1 for count in got.values()), f"kills {kills}: duplicated rows"
    assert len(kills) == KILLS, f"only {len(kills)} kill(s) landed before the grid finished: {kills}"
    assert sum(victim == "worker+main" for _, victim in kills) == 2, kills
    assert time.monotonic() - started < 400


def kill_repeatedly(out: Path, env: dict[str, str], rng: random.Random, wanted: int, steps: int = STEPS) -> list[tuple]:
    """Start `ganbench run` on `out` and SIGKILL it at random moments (every other time a worker first) until
    `wanted` kills landed or a launch finished the grid; the kills as (delay s, victim)."""
    kills: list[tuple] = []
    while len(kills) < wanted:
        launch = Launch(out, env, steps)
        at_worker = len(kills) % 2 == 1
        if at_worker:
            started_work = launch.wait_for(launch.running_workers)
        else:
            started_work = launch.wait_for(lambda lines=launch.lines: any("running " in line for line in lines))
        delay = rng.uniform(0.2, 3.0)
        if not (started_work and launch.sleep(delay)):  # the grid finished before the moment came
            launch.process.wait(60)
            break
        workers = launch.running_workers()
        if at_worker and workers:
            os.kill(rng.choice(workers), signal.SIGKILL)
            launch.sleep(rng.uniform(0.2, 1.5))  # the main process notices, records the cell as failed, goes on
        if launch.process.poll() is None:
            os.kill(launch.process.pid, signal.SIGKILL)
        kills.append((round(delay, 1), "worker+main" if at_worker and workers else "main"))
        launch.process.wait(30)
        # a worker dies as soon as its interpreter is up (armed before its job is even unpickled, so an orphan
        # never trains or appends); on a loaded machine a worker spawned just before the kill takes seconds
        gone = time.monotonic() + 30
        while launch.running_workers() and time.monotonic() < gone:
            time.sleep(0.1)
        assert not launch.running_workers(), f"workers outlived their main process after kill {kills[-1]}"
    return kills


EXTENDED = 175  # evaluated at 25, 50, ..., 175: three new evaluations past the finished run's 100 steps


@pytest.mark.slow
def test_kills_while_a_run_is_extended_leave_the_rows_of_an_uninterrupted_extension(tmp_path, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "cache"
    env = {**os.environ, "GANBENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    finished = tmp_path / "finished"
    done = subprocess.run(command(finished), capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    shutil.copytree(finished, straight)
    shutil.copytree(finished, killed)
    extended = subprocess.run(command(straight, EXTENDED), capture_output=True, text=True, env=env, timeout=600)
    assert extended.returncode == 0, extended.stdout[-2000:] + extended.stderr[-2000:]
    expected = ok_rows(straight)
    assert {step for (_, _, step, _, _) in expected} == set(range(25, EXTENDED + 1, 25))
    assert not [r for r in read_rows(straight) if r.status != "ok"]

    kills = kill_repeatedly(killed, env, random.Random(23), 3, EXTENDED)
    print(f"soak (extension): {len(kills)} kills (delay s, victim): {kills}")  # shown with pytest -s
    final = subprocess.run(command(killed, EXTENDED), capture_output=True, text=True, env=env, timeout=600)
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]
    got = ok_rows(killed)
    assert set(got) == set(expected), f"kills {kills}: rows differ from the uninterrupted extension's"
    assert all(count == 1 for count in got.values()), f"kills {kills}: duplicated rows"
    assert len(kills) >= 2, f"only {len(kills)} kill(s) landed before the extension finished: {kills}"
    assert "unavailable" not in final.stdout, final.stdout  # the extension's steps never needed a pruned checkpoint
