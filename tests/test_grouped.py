"""Runs trained together in one loop (`--group-cells`): on the CPU each run's own step in turn, so every seed gets
exactly what it gets alone, any family; the batched step (the family's own losses under torch.func.vmap over
stacked weights, what CUDA uses) gives each seed what it gets alone up to the last bits of the batched backward.

Those last bits do not stay small in float32: Adam steps every weight by about its learning rate whatever the size
of its gradient, so a weight whose gradient is near 0 takes its rounding differences as a step of up to lr, and a
near-tie of a maxout's pieces can flip. So the float32 comparisons of the batched step with a run alone stop within
10 steps, ask the losses to agree to 1e-5 and each weight's median difference to stay under a tenth of one Adam
step (1e-5 at lr 1e-4) plus 1e-3 of the tensor's median size; that each run gets exactly its own update, Adam's
states included, is checked in float64, where batched and alone agree to 1e-9."""

from __future__ import annotations

import copy
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
from ganbench.models.base import MODELS, build_pair
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.report.results import read_rows
from ganbench.runner.grid import run_grid
from ganbench.runner.grouped_cells import group_jobs
from ganbench.runner.plan import plan_grid
from ganbench.suites.points_common import PACGAN_SETTINGS
from ganbench.train import run_state
from ganbench.train.config import RunConfig
from ganbench.train.group_steps import OneByOne, Vmapped, choose_steps, vmap_refusal
from ganbench.train.loop import train, train_runs
from ganbench.train.stacked import StackedRuns

pytestmark = pytest.mark.usefixtures("one_thread_and_cache")

RUN = RunConfig(device="cpu", progress=False, tensorboard=False, checkpoint_every=10, log_every=5, dataset="points")


def points(n: int = 1000) -> ArraySplit:
    rng = np.random.default_rng(3)
    centres = rng.integers(-2, 3, (n, 2)) * 2.0
    return ArraySplit((centres + 0.05 * rng.standard_normal((n, 2))).astype(np.float32))


def images(n: int = 256) -> ArraySplit:
    """8x8 one-channel uint8 images (bright squares at random places)."""
    rng = np.random.default_rng(4)
    x = np.zeros((n, 1, 8, 8), np.uint8)
    for i, (r, c) in enumerate(rng.integers(0, 6, (n, 2))):
        x[i, 0, r : r + 3, c : c + 3] = 255
    return ArraySplit(x)


def pacgan_config(model: str, steps: int):
    """PacGAN's 2-D protocol networks and optimiser (width 1), `steps` long."""
    family = MODELS.get(model)
    shape = DataShape.of(points().data)
    pinned = {**PACGAN_SETTINGS, "steps": str(steps), "pack": str(dict(family.fixed).get("pack", 1))}
    return apply_overrides(family.default_config(shape), pinned)


def default_config(model: str, data: ArraySplit, steps: int, **settings):
    family = MODELS.get(model)
    return dataclasses.replace(family.default_config(DataShape.of(data.data)), steps=steps, **settings)


def files(run_dir) -> dict[str, bytes]:
    """Every file a run leaves that describes what it trained (checkpoints, losses, run.json, result.json), with
    the run directory's own path written as RUN."""
    names = ["losses.csv", "run.json", "result.json"] + [f"checkpoints/{p.name}" for p in (run_dir / "checkpoints").iterdir()]
    return {name: (run_dir / name).read_bytes().replace(str(run_dir).encode(), b"RUN") for name in sorted(names)}


