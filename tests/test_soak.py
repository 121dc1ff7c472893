"""Soak test: a small grid is killed with SIGKILL at random moments (the main process or one of its workers) and
rerun, five times, then run to the end. The final rows equal an uninterrupted run's: every (model, seed, step,
metric) measured once, with the same value; nothing lost, nothing duplicated. Bounded: about two minutes on a
2-core CPU, most of it process start-up."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from support.grids import run_quietly

from ganbench.report.results import read_rows
from ganbench.runner.plan import GridConfig

ROOT = Path(__file__).resolve().parent.parent
KILLS = 5
MODELS, SEEDS, STEPS, EVAL_EVERY = ("gan", "lsgan"), (0, 1), 60, 20
OVERRIDES = {"steps": str(STEPS), "batch_size": "64", "width": "0.25"}


def command(out: Path) -> list[str]:
    return [
        sys.executable, "-m", "ganbench", "run", "--models", ",".join(MODELS), "--dataset", "ring8",
        "--seeds", ",".join(map(str, SEEDS)), "--steps", str(STEPS), "--batch-size", "64", "--set", "width=0.25",
        "--eval-every", str(EVAL_EVERY), "--n-generated", "500", "--checkpoint-every", "10", "--jobs", "2",
        "--device", "cpu", "--no-plots", "--out", str(out),
    ]  # fmt: skip


class Launch:
    """One `ganbench run` in a child process, its output read as it comes (worker pids are announced there)."""

    def __init__(self, out: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(command(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
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


def ok_rows(out: Path) -> Counter:
    return Counter((r.model, r.seed, r.step, r.metric, r.value) for r in read_rows(out) if r.status == "ok")


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

    out, rng, kills, started = tmp_path / "killed", random.Random(14), [], time.monotonic()
    while len(kills) < KILLS:
        launch = Launch(out, env)
        delay = rng.uniform(2.0, 12.0)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and launch.process.poll() is None:
            time.sleep(0.05)
        if launch.process.poll() is not None:  # finished before the moment came: the grid is done
            launch.reader.join(5)
            break
        workers = launch.running_workers()
        victim = rng.choice(["main", *workers]) if workers else "main"
        os.kill(launch.process.pid if victim == "main" else victim, signal.SIGKILL)
        kills.append((round(delay, 1), "main" if victim == "main" else "worker"))
        if victim != "main":  # the main process records the dead worker's cell as failed and goes on
            launch.process.wait(120)
        launch.process.wait(30)
        time.sleep(1.0)  # the parent-death signal has killed the orphans by now
        assert not launch.running_workers(), f"workers outlived their main process after kill {kills[-1]}"
    print(f"soak: {len(kills)} kills (delay s, victim): {kills}")  # shown with pytest -s
    final = subprocess.run(command(out), capture_output=True, text=True, env=env, timeout=300)
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]

    got = ok_rows(out)
    assert set(got) == set(expected), f"kills {kills}: rows differ from the uninterrupted run's"
    assert all(count == 1 for count in got.values()), f"kills {kills}: duplicated rows"
    assert len(kills) >= 3, f"only {len(kills)} kill(s) landed before the grid finished: {kills}"
    assert time.monotonic() - started < 400
