"""CPU threads per cell: one thread for small networks or a busy machine, the cores left per job otherwise;
--threads overrides the rule, and the choice is recorded in grid.json and every row's protocol."""

from __future__ import annotations

import json

import pytest
from support.grids import one_thread_and_cache, ring_grid  # noqa: F401  (a fixture)

from ganbench.data.base import DataShape
from ganbench.models.base import MODELS
from ganbench.runner.threads import PARALLEL_WORK_FLOPS, choose_threads, step_work


def work(family: str, shape: DataShape) -> float:
    return step_work(family, shape, MODELS.get(family).default_config(shape))


def test_the_2d_networks_are_small_work_and_the_28x28_ones_large():
    ring = work("gan", DataShape("points", 2))
    mnist = work("dcgan", DataShape("image", 1, 28))
    assert 1e8 < ring < PARALLEL_WORK_FLOPS < mnist < 1e10
    # a pack of m samples is m samples of work for the discriminator
    assert work("pacgan4", DataShape("points", 2)) > ring


@pytest.mark.parametrize(
    "flops, jobs, cores, busy, threads",
    [
        (2e8, 1, 2, 0.0, 1),  # small networks: one thread even on a quiet machine
        (2e8, 1, 16, 0.0, 1),
        (2e9, 1, 2, 0.0, 2),  # large work, quiet 2 cores, one job: both cores
        (2e9, 1, 2, 7.0, 1),  # the same on a machine at load 7: one thread (issue 25: 10x slower with two)
        (2e9, 2, 2, 0.0, 1),  # two jobs share two cores
        (2e9, 2, 16, 2.0, 7),  # 14 cores left, 7 per job
        (float("nan"), 1, 4, 0.0, 4),  # work that could not be counted: the cores decide
    ],
)
def test_the_rule(flops, jobs, cores, busy, threads):
    choice = choose_threads(flops, jobs, cores=cores, busy=busy)
    assert choice.threads == threads and f"{cores} cores" in choice.reason


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


@pytest.mark.usefixtures("one_thread_and_cache")
def test_without_threads_the_rule_chooses_one_for_the_ring(tmp_path):
    from ganbench.runner.grid import run_grid

    config = ring_grid(tmp_path / "run", seeds=(0,), overrides={"steps": "2", "batch_size": "16", "width": "0.25"},
                       eval_every=2, n_generated=100)
    run_grid(config, log=lambda line: None)
    grid = json.loads((tmp_path / "run" / "grid.json").read_text())
    assert grid["threads"]["per_cell"] == 1 and grid["threads"]["reason"].startswith("small networks")


def test_the_cli_takes_threads(tmp_path):
    from ganbench.cli import build_parser
    from ganbench.cli.run_cmd import grid_config

    args = build_parser().parse_args(["run", "--models", "gan", "--dataset", "ring8", "--threads", "3", "--out", str(tmp_path)])
    assert grid_config(args).threads == 3
