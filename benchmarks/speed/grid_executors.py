"""Grid wall time by executor: the local executor (one process, then --jobs N processes) versus the Ray executor on
a local Ray instance, same grid, same run.

    python benchmarks/speed/grid_executors.py                        # 2 models x 4 seeds on ring8, 2 CPUs
    python benchmarks/speed/grid_executors.py --steps 2000 --cpus 8 --repeats 3

The grid is gan and lsgan x seeds 0-3 on ring8 (`--steps` steps, 5 evaluations per cell, one torch thread per
cell), each time in a fresh run directory. The three ways take turns, `--repeats` times, so a change in the
machine's load hits them alike; each Ray repeat starts a fresh Ray instance (its start is timed apart: a cluster is
started once for many grids) so its worker processes start inside the timed grid, as in a real `ganbench run`.
Printed: each way's median wall seconds (min-max) and ratio to the local executor with --jobs N (N = --cpus), and
Ray's overhead per cell: (Ray grid - local --jobs N grid) x N / cells, the extra slot-seconds a cell costs on Ray
(negative: it costs less). Every run's rows are checked equal before anything is printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from ganbench.report.results import read_rows
from ganbench.runner.grid import run_grid
from ganbench.runner.plan import GridConfig

CELLS = 8


def grid(out: Path, steps: int, **changes) -> GridConfig:
    return GridConfig(
        models=("gan", "lsgan"),
        dataset="ring8",
        out=out,
        seeds=(0, 1, 2, 3),
        overrides={"steps": str(steps), "lr": "1e-3"},
        device="cpu",
        **changes,
    )


def timed(config: GridConfig) -> tuple[float, dict]:
    start = time.perf_counter()
    _, outcomes = run_grid(config, log=lambda line: None)
    seconds = time.perf_counter() - start
    assert all(o.status == "ok" for o in outcomes), outcomes
    return seconds, {(r.model, r.seed, r.step, r.metric): r.value for r in read_rows(config.out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="training steps per cell (default 200)")
    parser.add_argument("--cpus", type=int, default=2, help="local processes, and CPUs of the Ray instance (default 2)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each way, taking turns (default 2)")
    args = parser.parse_args()
    import ray

    torch.set_num_threads(1)
    root = Path(tempfile.mkdtemp(prefix="grid-executors-"))
    seconds: dict[str, list[float]] = {"one": [], "jobs": [], "ray": []}
    starts, rows = [], []
    for repeat in range(args.repeats):
        for way in seconds:
            out = root / f"{way}{repeat}"
            if way == "ray":
                start = time.perf_counter()
                ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
                starts.append(time.perf_counter() - start)
                try:
                    took, found = timed(grid(out, args.steps, executor="ray"))
                finally:
                    ray.shutdown()
            else:
                took, found = timed(grid(out, args.steps, jobs=args.cpus if way == "jobs" else 1))
            seconds[way].append(took)
            rows.append(found)
            print(f"repeat {repeat + 1}: {way:4s} {took:7.1f} s", flush=True)
    assert all(found == rows[0] for found in rows), "the executors disagree on a row"

    median = {way: statistics.median(times) for way, times in seconds.items()}
    spread = {way: f"{min(times):.1f}-{max(times):.1f}" for way, times in seconds.items()}
    names = {"one": "local executor, 1 process", "jobs": f"local executor, --jobs {args.cpus}", "ray": "Ray executor"}
    print(f"grid: gan, lsgan x seeds 0-3 on ring8, {args.steps} steps per cell, {len(rows[0])} rows, identical in")
    print(f"all {len(rows)} runs; {args.cpus} CPUs; median of {args.repeats} (min-max)")
    for way, name in names.items():
        print(f"{name:28s} {median[way]:7.1f} s ({spread[way]} s)  {median[way] / median['jobs']:.2f}x")
    print(f"Ray instance start (not in the grid time): median {statistics.median(starts):.1f} s")
    overhead = (median["ray"] - median["jobs"]) * args.cpus / CELLS
    print(f"Ray overhead per cell vs local --jobs {args.cpus}: {overhead:+.1f} slot-seconds")


if __name__ == "__main__":
    main()
