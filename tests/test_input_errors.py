"""Inputs that used to give tracebacks or silently wrong numbers: each reproduced, each now one sentence (exit 2)
or a correct number."""

from __future__ import annotations

import json
import sys
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image
from support.cli import one_line_error
from tiny_generators import TinyImageGenerator

import ganbench.data.kinds as kinds_module
from ganbench.cli import main
from ganbench.data.base import DATASETS, DataConfig
from ganbench.metrics.frechet import frechet_distance, trace_sqrt_product
from ganbench.report.results import ResultRow, append_rows, read_rows

BASE = ["--dataset", "digits", "--metrics", "fid", "--n", "60", "--device", "cpu", "--quiet"]


def fid_json(capsys, tmp_path, *argv) -> dict:
    out = tmp_path / "s.json"
    code = main(["score", *map(str, argv), "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def digits_test():
    return DATASETS.get("digits").load("test", DataConfig()).data


# ---------------------------------------------------------------- files that are not what they claim


def test_npz_with_an_object_array(capsys, tmp_path):
    np.savez(tmp_path / "obj.npz", images=np.array([object(), 1], dtype=object))
    error = one_line_error(capsys, "score", "--samples", tmp_path / "obj.npz", *BASE[:4])
    assert "holds an array of Python objects" in error and "uint8 array" in error


def test_factory_that_is_not_callable(capsys):
    error = one_line_error(capsys, "score", "--generator", "tiny_generators:TinyImageGenerator.forward.__name__", *BASE)
    assert "cannot import" in error
    error = one_line_error(capsys, "score", "--generator", "json:__version__", *BASE)
    assert "json:__version__ is a str, not a function or class" in error


def test_fake_torchscript_zip(capsys, tmp_path):
    with zipfile.ZipFile(tmp_path / "fake.ts", "w") as archive:
        archive.writestr("archive/code/x.py", "not code")
    error = one_line_error(capsys, "score", "--generator", tmp_path / "fake.ts", *BASE)
    assert "cannot load" in error and "as TorchScript" in error


def test_misnamed_safetensors(capsys, tmp_path):
    (tmp_path / "g.safetensors").write_bytes(b"this is not a safetensors file")
    error = one_line_error(
        capsys, "score", "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.safetensors", *BASE
    )
    assert "is not a readable safetensors file" in error


def test_factory_module_in_the_current_folder(capsys, tmp_path, monkeypatch):
    """The `ganbench` console script does not put the current folder on sys.path; `python -m` does."""
    (tmp_path / "mygen_in_cwd.py").write_text(
        "from tiny_generators import TinyImageGenerator\n\ndef make():\n    return TinyImageGenerator()\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    result = fid_json(capsys, tmp_path, "--generator", "mygen_in_cwd:make", *BASE)
    assert result["metrics"]["fid"] > 0


def test_whole_pickled_generator_needs_trust_and_then_scores_like_its_state_dict(capsys, tmp_path):
    generator = TinyImageGenerator()
    torch.save(generator, tmp_path / "G.pt")
    torch.save(generator.state_dict(), tmp_path / "G_state.pt")
    error = one_line_error(capsys, "score", "--generator", tmp_path / "G.pt", *BASE)
    assert "is a pickled file" in error and "--trust-checkpoint" in error
    whole = fid_json(capsys, tmp_path, "--generator", tmp_path / "G.pt", "--trust-checkpoint", *BASE)
    plain = fid_json(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "G_state.pt", *BASE)
    assert whole["metrics"] == plain["metrics"]


def test_torch_export_programs(capsys, tmp_path):
    generator = TinyImageGenerator().eval()
    z = torch.randn(4, 16)
    dynamic = torch.export.export(generator, (z,), dynamic_shapes={"z": {0: torch.export.Dim("batch")}})
    torch.export.save(dynamic, tmp_path / "g.pt2")
    exported = fid_json(capsys, tmp_path, "--generator", tmp_path / "g.pt2", "--trust-checkpoint", *BASE)  # z_dim read
    torch.save(generator.state_dict(), tmp_path / "g.pt")
    plain = fid_json(capsys, tmp_path, "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.pt", *BASE)
    assert exported["metrics"]["fid"] == pytest.approx(plain["metrics"]["fid"], rel=1e-5)
    torch.export.save(torch.export.export(generator, (z,)), tmp_path / "fixed.pt2")
    error = one_line_error(capsys, "score", "--generator", tmp_path / "fixed.pt2", "--trust-checkpoint", *BASE)
    assert "export it with a dynamic batch dimension" in error


# ---------------------------------------------------------------- images read as they are


def test_16_bit_pngs_score_like_their_8_bit_originals(capsys, tmp_path, digits_test):
    """Pillow's convert('L') clipped I;16 to 255: the same digits as uint16 * 257 scored FID 182.9 instead of 4.0."""
    for depth in (8, 16):
        (tmp_path / str(depth)).mkdir()
    for i, image in enumerate(digits_test[:200]):
        Image.fromarray(image[0]).save(tmp_path / "8" / f"{i:04d}.png")
        Image.fromarray(image[0].astype(np.uint16) * 257).save(tmp_path / "16" / f"{i:04d}.png")
    assert Image.open(tmp_path / "16" / "0000.png").mode.startswith("I")
    eight = fid_json(capsys, tmp_path, "--samples", tmp_path / "8", *BASE[:4])
    sixteen = fid_json(capsys, tmp_path, "--samples", tmp_path / "16", *BASE[:4])
    assert sixteen["metrics"]["fid"] == eight["metrics"]["fid"]


def test_32_bit_float_images_are_refused(capsys, tmp_path):
    for i in range(3):
        Image.fromarray(np.full((8, 8), 0.5, np.float32)).save(tmp_path / f"{i}.tif")
    error = one_line_error(capsys, "score", "--samples", tmp_path, *BASE[:4])
    assert "32-bit float image" in error


def test_another_resolution_is_an_error_unless_allowed_and_then_recorded(capsys, tmp_path):
    np.savez(tmp_path / "tiny.npz", images=np.random.default_rng(0).integers(0, 256, (50, 1, 1, 1), dtype=np.uint8))
    error = one_line_error(capsys, "score", "--samples", tmp_path / "tiny.npz", *BASE[:4])
    assert "holds 1x1 images but digits is 8x8" in error and "--allow-resize" in error
    allowed = fid_json(capsys, tmp_path, "--samples", tmp_path / "tiny.npz", *BASE[:4], "--allow-resize")
    assert "samples 1x1, not the dataset's resolution" in allowed["protocol"]["preprocessing"]


# ---------------------------------------------------------------- outputs that mixed or hid results


def test_save_samples_refuses_a_non_empty_folder_and_never_leaves_a_partial_one(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "000000.png").write_bytes(b"stale")
    error = one_line_error(capsys, "score", "--generator", "tiny_generators:tiny", *BASE, "--save-samples", folder)
    assert "is not empty" in error

    fresh = tmp_path / "fresh"
    original = kinds_module.ImageKind.write_samples

    def interrupted(self, batches, where):
        for count, batch in enumerate(original(self, batches, where)):
            if count == 1:
                raise KeyboardInterrupt  # killed in the middle of the save
            yield batch

    monkeypatch.setattr(kinds_module.ImageKind, "write_samples", interrupted)
    assert main(["score", "--generator", "tiny_generators:tiny", *BASE, "--sample-batch-size", "20", "--save-samples", str(fresh)]) == 130
    assert not fresh.exists()  # only the hidden .fresh.partial, which no later score mistakes for a sample folder
    monkeypatch.undo()
    assert main(["score", "--generator", "tiny_generators:tiny", *BASE, "--save-samples", str(fresh)]) == 0
    assert len(list(fresh.glob("*.png"))) == 60 and not (tmp_path / ".fresh.partial").exists()


def trained_row(model: str, dataset: str) -> ResultRow:
    return ResultRow(model, dataset, 0, 100, "fid", 5.0, {}, 1.0, {"model_config": {"steps": 100}})


def test_append_refuses_a_trained_models_name_and_another_dataset(capsys, tmp_path):
    results = tmp_path / "results.jsonl"
    append_rows(results, [trained_row("dcgan", "digits")])
    score = ["score", "--generator", "tiny_generators:tiny", *BASE, "--append", results]
    error = one_line_error(capsys, *score, "--name", "dcgan")
    assert "'dcgan' is a model trained in" in error and "choose another --name" in error
    other = tmp_path / "ring.jsonl"
    append_rows(other, [trained_row("gan", "ring8")])
    error = one_line_error(capsys, "score", "--generator", "tiny_generators:tiny", *BASE, "--append", other, "--name", "mine")
    assert "holds results on ring8, not digits" in error
    assert main([str(a) for a in (*score, "--name", "mine")]) == 0
    assert [(r.model, r.step) for r in read_rows(results)] == [("dcgan", 100), ("mine", 0)]


def test_fid_of_identical_statistics_is_zero_not_a_tiny_negative():
    rng = np.random.default_rng(2)  # this case gave -2.9e-09 before
    x = (rng.normal(size=(300, 128)) * rng.uniform(0.1, 30, size=128)).astype(np.float32)
    mu, sigma = x.mean(0).astype(np.float64), np.cov(x.astype(np.float64), rowvar=False)
    assert 2 * np.trace(sigma) - 2 * trace_sqrt_product(sigma, sigma) < 0  # the rounding the fix absorbs
    assert frechet_distance(mu, sigma, mu, sigma) == 0.0
    shifted = mu + 1e-3
    assert frechet_distance(shifted, sigma, mu, sigma) == pytest.approx(128 * 1e-6, rel=1e-3)