CASES = {
    "gan": lambda: (points(), pacgan_config("gan", 20)),
    "pacgan3": lambda: (points(), pacgan_config("pacgan3", 20)),
    # the image GAN's discriminator has dropout, which draws from the global RNG: each run needs its own
    "gan on images": lambda: (images(), default_config("gan", images(), 20, batch_size=32, width=0.25)),
    # five critic steps per generator step, the gradient penalty's interpolation weights from the step noise
    "wgan_gp": lambda: (points(), default_config("wgan_gp", points(), 20, batch_size=64, width=0.25)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_seed_alone_and_together_with_3_others_is_bit_identical(case, tmp_path):
    """20 steps: losses, checkpoints (weights, Adam states, data order, noise, global RNGs) and run files of seed 2
    are the same bytes alone and trained in one loop with 3 other seeds, whichever they are."""
    data, config = CASES[case]()
    model = case.split()[0]
    run = dataclasses.replace(RUN, dataset="images" if "images" in case else "points")
    train(model, config, dataclasses.replace(run, seed=2), data, tmp_path / "alone")
    for name, seeds in (("group_a", (2, 0, 1, 3)), ("group_b", (5, 2, 7, 9))):
        runs = [dataclasses.replace(run, seed=seed) for seed in seeds]
        results = train_runs(model, config, runs, data, [tmp_path / name / str(seed) for seed in seeds])
        assert [(r.status, r.step) for r in results] == [("ok", 20)] * 4
        assert files(tmp_path / name / "2") == files(tmp_path / "alone")
    losses = (tmp_path / "alone" / "losses.csv").read_text().splitlines()
    assert len(losses) == 1 + 20  # header + one line per step: the first 20 steps' losses are compared above
    other = (tmp_path / "group_a" / "0" / "losses.csv").read_text()
    assert other != "\n".join(losses) + "\n"  # groupmates trained their own seeds


def test_without_its_own_global_rng_a_run_with_dropout_would_differ(tmp_path, monkeypatch):
    """The check above can fail: with every run drawing from one shared global RNG (the swap disabled), seed 2 of
    the image GAN no longer equals seed 2 alone."""
    data, config = CASES["gan on images"]()
    run = dataclasses.replace(RUN, dataset="images")
    train("gan", config, dataclasses.replace(run, seed=2), data, tmp_path / "alone")
    monkeypatch.setattr("ganbench.train.group_steps._own", lambda rngs: __import__("contextlib").nullcontext())
    runs = [dataclasses.replace(run, seed=seed) for seed in (0, 2)]
    train_runs("gan", config, runs, data, [tmp_path / "g0", tmp_path / "g2"])
    assert files(tmp_path / "g2")["losses.csv"] != files(tmp_path / "alone")["losses.csv"]


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


@pytest.mark.parametrize("batching", ["one-by-one", "vmap"])
def test_a_diverging_seed_stops_alone_and_its_groupmates_go_on(batching, tmp_path):
    """Seeds 0 and 1 trained alone to step 10 resume together to 20; seed 1's checkpoint has a planted NaN. Seed 1
    diverges at step 11 and keeps its step-10 checkpoint; seed 0 goes on to step 20 (bit-identical to a run alone
    when stepped one by one). A run trained together to 10 resumes alone to 20 just as well."""
    data = points()
    runs = [dataclasses.replace(RUN, seed=seed) for seed in (0, 1)]
    for run in runs:
        train("pacgan2", pacgan_config("pacgan2", 10), run, data, tmp_path / f"seed{run.seed}")
    plant_nan(tmp_path / "seed1", 10)
    config = pacgan_config("pacgan2", 20)
    results = train_runs("pacgan2", config, runs, data, [tmp_path / "seed0", tmp_path / "seed1"], batching=batching)
    assert (results[0].status, results[0].step) == ("ok", 20)
    assert (results[1].status, results[1].step) == ("diverged", 11) and "non-finite loss at step 11" in results[1].reason
    assert results[1].checkpoint == checkpoint_path(tmp_path / "seed1", 10)
    train("pacgan2", config, runs[0], data, tmp_path / "straight")
    train_runs("pacgan2", pacgan_config("pacgan2", 10), runs, data, [tmp_path / "g0", tmp_path / "g1"], batching=batching)
    train("pacgan2", config, runs[0], data, tmp_path / "g0")
    if batching == "one-by-one":
        assert final_state(tmp_path / "seed0") == final_state(tmp_path / "straight")
        assert final_state(tmp_path / "g0") == final_state(tmp_path / "straight")
    else:
        np.testing.assert_allclose(loss_table(tmp_path / "seed0")[:12], loss_table(tmp_path / "straight")[:12], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(loss_table(tmp_path / "g0")[:12], loss_table(tmp_path / "straight")[:12], rtol=1e-5, atol=1e-5)


def checkpoint_tensors(run_dir, step: int) -> dict[str, torch.Tensor]:
    return load_file(str(checkpoint_path(run_dir, step).with_suffix(".safetensors")))


def loss_table(run_dir) -> np.ndarray:
    lines = (run_dir / "losses.csv").read_text().splitlines()[1:]
    return np.array([[float(v) for v in line.split(",")] for line in lines])


def sidecar(run_dir, step: int) -> str:
    """The checkpoint's record but its tensors' sha256, with the run directory's path written as RUN."""
    record = {k: v for k, v in json.loads(checkpoint_path(run_dir, step).read_text()).items() if "sha256" not in k}
    return json.dumps(record, sort_keys=True).replace(str(run_dir), "RUN")


def assert_close_runs(run_dir, alone_dir, step: int) -> None:
    """Same data order, noise and RNG states bit for bit; losses equal to 1e-5; in every weight and buffer the
    median difference under a tenth of an Adam step (see the module docstring)."""
    mine, theirs = checkpoint_tensors(run_dir, step), checkpoint_tensors(alone_dir, step)
    assert mine.keys() == theirs.keys()
    for key, value in mine.items():
        if key.startswith("rng.") or not value.is_floating_point():
            assert torch.equal(value, theirs[key]), key
        elif key.startswith(("generator.", "discriminator.")):
            difference = (value.double() - theirs[key].double()).abs().median()
            assert difference <= 1e-5 + 1e-3 * theirs[key].double().abs().median(), key
    assert sidecar(run_dir, step) == sidecar(alone_dir, step)
    np.testing.assert_allclose(loss_table(run_dir), loss_table(alone_dir), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("model", ["pacgan3", "veegan", "ali"])
def test_the_batched_step_gives_each_run_what_it_gets_alone(model, tmp_path):
    """The vmapped step (CUDA's choice, forced here on the CPU) for PacGAN's networks and for VEEGAN's and ALI's,
    which no batching code knows of: seed 1 batched with seed 0 matches seed 1 alone for 5 steps (data order,
    noise and RNG states bit for bit, weights and losses to the last bits)."""
    data = points()
    config = pacgan_config(model, 5) if model == "pacgan3" else default_config(model, data, 5)
    run = dataclasses.replace(RUN, checkpoint_every=5)
    train(model, config, dataclasses.replace(run, seed=1), data, tmp_path / "alone")
    runs = [dataclasses.replace(run, seed=seed) for seed in (0, 1)]
    results = train_runs(model, config, runs, data, [tmp_path / "g0", tmp_path / "g1"], batching="vmap")
    assert [(r.status, r.step) for r in results] == [("ok", 5)] * 2
    assert_close_runs(tmp_path / "g1", tmp_path / "alone", step=5)
    assert files(tmp_path / "g1")["run.json"] == files(tmp_path / "alone")["run.json"]


@pytest.mark.parametrize("model", ["pacgan3", "veegan"])
def test_in_float64_each_batched_run_gets_exactly_its_own_update(model):
    """StackedRuns on 3 runs for 10 steps against the same runs stepped alone by the family's own train_step, all
    in float64: every weight, buffer and Adam state agrees to 1e-9."""
    family = MODELS.get(model)
    shape = DataShape.of(points().data)
    config = pacgan_config(model, 10) if model == "pacgan3" else dataclasses.replace(family.default_config(shape), steps=10)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        alone = []
        for seed in range(3):
            torch.manual_seed(seed)
            g, d = build_pair(family, shape, config)
            alone.append(GanModules(g, d, *family.make_optimizers(g, d, config, torch.device("cpu")), pack=config.pack))
        stacked = StackedRuns([copy.deepcopy(run) for run in alone], family.simultaneous_losses, config)
        real = torch.from_numpy(points(300 * config.pack).data).double()
        noises = [[StepNoise(seed, torch.device("cpu")) for seed in range(3)] for _ in range(2)]
        n = 10 * config.pack
        for step in range(10):
            batches = [Batch(real[3 * n * step + n * k : 3 * n * step + n * (k + 1)]) for k in range(3)]
            for k, run in enumerate(alone):
                family.train_step(run, [batches[k]], noises[0][k], config, False)
            stacked.step(batches, noises[1])
        for k, run in enumerate(alone):
            mine = copy.deepcopy(run)
            stacked.write_back(k, mine)
            moved = 0.0
            for prefix, network in run.networks().items():
                for key, value in network.state_dict().items():
                    assert torch.allclose(mine.networks()[prefix].state_dict()[key], value, rtol=0, atol=1e-9), key
            for prefix, optimizer in run.optimizers().items():
                for index, entries in optimizer.state_dict()["state"].items():
                    for name, value in entries.items():
                        theirs = mine.optimizers()[prefix].state_dict()["state"][index][name]
                        assert torch.allclose(theirs, value, rtol=0, atol=1e-9), (prefix, index, name)
                        moved = max(moved, float(value.abs().max()))
            assert moved > 1e-6  # the runs did train (Adam's moments moved)
    finally:
        torch.set_default_dtype(default)


def test_how_the_loop_steps_runs_together(tmp_path):
    """On the CPU runs step one by one (any family); the batched step is chosen on CUDA only, and refused where the
    family or settings do not allow it; runs that differ in more than their seed are refused before training."""
    data = points()
    gan, wgan_gp = pacgan_config("gan", 5), default_config("wgan_gp", data, 5)
    runs = [dataclasses.replace(RUN, seed=seed) for seed in (0, 1)]
    opened = [run_state.open_run("gan", gan, run, data, tmp_path / str(run.seed), None) for run in runs]
    assert isinstance(choose_steps(opened), OneByOne)
    assert isinstance(choose_steps(opened, "vmap"), Vmapped)
    first = opened[0]
    assert vmap_refusal(first.family, gan, RUN, first.modules) is None
    assert "ema" in vmap_refusal(first.family, dataclasses.replace(gan, ema=0.9), RUN, first.modules)
    assert "at once" in vmap_refusal(first.family, dataclasses.replace(gan, simultaneous=False), RUN, first.modules)
    with pytest.raises(GanbenchError, match="cannot batch the steps of wgan_gp: wgan_gp does not update both"):
        train_runs("wgan_gp", wgan_gp, runs, data, [tmp_path / "a", tmp_path / "b"], batching="vmap")
    mixed = [runs[0], dataclasses.replace(runs[1], log_every=7)]
    with pytest.raises(GanbenchError, match="share every run setting but the seed"):
        train_runs("gan", gan, mixed, data, [tmp_path / "c", tmp_path / "d"])


def test_grid_with_grouped_cells_writes_the_rows_of_an_ungrouped_grid(tmp_path):
    """`--group-cells 3` on gan and wgan: the same row values and checkpoints as the grid run without grouping;
    rows and grid.json record the setting."""
    settings = dict(models=("gan", "wgan"), seeds=(0, 1, 2))
    run_grid(ring_grid(tmp_path / "alone", **settings), log=lambda line: None)
    plan, outcomes = run_grid(ring_grid(tmp_path / "grouped", group_cells=3, **settings), log=lambda line: None)
    assert [o.status for o in outcomes] == ["ok"] * 6
    grouped, alone = read_rows(tmp_path / "grouped"), read_rows(tmp_path / "alone")
    assert values(grouped) == values(alone) and len(values(grouped)) == 2 * 3 * 2 * 3
    assert {row.config.get("group_cells") for row in grouped} == {3}
    assert json.loads((tmp_path / "grouped" / "grid.json").read_text())["group_cells"] == 3
    for model in ("gan", "wgan"):
        for seed in (0, 1, 2):
            name = f"cells/{model}/seed{seed}/checkpoints/step_00000020.safetensors"
            assert (tmp_path / "grouped" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
    units = group_jobs(plan.jobs, 2)
    assert [[(job.model, job.seed) for job in unit] for unit in units] == [
        [("gan", 0), ("gan", 1)], [("gan", 2)], [("wgan", 0), ("wgan", 1)], [("wgan", 2)]
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
