"""Cached reference statistics: content-hash names, corruption detection, shipped statistics, the floor."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganbench.data.base import DATASETS, DataConfig
from ganbench.errors import GanbenchError
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.config import MetricConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.real_floor import real_floor
from ganbench.scoring.reference_cache import (
    cache_key,
    cache_path,
    compute_reference,
    reference_features,
    shipped_statistics,
)


@pytest.fixture(scope="module")
def classifier():
    return build_extractor("mnist-classifier", ExtractorConfig())


def test_cache_written_once_and_reused(tmp_path, classifier):
    config = DataConfig(cache_dir=str(tmp_path))
    spec = DATASETS.get("digits")
    first = reference_features(spec, "test", 200, classifier, config, need_features=True, progress=False)
    path = cache_path(cache_key("digits", "test", 200, classifier), str(tmp_path))
    assert path.exists() and "digits-test-mnist-classifier-n200-" in path.name
    stamp = path.stat().st_mtime_ns
    second = reference_features(spec, "test", 200, classifier, config, need_features=True, progress=False)
    assert path.stat().st_mtime_ns == stamp
    np.testing.assert_array_equal(first.features, second.features)
    np.testing.assert_array_equal(first.cov, second.cov)
    assert first.n == 200 and first.features.shape == (200, 128)


def test_corrupt_cache_is_reported_and_recomputed(tmp_path, classifier):
    config = DataConfig(cache_dir=str(tmp_path))
    spec = DATASETS.get("digits")
    good = reference_features(spec, "test", 100, classifier, config, need_features=True, progress=False)
    path = cache_path(cache_key("digits", "test", 100, classifier), str(tmp_path))
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["mean"] = arrays["mean"] + 1.0  # silent corruption: the stored checksum no longer matches
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.warns(UserWarning, match="corrupt"):
        again = reference_features(spec, "test", 100, classifier, config, need_features=True, progress=False)
    np.testing.assert_array_equal(again.mean, good.mean)
    path.write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        reference_features(spec, "test", 100, classifier, config, need_features=True, progress=False)


def test_cache_key_changes_with_everything_that_matters(classifier):
    base = cache_key("digits", "train", 100, classifier)
    assert cache_path(base, "/c") != cache_path(cache_key("digits", "train", 101, classifier), "/c")
    assert cache_path(base, "/c") != cache_path(cache_key("digits", "test", 100, classifier), "/c")
    assert cache_path(base, "/c") != cache_path({**base, "extractor_weights_sha256": "0" * 64}, "/c")


def test_shipped_statistics_match_a_fresh_computation(classifier):
    spec = DATASETS.get("digits")
    key = cache_key("digits", "train", 1437, classifier)
    shipped = shipped_statistics(key)
    assert shipped is not None
    fresh = compute_reference(spec, "train", 1437, classifier, DataConfig(), batch_size=500, progress=False)
    np.testing.assert_allclose(shipped.mean, fresh.mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(shipped.cov, fresh.cov, rtol=1e-5, atol=1e-5)
    assert shipped_statistics({**key, "n": 1000}) is None


def test_manifest_checksums_hold():
    from ganbench.hashing import sha256_of
    from ganbench.scoring.reference_cache import shipped_root

    root = shipped_root()
    assert len(json.loads((root / "manifest.json").read_text())["entries"]) == 2
    for entry in json.loads((root / "manifest.json").read_text())["entries"]:
        assert sha256_of(root / entry["file"]) == entry["sha256"]


def test_floor_of_digits_is_a_good_score(tmp_path):

    config = ScoreConfig(
        samples=None, metrics=("fid", "pr"), dataset="digits", progress=False,
        data_config=DataConfig(cache_dir=str(tmp_path)), metric_config=MetricConfig(),
    )
    result = real_floor(config)
    assert result.metrics["precision"] > 0.8 and result.metrics["recall"] > 0.8
    assert 0 < result.metrics["fid"] < 20
    assert result.protocol["reference"] == "digits" and result.protocol["reference_split"] == "train"
    assert result.protocol["n_generated"] == 360


def test_points_dataset_refuses_image_metrics():
    from ganbench.scoring.pipeline import score_batches
    from ganbench.scoring.plan import planned

    config = ScoreConfig(samples=None, metrics=("fid",), dataset="ring8", progress=False)
    with pytest.raises(GanbenchError, match="need images"):
        score_batches(planned(config), [np.zeros((10, 2))], 10)
