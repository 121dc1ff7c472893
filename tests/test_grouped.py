"""Grouped cells: several seeds trained as one computation give each seed exactly what it gets alone."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from support.grids import one_thread_and_cache, ring_grid, values  # noqa: F401 (fixture)

from ganbench.checkpoint import checkpoint_path
from ganbench.config_parsing import apply_overrides
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.hashing import sha256_of
from ganbench.models.base import MODELS
from ganbench.report.results import read_rows
from ganbench.runner.grid import run_grid
from ganbench.runner.grouped_cells import group_jobs
from ganbench.runner.plan import plan_grid
from ganbench.suites.points_common import PACGAN_SETTINGS
from ganbench.train.config import RunConfig
from ganbench.train.grouped import grouping_refusal, train_group
from ganbench.train.loop import train

pytestmark = pytest.mark.usefixtures("one_thread_and_cache")

RUN = RunConfig(device="cpu", progress=False, tensorboard=False, checkpoint_every=10, log_every=5, dataset="points")


def points(n: int = 1000) -> ArraySplit:
    rng = np.random.default_rng(3)
    centres = rng.integers(-2, 3, (n, 2)) * 2.0
    return ArraySplit((centres + 0.05 * rng.standard_normal((n, 2))).astype(np.float32))


def pacgan_config(model: str, steps: int):
    """PacGAN's 2-D protocol networks and optimiser (width 1), `steps` long."""
    family = MODELS.get(model)
    shape = DataShape.of(points().data)
    pinned = {**PACGAN_SETTINGS, "steps": str(steps), "pack": str(dict(family.fixed).get("pack", 1))}
    return apply_overrides(family.default_config(shape), pinned)


def files(run_dir) -> dict[str, bytes]:
    """Every file a run leaves that describes what it trained (checkpoints, losses, run.json, result.json), with
    the run directory's own path written as RUN."""
    names = ["losses.csv", "run.json", "result.json"] + [f"checkpoints/{p.name}" for p in (run_dir / "checkpoints").iterdir()]
    return {name: (run_dir / name).read_bytes().replace(str(run_dir).encode(), b"RUN") for name in sorted(names)}


@pytest.mark.parametrize("model", ["gan", "pacgan3"])
def test_a_seed_alone_and_in_a_group_of_4_is_bit_identical(model, tmp_path):
    """20 steps of PacGAN's networks: losses, checkpoints (weights, Adam states, data order, noise, RNGs) and
    run files of seed 2 are the same bytes alone and grouped with 3 other seeds, whichever they are."""
    data, config = points(), pacgan_config(model, 20)
    train(model, config, dataclasses.replace(RUN, seed=2), data, tmp_path / "alone")
    for name, seeds in (("group_a", (2, 0, 1, 3)), ("group_b", (5, 2, 7, 9))):
        runs = [dataclasses.replace(RUN, seed=seed) for seed in seeds]
        results = train_group(model, config, runs, data, [tmp_path / name / str(seed) for seed in seeds])
        assert [(r.status, r.step) for r in results] == [("ok", 20)] * 4
        assert files(tmp_path / name / "2") == files(tmp_path / "alone")
    losses = (tmp_path / "alone" / "losses.csv").read_text().splitlines()
    assert len(losses) == 1 + 20  # header + one line per step: the first 20 steps' losses are compared above
    other = (tmp_path / "group_a" / "0" / "losses.csv").read_text()
    assert other != "\n".join(losses) + "\n"  # groupmates trained their own seeds


def final_state(run_dir, step: int = 20) -> dict[str, bytes]:
    """The losses and the checkpoint at `step` (run.json and earlier sidecars record each segment's own --steps)."""
    names = ["losses.csv", f"checkpoints/step_{step:08d}.json", f"checkpoints/step_{step:08d}.safetensors"]
    return {name: (run_dir / name).read_bytes() for name in names}


def plant_nan(run_dir, step: int) -> None:
    """Make one generator weight of the checkpoint at `step` NaN, keeping the checkpoint valid (sha256 updated)."""
    sidecar = checkpoint_path(run_dir, step)
    tensor_file = sidecar.with_suffix(".safetensors")
    tensors = load_file(str(tensor_file))
    tensors["generator.out.weight"][0, 0] = float("nan")
    save_file(tensors, str(tensor_file))
    record = json.loads(sidecar.read_text())
    record["tensors_sha256"] = sha256_of(tensor_file)
    sidecar.write_text(json.dumps(record))


