"""Bad input gets one line on stderr, exit code 2, no traceback, and nothing already written is touched."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganbench.cli import main


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(capsys, argv, fragment):
    code, _, err = run_cli(capsys, *argv)
    lines = [line for line in err.splitlines() if line.startswith("ganbench: error:")]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def weights_args(random_inception_weights):
    return ["--inception-weights", random_inception_weights, "--allow-custom-weights", "--device", "cpu", "--quiet"]


def score_args(samples, ref, *extra):
    return ["score", "--samples", samples, "--ref-samples", ref, *extra]


def test_missing_folder(capsys, tmp_path, image_sets, weights_args):
    assert_one_line_error(capsys, score_args(tmp_path / "nope", image_sets["smooth"], *weights_args), "no such file or folder")


def test_empty_folder(capsys, tmp_path, image_sets, weights_args):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(capsys, score_args(tmp_path / "empty", image_sets["smooth"], *weights_args), "no images found")


def test_unreadable_image(capsys, tmp_path, image_sets, weights_args):
    from PIL import Image

    folder = tmp_path / "broken"
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "a.png")
    (folder / "b.png").write_bytes(b"not a png at all")
    assert_one_line_error(capsys, score_args(folder, image_sets["smooth"], *weights_args), "cannot read image")


def test_mixed_sizes(capsys, tmp_path, image_sets, weights_args):
    from PIL import Image

    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "a.png")
    Image.new("RGB", (9, 8)).save(folder / "b.png")
    assert_one_line_error(capsys, score_args(folder, image_sets["smooth"], *weights_args), "different sizes")


def test_npz_without_images(capsys, tmp_path, image_sets, weights_args):
    np.savez(tmp_path / "x.npz", labels=np.arange(3))
    assert_one_line_error(capsys, score_args(tmp_path / "x.npz", image_sets["smooth"], *weights_args), "no image array")


def test_npz_with_nan(capsys, tmp_path, image_sets, weights_args):
    images = np.zeros((4, 3, 8, 8), np.float32)
    images[1, 0, 0, 0] = np.nan
    np.savez(tmp_path / "x.npz", images=images)
    assert_one_line_error(capsys, score_args(tmp_path / "x.npz", image_sets["smooth"], *weights_args), "NaN")


def test_fewer_than_two_samples(capsys, tmp_path, image_sets, weights_args):
    np.savez(tmp_path / "one.npz", images=np.zeros((1, 8, 8, 3), np.uint8))
    assert_one_line_error(capsys, score_args(tmp_path / "one.npz", image_sets["smooth"], *weights_args), "at least 2")


def test_weights_of_wrong_shape(capsys, tmp_path, image_sets, random_inception_weights):
    state = torch.load(random_inception_weights, weights_only=True)
    state["fc.weight"] = torch.zeros(10, 2048)
    torch.save(state, tmp_path / "bad.pth")
    argv = score_args(image_sets["smooth"], image_sets["stripes"], "--inception-weights", tmp_path / "bad.pth", "--allow-custom-weights")
    assert_one_line_error(capsys, argv, "does not fit InceptionV3")


def test_weights_not_a_state_dict(capsys, tmp_path, image_sets):
    (tmp_path / "junk.pth").write_bytes(b"junk")
    argv = score_args(image_sets["smooth"], image_sets["stripes"], "--inception-weights", tmp_path / "junk.pth", "--allow-custom-weights")
    assert_one_line_error(capsys, argv, "cannot load InceptionV3 weights")


def test_weights_with_wrong_checksum(capsys, image_sets, random_inception_weights):
    argv = score_args(image_sets["smooth"], image_sets["stripes"], "--inception-weights", random_inception_weights)
    assert_one_line_error(capsys, argv, "--allow-custom-weights")


def test_unknown_metric_and_extractor(capsys, image_sets, weights_args):
    assert_one_line_error(capsys, score_args(image_sets["smooth"], image_sets["stripes"], "--metrics", "fid,fud", *weights_args), "unknown metric 'fud'")
    assert_one_line_error(capsys, score_args(image_sets["smooth"], image_sets["stripes"], "--extractor", "vgg", *weights_args), "unknown feature extractor 'vgg'")


def test_reference_features_needed(capsys, tmp_path, image_sets, weights_args):
    fake_stats = tmp_path / "ref.npz"
    fake_stats.write_bytes(b"")
    argv = ["score", "--samples", image_sets["smooth"], "--ref-stats", fake_stats, "--metrics", "fid,kid", *weights_args]
    assert_one_line_error(capsys, argv, "kid need the reference features")


def test_offline_without_weights_says_what_to_download(capsys, tmp_path, image_sets, monkeypatch):
    import ganbench.features.inception as inception

    monkeypatch.setattr(inception, "WEIGHTS_URL", "http://127.0.0.1:9/weights-inception-2015-12-05-6726825d.pth")
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    argv = score_args(image_sets["smooth"], image_sets["stripes"], "--cache-dir", tmp_path / "cache", "--quiet")
    line = assert_one_line_error(capsys, argv, "could not download the InceptionV3 weights")
    assert "--inception-weights PATH" in line and str(tmp_path / "cache") in line
    assert not any((tmp_path / "cache").rglob("*.pth"))


def test_failed_run_leaves_existing_output_untouched(capsys, tmp_path, image_sets, weights_args):
    out = tmp_path / "result.json"
    out.write_text('{"precious": true}')
    np.savez(tmp_path / "one.npz", images=np.zeros((1, 8, 8, 3), np.uint8))
    assert_one_line_error(capsys, score_args(tmp_path / "one.npz", image_sets["smooth"], "--json", out, *weights_args), "at least 2")
    assert json.loads(out.read_text()) == {"precious": True}


def test_stats_then_score_from_stats(capsys, tmp_path, image_sets, weights_args):
    weights_args = [a for a in weights_args if a != "--quiet"]
    stats = tmp_path / "ref.npz"
    code, out, _ = run_cli(capsys, "stats", "--samples", image_sets["stripes"], "--out", stats, *weights_args)
    assert code == 0 and "24 images" in out
    result = tmp_path / "score.json"
    code, out, err = run_cli(
        capsys, "score", "--samples", image_sets["smooth"], "--ref-stats", stats, "--metrics", "fid,is", "--is-splits", "4",
        "--json", result, *weights_args, "--quiet",
    )
    assert code == 0, err
    assert "biased" in err  # fewer samples than feature dimensions: a warning, not a crash
    payload = json.loads(result.read_text())
    assert set(payload["metrics"]) == {"fid", "is_mean", "is_std"}
    assert payload["metrics"]["fid"] > 1 and payload["metrics"]["is_mean"] > 1
    assert payload["protocol"]["n_generated"] == 24 and payload["protocol"]["n_reference"] == 24
    assert len(payload["protocol"]["extractor_weights_sha256"]) == 64


def test_features_command_writes_float32_matrix(capsys, tmp_path, image_sets, weights_args):
    out = tmp_path / "f.npy"
    code, _, err = run_cli(capsys, "features", "--samples", image_sets["smooth"], "--out", out, *[a for a in weights_args if a != "--quiet"])
    assert code == 0, err
    features = np.load(out)
    assert features.shape == (24, 2048) and features.dtype == np.float32


def test_console_script_has_no_traceback(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "ganbench", "score", "--samples", str(tmp_path / "missing"), "--ref-samples", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("ganbench: error: no such file or folder")
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
