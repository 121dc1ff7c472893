"""Generators and sample files that used to end in a traceback, a silent exit 0 or a silently wrong number
(issue 23): each is now one sentence and exit code 2, said before the expensive work."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
import torch
from support.cli import one_line_error

import ganbench.scoring.plan as scoring_plan
from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DataConfig
from ganbench.models.base import MODELS
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train

RING = ["--dataset", "ring8", "--n", "100", "--device", "cpu", "--quiet"]

HOSTILE = textwrap.dedent(
    """
    import sys
    import torch
    from torch import nn


    class Points(nn.Module):
        def __init__(self, mode):
            super().__init__()
            self.z_dim, self.num_classes, self.mode = 2, 0, mode

        def forward(self, z, labels=None):
            if self.mode == "complex":
                return torch.complex(z, z)
            if self.mode == "meta":
                return torch.empty(len(z), 2, device="meta")
            sys.exit(0)


    def complex_points():
        return Points("complex")


    def meta_points():
        return Points("meta")


    def exiting_points():
        return Points("exit")


    def exiting_factory():
        sys.exit(0)


    class GrayDigits(nn.Module):
        z_dim, num_classes = 4, 0

        def forward(self, z, labels=None):
            return torch.zeros(len(z), 1, 28, 28)


    def gray_digits():
        return GrayDigits()
    """
)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    (tmp_path / "hostile_generators.py").write_text(HOSTILE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "hostile_generators"


@pytest.mark.parametrize(
    "factory, message",
    [
        ("complex_points", "returned a torch.complex64 tensor"),
        ("meta_points", "returned a meta-device tensor"),
        ("exiting_points", "called sys.exit(0)"),
        ("exiting_factory", "called sys.exit(0)"),
    ],
)
def test_a_generator_that_returns_no_real_samples_or_exits_is_one_sentence(capsys, hostile, factory, message):
    assert message in one_line_error(capsys, "score", "--generator", f"{hostile}:{factory}", *RING)


@pytest.mark.parametrize("damage", ["empty", "random", "truncated"])
def test_a_damaged_onnx_file_is_one_sentence(capsys, tmp_path, damage):
    pytest.importorskip("onnxruntime")
    path = tmp_path / f"{damage}.onnx"
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "random":
        path.write_bytes(np.random.default_rng(0).bytes(300))
    else:
        pytest.importorskip("onnx")
        good = tmp_path / "good.onnx"
        torch.onnx.export(torch.nn.Linear(2, 2), (torch.zeros(1, 2),), str(good), dynamo=False)
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    assert f"cannot load {path} as an ONNX model" in one_line_error(capsys, "score", "--generator", path, *RING)


def test_one_channel_images_against_stacked_mnist_are_refused_before_the_fid_work(capsys, tmp_path, monkeypatch):
    def no_reference(*args, **kwargs):
        raise AssertionError("the reference side was computed before the channels were checked")

    monkeypatch.setattr(scoring_plan, "reference_for", no_reference)
    images = np.random.default_rng(0).integers(0, 256, (50, 1, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "gray.npz", images=images)
    error = one_line_error(capsys, "score", "--samples", tmp_path / "gray.npz", "--dataset", "stacked_mnist", "--quiet")
    assert "holds 1-channel images but stacked_mnist has 3-channel images" in error


def test_a_one_channel_generator_against_stacked_mnist_is_refused_before_the_reference_work(capsys, hostile, monkeypatch):
    def no_reference(*args, **kwargs):
        raise AssertionError("the reference side was computed before the first batch was checked")

    monkeypatch.setattr(scoring_plan, "reference_for", no_reference)
    error = one_line_error(capsys, "score", "--generator", f"{hostile}:gray_digits", "--dataset", "stacked_mnist",
                           "--n", "100", "--device", "cpu", "--quiet")  # fmt: skip
    assert "stacked_mnist expects images of shape (3, 28, 28)" in error and "(1, 28, 28)" in error


def test_a_checkpoint_sidecar_edited_to_a_huge_width_is_refused_before_building(capsys, tmp_path, monkeypatch):
    split, shape, _ = load_training_split("ring8", DataConfig())
    config = apply_overrides(MODELS.get("gan").default_config(shape), {"steps": "2", "batch_size": "16", "width": "0.25"})
    run = RunConfig(device="cpu", checkpoint_every=2, progress=False, tensorboard=False, dataset="ring8")
    result = train("gan", config, run, split, tmp_path / "run", shape=shape)
    sidecar = result.checkpoint
    meta = json.loads(sidecar.read_text())
    meta["model_config"]["width"] = 1000.0
    sidecar.write_text(json.dumps(meta))
    built = []
    real_reset = torch.nn.Linear.reset_parameters

    def recording(layer):
        built.append(layer.weight.device.type)  # "meta" while the sizes are checked, "cpu" when built for real
        real_reset(layer)

    monkeypatch.setattr(torch.nn.Linear, "reset_parameters", recording)
    error = one_line_error(capsys, "score", "--generator", sidecar, *RING)
    assert "does not fit its tensors" in error and "edited" in error
    assert built and set(built) == {"meta"}  # never built for real at that width


def test_an_absurd_sample_count_needs_yes(capsys, tmp_path):
    error = one_line_error(capsys, "score", "--generator", "tiny_generators:tiny", "--dataset", "digits", "--n", "1000000000000")
    assert "--n 1,000,000,000,000 asks for more than 1,000,000 samples" in error and "--yes" in error
    error = one_line_error(capsys, "run", "--models", "gan", "--dataset", "ring8", "--n-generated", "1000000000000",
                           "--out", tmp_path / "run", "--device", "cpu")  # fmt: skip
    assert "--n-generated 1,000,000,000,000" in error and not (tmp_path / "run" / "cells").exists()
