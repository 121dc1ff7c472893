"""FeatureStats streaming sums and saved reference statistics."""

import numpy as np
import pytest
import torch

from ganbench.errors import GanbenchError
from ganbench.stats import FeatureStats, ReferenceStats


def features(n=500, d=16, offset=0.0, seed=0):
    return (np.random.default_rng(seed).standard_normal((n, d)) * 2 + offset).astype(np.float32)


@pytest.mark.parametrize("batch", [1, 7, 64, 500])
def test_chunked_equals_full(batch):
    x = features()
    stats = FeatureStats(16)
    for start in range(0, len(x), batch):
        stats.update(torch.from_numpy(x[start : start + batch]))
    np.testing.assert_allclose(stats.mean(), x.astype(np.float64).mean(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stats.cov(), np.cov(x.astype(np.float64), rowvar=False), rtol=1e-10, atol=1e-12)
    assert stats.n == 500


def test_large_mean_does_not_lose_precision():
    x = features(offset=1e4).astype(np.float64)
    stats = FeatureStats(16)
    for start in range(0, len(x), 50):
        stats.update(x[start : start + 50])
    np.testing.assert_allclose(stats.cov(), np.cov(x, rowvar=False), rtol=1e-9)


def test_raw_features_kept_only_on_request():
    x = features(n=20)
    kept, dropped = FeatureStats(16, keep_raw=True), FeatureStats(16)
    for stats in (kept, dropped):
        stats.update(x[:13])
        stats.update(x[13:])
    np.testing.assert_array_equal(kept.features(), x)
    with pytest.raises(RuntimeError):
        dropped.features()


def test_too_few_samples():
    stats = FeatureStats(4)
    stats.update(np.ones((1, 4)))
    with pytest.raises(GanbenchError, match="at least 2"):
        stats.cov()


def test_reference_stats_round_trip_and_corruption(tmp_path):
    x = features()
    stats = FeatureStats(16)
    stats.update(x)
    saved = ReferenceStats.from_feature_stats(stats, {"extractor": "x"})
    path = tmp_path / "ref.npz"
    saved.save(path)
    loaded = ReferenceStats.load(path)
    np.testing.assert_array_equal(loaded.mean, saved.mean)
    np.testing.assert_array_equal(loaded.cov, saved.cov)
    assert loaded.n == 500 and loaded.protocol == {"extractor": "x"}
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(GanbenchError, match="not a ganbench statistics file"):
        ReferenceStats.load(path)
    with pytest.raises(GanbenchError, match="no such statistics file"):
        ReferenceStats.load(tmp_path / "missing.npz")
