"""The shipped `mnist-classifier`: weights identity, accuracy, output shapes, batch independence, per-channel labels."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.data.base import DATASETS, DataConfig
from ganbench.errors import GanbenchError
from ganbench.features.config import ExtractorConfig
from ganbench.features.mnist_classifier import (
    SIDECAR_PATH,
    WEIGHTS_PATH,
    WEIGHTS_SHA256,
    DigitNet,
    MnistClassifier,
    build_mnist_classifier,
    classify_channels,
)
from ganbench.features.mnist_classifier_train import (
    TrainConfig,
    accuracy,
    random_shifts,
    save_weights,
    train_and_save,
    train_network,
)
from ganbench.hashing import sha256_of

#: the figure published with the shipped weights (mnist5k test split, 1,000 images)
SHIPPED_TEST_ACCURACY = 0.983


@pytest.fixture(scope="module")
def classifier() -> MnistClassifier:
    return build_mnist_classifier(ExtractorConfig())


@pytest.fixture(scope="module")
def mnist5k_test():
    return DATASETS.get("mnist5k").load("test", DataConfig())


def test_shipped_weights_match_sidecar_and_constant() -> None:
    sidecar = json.loads(SIDECAR_PATH.read_text())
    assert WEIGHTS_PATH.stat().st_size < 4_000_000
    assert sha256_of(WEIGHTS_PATH) == WEIGHTS_SHA256 == sidecar["sha256"]
    assert sidecar["test_accuracy"] == SHIPPED_TEST_ACCURACY
    assert sidecar["training"]["seed"] == TrainConfig().seed


def test_registered_and_fingerprinted(classifier: MnistClassifier) -> None:
    import ganbench.features  # noqa: F401  (the package import must register it)
    from ganbench.features.base import build_extractor

    built = build_extractor("mnist-classifier", ExtractorConfig())
    assert isinstance(built, MnistClassifier)
    assert built.fingerprint()["extractor_weights_sha256"] == WEIGHTS_SHA256
    assert classifier.output_dims == {"pool": 128, "logits": 10}


def test_test_accuracy(classifier: MnistClassifier, mnist5k_test) -> None:
    assert accuracy(classifier, mnist5k_test) == pytest.approx(SHIPPED_TEST_ACCURACY, abs=1e-9)
    assert SHIPPED_TEST_ACCURACY >= 0.97


@pytest.mark.parametrize("shape", [(5, 1, 28, 28), (5, 3, 28, 28), (5, 1, 8, 8), (5, 3, 64, 64)])
def test_output_shapes(classifier: MnistClassifier, shape: tuple[int, ...]) -> None:
    images = torch.randint(0, 256, shape, dtype=torch.uint8)
    out = classifier.extract(images, ("pool", "logits"))
    assert out["pool"].shape == (5, 128) and out["logits"].shape == (5, 10)
    assert out["pool"].dtype == torch.float32 and bool((out["pool"] >= 0).all())
    assert list(classifier.extract(images)) == ["pool"]


def test_rejects_non_uint8(classifier: MnistClassifier) -> None:
    with pytest.raises(ValueError, match="uint8"):
        classifier.extract(torch.zeros(2, 1, 28, 28))


def test_batch_size_independence(classifier: MnistClassifier, mnist5k_test) -> None:
    images = torch.from_numpy(mnist5k_test.data[:50])
    whole = classifier.extract(images, ("pool", "logits"))
    parts = [classifier.extract(images[i : i + 7], ("pool", "logits")) for i in range(0, 50, 7)]
    for name in ("pool", "logits"):
        assert torch.allclose(whole[name], torch.cat([p[name] for p in parts]), atol=1e-5, rtol=0)


def test_gray_and_three_equal_channels_agree(classifier: MnistClassifier, mnist5k_test) -> None:
    gray = torch.from_numpy(mnist5k_test.data[:20])
    rgb = gray.expand(-1, 3, -1, -1).contiguous()
    assert torch.allclose(classifier.extract(gray)["pool"], classifier.extract(rgb)["pool"], atol=1e-5)


def test_classify_channels_recovers_stacked_digits(classifier: MnistClassifier, mnist5k_test) -> None:
    logits = classifier.extract(torch.from_numpy(mnist5k_test.data), ("logits",))["logits"]
    right = np.flatnonzero(logits.argmax(1).numpy() == mnist5k_test.labels)
    picks = np.random.default_rng(0).choice(right, size=(200, 3))
    stacked = mnist5k_test.data[:, 0][picks]  # (200, 3, 28, 28), channel c = image picks[:, c]
    labels = classify_channels(stacked)
    assert labels.shape == (200, 3) and labels.dtype == np.int64
    assert np.array_equal(labels, mnist5k_test.labels[picks])
    assert np.array_equal(classifier.classify_channels(torch.from_numpy(stacked)), labels)


def test_classify_channels_on_stacked_mnist(classifier: MnistClassifier, tmp_path: Path) -> None:
    stacked = DATASETS.get("stacked_mnist").load("test", DataConfig(data_dir=str(tmp_path), download=False))
    modes = classifier.classify_channels(stacked.data[:1000]) @ np.array([100, 10, 1])
    assert np.mean(modes == stacked.labels[:1000]) > 0.93  # about 0.983 ** 3


def test_custom_weights_need_permission(tmp_path: Path) -> None:
    torch.manual_seed(1)
    path = tmp_path / "other.safetensors"
    sha = save_weights(DigitNet(), path)
    with pytest.raises(GanbenchError, match="allow custom weights"):
        build_mnist_classifier(ExtractorConfig(weights_path=str(path)))
    with pytest.warns(UserWarning, match="not the shipped ones"):
        custom = build_mnist_classifier(ExtractorConfig(weights_path=str(path), allow_custom_weights=True))
    assert custom.weights_sha256 == sha != WEIGHTS_SHA256


@pytest.mark.filterwarnings("ignore:mnist-classifier weights")
def test_bad_weights_files(tmp_path: Path) -> None:
    with pytest.raises(GanbenchError, match="does not exist"):
        build_mnist_classifier(ExtractorConfig(weights_path=str(tmp_path / "missing.safetensors")))
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not safetensors")
    with pytest.raises(GanbenchError, match="cannot read"):
        build_mnist_classifier(ExtractorConfig(weights_path=str(junk), allow_custom_weights=True))


def test_random_shifts_move_whole_images() -> None:
    images = np.zeros((50, 1, 28, 28), dtype=np.uint8)
    images[:, :, 13:15, 13:15] = 255
    shifted = random_shifts(images, 2, np.random.default_rng(0))
    ys, xs = np.nonzero(shifted[:, 0].sum(axis=0))
    assert shifted.sum() == images.sum() and ys.min() == 11 and ys.max() == 16 and xs.min() == 11 and xs.max() == 16


def test_training_is_deterministic() -> None:
    train = DATASETS.get("mnist5k").load("train", DataConfig())
    small = type(train)(train.data[:256], train.labels[:256])
    config = TrainConfig(epochs=1)
    first, second = (train_network(small, config, lambda line: None).state_dict() for _ in range(2))
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_accuracy_command(capsys: pytest.CaptureFixture[str]) -> None:
    from ganbench.cli import extractor_cmd

    parser = argparse.ArgumentParser()
    extractor_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["extractor", "accuracy", "--name", "mnist-classifier"])
    assert args.func(args) == 0
    assert f"{SHIPPED_TEST_ACCURACY:.4f}" in capsys.readouterr().out


@pytest.mark.slow
def test_retraining_reproduces_shipped_weights(tmp_path: Path) -> None:
    result = train_and_save(tmp_path / "mnist_classifier.safetensors", TrainConfig(), lambda line: None)
    assert result.test_accuracy == SHIPPED_TEST_ACCURACY
    assert result.sha256 == WEIGHTS_SHA256
