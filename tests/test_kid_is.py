"""KID and Inception Score against torch-fidelity's own functions on identical features."""

import numpy as np
import pytest
import torch
from torch_fidelity.metric_isc import isc_features_to_metric
from torch_fidelity.metric_kid import kid_features_to_metric

from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.kid import kernel_inception_distance


def kid_reference(f1, f2, subsets, subset_size):
    return kid_features_to_metric(
        torch.from_numpy(f1),
        torch.from_numpy(f2),
        kid_subsets=subsets,
        kid_subset_size=subset_size,
        kid_kernel="poly",
        kid_kernel_poly_degree=3,
        kid_kernel_poly_gamma=None,
        kid_kernel_poly_coef0=1,
        rng_seed=2020,
        verbose=False,
    )


@pytest.mark.parametrize("shift", [0.3, 1.0])
def test_kid_matches_torch_fidelity(shift):
    rng = np.random.default_rng(0)
    f1 = np.abs(rng.standard_normal((300, 128))).astype(np.float32)
    f2 = np.abs(rng.standard_normal((250, 128)) + shift).astype(np.float32)
    ours = kernel_inception_distance(f1, f2, subsets=20, subset_size=100)
    ref = kid_reference(f1, f2, 20, 100)
    assert ours[0] == pytest.approx(ref["kernel_inception_distance_mean"], rel=1e-4)
    assert ours[1] == pytest.approx(ref["kernel_inception_distance_std"], rel=1e-4)
    assert ours[0] > 0


def test_kid_same_distribution_is_near_zero():
    rng = np.random.default_rng(1)
    f = rng.standard_normal((600, 32)).astype(np.float32)
    mean, std = kernel_inception_distance(f[:300], f[300:], subsets=30, subset_size=200)
    assert abs(mean) < 3 * std + 1e-3


def test_kid_rejects_subset_larger_than_sets():
    with pytest.raises(ValueError, match="subset size"):
        kernel_inception_distance(np.zeros((10, 4)), np.zeros((10, 4)), subset_size=11)


@pytest.mark.parametrize("n,splits", [(100, 10), (37, 3)])
def test_inception_score_matches_torch_fidelity(n, splits):
    logits = (np.random.default_rng(n).standard_normal((n, 1008)) * 3).astype(np.float32)
    ours = inception_score(logits, splits=splits)
    ref = isc_features_to_metric(torch.from_numpy(logits), splits, True, 2020)
    assert ours[0] == pytest.approx(ref["inception_score_mean"], rel=1e-9)
    assert ours[1] == pytest.approx(ref["inception_score_std"], rel=1e-9)


def test_inception_score_closed_form():
    # confident predictions spread evenly over C classes give IS = C; identical predictions give 1
    classes = 8
    confident = np.full((80, classes), -50.0)
    confident[np.arange(80), np.arange(80) % classes] = 50.0
    assert inception_score(confident, splits=1, shuffle=False)[0] == pytest.approx(classes, rel=1e-9)
    assert inception_score(np.zeros((40, classes)), splits=4)[0] == pytest.approx(1.0)
