"""Scoring a user's generator: every input kind, seeded batch-independent samples, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tiny_generators import TinyImageGenerator

from ganbench.cli import main

BASE = ["--dataset", "digits", "--metrics", "fid,kid,pr,dc", "--n", "120", "--device", "cpu", "--quiet"]


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def scores(capsys, tmp_path, *argv):
    out = tmp_path / "s.json"
    code, stdout, err = run_cli(capsys, "score", *argv, *BASE, "--json", out)
    assert code == 0, err
    return json.loads(out.read_text())


def assert_one_line_error(capsys, argv, fragment):
    code, _, err = run_cli(capsys, "score", *argv)
    errors = [line for line in err.splitlines() if line.startswith("ganbench: error:")]
    assert code == 2 and len(errors) == 1 and "Traceback" not in err, err
    assert fragment in errors[0], errors[0]


def test_factory_with_safetensors_and_state_dict_agree(capsys, tmp_path):
    from safetensors.torch import save_file

    generator = TinyImageGenerator()
    save_file(generator.state_dict(), tmp_path / "g.safetensors")
    torch.save(generator.state_dict(), tmp_path / "g.pt")
    a = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.safetensors")
    b = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.pt")
    assert a["metrics"] == b["metrics"]
    assert a["metrics"]["fid"] > 0 and 0 <= a["metrics"]["precision"] <= 1
    assert a["protocol"]["n_generated"] == 120 and a["protocol"]["sampling"]["seed"] == 0


def test_torchscript_matches_the_module(capsys, tmp_path):
    generator = TinyImageGenerator()
    torch.jit.trace(generator, torch.zeros(2, 16)).save(str(tmp_path / "g.ts"))
    torch.save(generator.state_dict(), tmp_path / "g.pt")
    scripted = scores(capsys, tmp_path, "--generator", tmp_path / "g.ts", "--z-dim", "16")  # tracing drops z_dim
    plain = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.pt")
    assert scripted["metrics"] == pytest.approx(plain["metrics"], rel=1e-6)


def test_conditional_generator_gets_balanced_labels(capsys, tmp_path):
    import tiny_generators

    result = scores(capsys, tmp_path, "--generator", "tiny_generators:label_recorder", "--sample-batch-size", "7")
    assert set(result["metrics"]) == {"fid", "kid_mean", "kid_std", "precision", "recall", "density", "coverage"}
    seen = tiny_generators.LabelRecorder.seen
    assert len(seen) == 120 and sorted(set(seen)) == list(range(10))
    assert all(seen.count(label) == 12 for label in range(10))  # 120 samples, 10 classes
    # The labels change the images: the same weights scored unconditionally give another FID.
    plain = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny")
    assert plain["metrics"]["fid"] != result["metrics"]["fid"]


def test_points_generator_on_ring8_counts_its_modes(capsys, tmp_path):
    out = tmp_path / "m.json"
    code, _, err = run_cli(
        capsys,
        "score",
        "--generator",
        "tiny_generators:five_modes",
        "--dataset",
        "ring8",
        "--metrics",
        "modes",
        "--n",
        "2500",
        "--device",
        "cpu",
        "--quiet",
        "--json",
        out,
    )
    assert code == 0, err
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["modes_covered"] == 5 and metrics["high_quality_fraction"] > 0.99
    assert metrics["mode_kl"] == pytest.approx(np.log(8 / 5), abs=0.05)  # uniform over 5 of 8 modes


def test_ganbench_checkpoint_scores_like_its_generator(capsys, tmp_path):
    run = tmp_path / "run"
    train = ["train", "--model", "dcgan", "--dataset", "digits", "--out", run, "--steps", "2", "--batch-size", "16"]
    code, _, err = run_cli(capsys, *train, "--width", "0.125", "--device", "cpu", "--quiet", "--no-tensorboard")
    assert code == 0, err
    from_dir = scores(capsys, tmp_path, "--generator", run)
    sidecar = sorted((run / "checkpoints").glob("step_*.json"))[-1]
    from_sidecar = scores(capsys, tmp_path, "--generator", sidecar)
    assert from_dir["metrics"] == from_sidecar["metrics"] and from_dir["metrics"]["fid"] > 0


def test_same_seed_same_metrics_at_batch_sizes_7_and_64(capsys, tmp_path):
    a = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--sample-batch-size", "7", "--batch-size", "7")
    b = scores(
        capsys, tmp_path, "--generator", "tiny_generators:tiny", "--sample-batch-size", "64", "--batch-size", "64"
    )
    assert a["metrics"] == pytest.approx(b["metrics"], rel=1e-6, abs=1e-9)
    c = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--seed", "1")
    assert c["metrics"]["fid"] != a["metrics"]["fid"]


def test_save_samples_and_append(capsys, tmp_path):
    results = tmp_path / "results.jsonl"
    scores(
        capsys,
        tmp_path,
        "--generator",
        "tiny_generators:tiny",
        "--save-samples",
        tmp_path / "imgs",
        "--append",
        results,
        "--name",
        "tiny",
    )
    assert len(list((tmp_path / "imgs").glob("*.png"))) == 120
    from ganbench.report.results import load

    frame = load(results)
    assert set(frame["metric"]) >= {"fid", "precision"} and set(frame["model"]) == {"tiny"}


def test_saved_samples_score_like_the_generator(capsys, tmp_path):
    direct = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--save-samples", tmp_path / "imgs")
    code, _, err = run_cli(
        capsys,
        "score",
        "--samples",
        tmp_path / "imgs",
        "--dataset",
        "digits",
        "--metrics",
        "fid,kid,pr,dc",
        "--device",
        "cpu",
        "--quiet",
        "--json",
        tmp_path / "f.json",
    )
    assert code == 0, err
    from_files = json.loads((tmp_path / "f.json").read_text())
    assert from_files["metrics"] == pytest.approx(direct["metrics"], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(
    "factory,fragment",
    [
        ("tiny_generators:out_of_range", "outside [-1, 1]"),
        ("tiny_generators:wrong_shape", "expects images of shape (1, 8, 8)"),
        ("tiny_generators:no_z_dim", "--z-dim"),
        ("tiny_generators:nan", "NaN"),
        ("tiny_generators:not_a_module", "not a torch.nn.Module"),
        ("no_such_module:f", "cannot import"),
    ],
)
def test_bad_generators_get_one_line(capsys, factory, fragment):
    assert_one_line_error(capsys, ["--generator", factory, *BASE], fragment)


def test_pickled_checkpoint_needs_trust(capsys, tmp_path):
    torch.save({"generator": TinyImageGenerator()}, tmp_path / "pickled.pt")
    argv = ["--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "pickled.pt", *BASE]
    assert_one_line_error(capsys, argv, "--trust-checkpoint")
    code, _, err = run_cli(capsys, "score", *argv, "--trust-checkpoint")
    assert code == 0, err


def test_onnx_generator(capsys, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")  # torch's exporter needs it; ganbench itself only needs onnxruntime
    generator = TinyImageGenerator().eval()
    torch.onnx.export(
        generator, (torch.zeros(2, 16),), str(tmp_path / "g.onnx"), input_names=["z"], dynamic_axes={"z": {0: "n"}}
    )
    onnx_scores = scores(capsys, tmp_path, "--generator", tmp_path / "g.onnx")
    torch.save(generator.state_dict(), tmp_path / "g.pt")
    plain = scores(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.pt")
    assert onnx_scores["metrics"] == pytest.approx(plain["metrics"], rel=1e-4)


def test_scored_checkpoint_joins_the_runs_leaderboard(capsys, tmp_path):
    """A generator scored with --append sits on the leaderboard beside the run's models, under the same protocol."""
    out = tmp_path / "run"
    protocol = ["--n-reference", "120", "--kid-subsets", "10", "--device", "cpu"]
    code, printed, err = run_cli(
        capsys, "run", "--models", "gan", "--dataset", "digits", "--seeds", "0", "--steps", "2", "--eval-every", "2",
        "--batch-size", "16", "--width", "0.25", "--n-generated", "60", "--no-plots", "--out", out, *protocol,
        # score extracts features on torch's default threads; float32 sums on other thread counts differ in the
        # last bits (4e-10 of this FID between 1 and 2 threads), so the cell evaluates on the same count here
        "--threads", torch.get_num_threads(),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "score", "--generator", out / "cells" / "gan" / "seed0", "--dataset", "digits", "--n", "60",
        "--seed", "0", "--quiet", "--append", out / "results.jsonl", "--name", "mine", *protocol,
    )  # fmt: skip
    assert code == 0, err
    board = tmp_path / "board.csv"
    code, _, err = run_cli(capsys, "leaderboard", out, "--metric", "fid", "--out", board)
    assert code == 0, err
    import csv

    with open(board, newline="") as handle:
        fid = {row["model"]: row for row in csv.DictReader(handle)}
    assert set(fid) == {"gan", "mine"}
    # The same checkpoint and evaluation seed: the same samples, so the same FID, ranked in one table.
    assert float(fid["mine"]["mean"]) == pytest.approx(float(fid["gan"]["mean"]), rel=1e-12)