def test_a_diverging_seed_stops_alone_and_its_groupmates_go_on(tmp_path):
    """Seeds 0 and 1 trained alone to step 10 resume grouped to 20; seed 1's checkpoint has a planted NaN. Seed 1
    diverges at step 11 and keeps its step-10 checkpoint; seed 0 ends bit-identical to a run alone to step 20
    (a checkpoint written alone resumes grouped; one written grouped resumes alone, below)."""
    data = points()
    runs = [dataclasses.replace(RUN, seed=seed) for seed in (0, 1)]
    for run in runs:
        train("pacgan2", pacgan_config("pacgan2", 10), run, data, tmp_path / f"seed{run.seed}")
    plant_nan(tmp_path / "seed1", 10)
    results = train_group("pacgan2", pacgan_config("pacgan2", 20), runs, data, [tmp_path / "seed0", tmp_path / "seed1"])
    assert (results[0].status, results[0].step) == ("ok", 20)
    assert (results[1].status, results[1].step) == ("diverged", 11) and "non-finite loss at step 11" in results[1].reason
    assert results[1].checkpoint == checkpoint_path(tmp_path / "seed1", 10)
    train("pacgan2", pacgan_config("pacgan2", 20), runs[0], data, tmp_path / "straight")
    assert final_state(tmp_path / "seed0") == final_state(tmp_path / "straight")

    # the other way round: a group trained to 10 resumes alone to 20, bit-identical to the straight run
    train_group("pacgan2", pacgan_config("pacgan2", 10), runs, data, [tmp_path / "g0", tmp_path / "g1"])
    train("pacgan2", pacgan_config("pacgan2", 20), runs[0], data, tmp_path / "g0")
    assert final_state(tmp_path / "g0") == final_state(tmp_path / "straight")


def test_runs_that_cannot_be_grouped_are_refused(tmp_path):
    data = points()
    assert grouping_refusal("gan", pacgan_config("gan", 5), RUN) is None
    assert "simultaneous" in grouping_refusal("wgan_gp", MODELS.get("wgan_gp").default_config(DataShape.of(data.data)), RUN)
    assert "ema" in grouping_refusal("gan", dataclasses.replace(pacgan_config("gan", 5), ema=0.9), RUN)
    runs = [dataclasses.replace(RUN, seed=0), dataclasses.replace(RUN, seed=1, log_every=7)]
    with pytest.raises(GanbenchError, match="share every run setting but the seed"):
        train_group("gan", pacgan_config("gan", 5), runs, data, [tmp_path / "a", tmp_path / "b"])
    with pytest.raises(GanbenchError, match="cannot train wgan_gp grouped"):
        train_group("wgan_gp", MODELS.get("wgan_gp").default_config(DataShape.of(data.data)), [RUN], data, [tmp_path])


def test_grid_with_grouped_cells_writes_the_rows_of_an_ungrouped_grid(tmp_path):
    """`--group-cells 3` on gan (grouped) and wgan (not groupable: run alone, said once): the same row values
    as the grid run without grouping; rows and grid.json record the setting."""
    settings = dict(models=("gan", "wgan"), seeds=(0, 1, 2))
    run_grid(ring_grid(tmp_path / "alone", **settings), log=lambda line: None)
    lines = []
    plan, outcomes = run_grid(ring_grid(tmp_path / "grouped", group_cells=3, **settings), log=lines.append)
    assert [o.status for o in outcomes] == ["ok"] * 6
    assert [line for line in lines if "not grouped" in line] == [
        "wgan: cells not grouped (wgan does not use the simultaneous update of PacGAN's 2-D protocol)"
    ]
    grouped, alone = read_rows(tmp_path / "grouped"), read_rows(tmp_path / "alone")
    assert values(grouped) == values(alone) and len(values(grouped)) == 2 * 3 * 2 * 3
    assert {row.config.get("group_cells") for row in grouped} == {3}
    assert json.loads((tmp_path / "grouped" / "grid.json").read_text())["group_cells"] == 3
    for seed in (0, 1, 2):
        name = f"cells/gan/seed{seed}/checkpoints/step_00000020.safetensors"
        assert (tmp_path / "grouped" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
    units = group_jobs(plan.jobs, 2, log=lambda line: None)
    assert [[(job.model, job.seed) for job in unit] for unit in units] == [
        [("gan", 0), ("gan", 1)], [("gan", 2)], [("wgan", 0)], [("wgan", 1)], [("wgan", 2)]
    ]


def test_group_cells_needs_the_local_executor(tmp_path):

    with pytest.raises(GanbenchError, match="--group-cells only applies to the local executor"):
        plan_grid(ring_grid(tmp_path, group_cells=2, executor="ray"))
    assert torch.get_num_threads() == 1


def test_groups_in_parallel_worker_processes_match_cells_alone(tmp_path):
    """`--jobs 2 --group-cells 2`: a group of two cells in one worker, the third cell alone in the other."""
    settings = dict(seeds=(0, 1, 2))
    run_grid(ring_grid(tmp_path / "alone", **settings), log=lambda line: None)
    lines = []
    _, outcomes = run_grid(ring_grid(tmp_path / "parallel", jobs=2, group_cells=2, **settings), log=lines.append)
    assert [(o.seed, o.status, o.step) for o in outcomes] == [(0, "ok", 20), (1, "ok", 20), (2, "ok", 20)]
    assert any("[gan seed 0, gan seed 1] started on cpu" in line for line in lines)
    assert values(read_rows(tmp_path / "parallel")) == values(read_rows(tmp_path / "alone"))
