"""Precision/recall/density/coverage: equal to prdc on identical features; planted cases; chunking invariance."""

import contextlib
import io

import numpy as np
import pytest
from prdc import compute_prdc

from ganbench.metrics.exact_knn import FeatureSet, knn_radii
from ganbench.metrics.manifold import manifold_scores


def prdc(real, fake, k):
    with contextlib.redirect_stdout(io.StringIO()):
        return {key: float(value) for key, value in compute_prdc(real, fake, k).items()}


def inception_like(n, d, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).standard_normal((16, d)) / 4
    return np.maximum((rng.standard_normal((n, 16)) + shift) @ basis + 0.3 * rng.standard_normal((n, d)), 0).astype(np.float32)


@pytest.mark.parametrize(
    "n_real,n_fake,d,shift,seed",
    [(400, 300, 8, 0.5, 0), (500, 500, 64, 0.2, 1), (300, 400, 2048, 0.3, 2), (200, 200, 2, 0.0, 3)],
)
def test_equal_to_prdc(n_real, n_fake, d, shift, seed):
    real = inception_like(n_real, d, seed)
    fake = inception_like(n_fake, d, seed + 100, shift)
    ours = manifold_scores(real, fake, pr_k=3, dc_k=5)
    ref3, ref5 = prdc(real, fake, 3), prdc(real, fake, 5)
    assert (ours.precision, ours.recall) == (ref3["precision"], ref3["recall"])
    assert ours.density == pytest.approx(ref5["density"], abs=1e-12)
    assert ours.coverage == ref5["coverage"]


def test_equal_to_prdc_with_duplicates_and_lattice_ties():
    # integer lattice points: many exactly equal distances, and repeated rows
    rng = np.random.default_rng(5)
    real = rng.integers(0, 4, (300, 3)).astype(np.float32)
    fake = np.concatenate([real[:100], rng.integers(0, 5, (150, 3))]).astype(np.float32)
    for k in (3, 5):
        ours = manifold_scores(real, fake, pr_k=k, dc_k=k)
        ref = prdc(real, fake, k)
        assert (ours.precision, ours.recall, ours.coverage) == (ref["precision"], ref["recall"], ref["coverage"])
        assert ours.density == pytest.approx(ref["density"], abs=1e-12)


def test_block_size_does_not_change_results():
    real, fake = inception_like(300, 32, 7), inception_like(280, 32, 8, 0.4)
    full = manifold_scores(real, fake)
    tiny_blocks = manifold_scores(real, fake, block_bytes=4 * 300 * 5)
    assert full == tiny_blocks


def test_radii_equal_brute_force():
    x = inception_like(200, 16, 9)
    # prdc's (scikit-learn's) rounding: float64 squared distances, rounded to float32, float32 square root
    distances = np.sqrt(((x[:, None, :].astype(np.float64) - x[None, :, :]) ** 2).sum(-1).astype(np.float32))
    expected = np.sort(distances, axis=1)
    radii = knn_radii(FeatureSet.build(x, None, "cpu"), (1, 3, 5), block_bytes=4 * 200 * 7)
    for k in (1, 3, 5):
        np.testing.assert_array_equal(radii[k].numpy(), expected[:, k])


def test_collapsed_generator_has_low_recall_and_coverage():
    rng = np.random.default_rng(11)
    centres = rng.standard_normal((10, 16)) * 5
    real = (centres[rng.integers(0, 10, 1000)] + rng.standard_normal((1000, 16)) * 0.5).astype(np.float32)
    good = (centres[rng.integers(0, 10, 1000)] + rng.standard_normal((1000, 16)) * 0.5).astype(np.float32)
    collapsed = (centres[rng.integers(0, 2, 1000)] + rng.standard_normal((1000, 16)) * 0.5).astype(np.float32)
    good_scores, collapsed_scores = manifold_scores(real, good), manifold_scores(real, collapsed)
    assert good_scores.recall > 0.7 and good_scores.coverage > 0.9
    assert collapsed_scores.recall < 0.3 and collapsed_scores.coverage < 0.3
    assert collapsed_scores.precision > 0.8  # what it makes is realistic, it just makes too little variety


def test_equal_to_prdc_when_every_distance_ties():
    # scaled basis vectors: all pairwise distances equal, so every candidate list is ambiguous and the
    # full-row fallback must decide
    real = (np.eye(40) * 3).astype(np.float32)
    fake = np.concatenate([np.eye(40)[:25] * 3, np.eye(40)[:15] * 3.0001]).astype(np.float32)
    for k in (3, 5):
        ours = manifold_scores(real, fake, pr_k=k, dc_k=k)
        ref = prdc(real, fake, k)
        assert (ours.precision, ours.recall, ours.coverage) == (ref["precision"], ref["recall"], ref["coverage"])
        assert ours.density == pytest.approx(ref["density"], abs=1e-12)
