"""Frechet distance: closed forms, invariants, and agreement with pytorch-fid and torch-fidelity."""

import numpy as np
import pytest
from pytorch_fid.fid_score import calculate_frechet_distance
from torch_fidelity.metric_fid import fid_statistics_to_metric

from ganbench.metrics.frechet import frechet_distance


def random_cov(rng, d, n=None):
    n = n or 3 * d
    x = rng.standard_normal((n, d)) @ rng.standard_normal((d, d))
    return x.mean(0), np.cov(x, rowvar=False)


def test_diagonal_gaussians_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var1, var2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(5.0 + 2.0)


def test_commuting_covariances_closed_form():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    a, b = rng.uniform(0.5, 3, 6), rng.uniform(0.5, 3, 6)
    s1, s2 = q @ np.diag(a) @ q.T, q @ np.diag(b) @ q.T
    assert frechet_distance(np.zeros(6), s1, np.zeros(6), s2) == pytest.approx(np.sum((np.sqrt(a) - np.sqrt(b)) ** 2), rel=1e-10)


def test_identical_distributions_give_zero():
    mu, sigma = random_cov(np.random.default_rng(1), 64)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-8 * np.trace(sigma)


@pytest.mark.parametrize("d,n", [(32, 200), (256, 1000), (64, 20)])
def test_matches_pytorch_fid_and_torch_fidelity(d, n):
    rng = np.random.default_rng(d)
    mu1, s1 = random_cov(rng, d, n)
    mu2, s2 = random_cov(rng, d, n)
    ours = frechet_distance(mu1, s1, mu2, s2)
    assert ours == pytest.approx(calculate_frechet_distance(mu1, s1, mu2, s2), rel=1e-6)
    fidelity = fid_statistics_to_metric({"mu": mu1, "sigma": s1}, {"mu": mu2, "sigma": s2}, False)
    assert ours == pytest.approx(fidelity["frechet_inception_distance"], rel=1e-6)


def test_singular_covariances_are_exact():
    # rank-2 covariances in 5-d: no Cholesky factor, the eigen route must still be exact
    rng = np.random.default_rng(3)
    basis = rng.standard_normal((5, 2))
    s1 = basis @ np.diag([2.0, 1.0]) @ basis.T
    s2 = basis @ np.diag([1.0, 3.0]) @ basis.T
    reference = calculate_frechet_distance(np.zeros(5), s1, np.ones(5), s2, eps=0)
    assert frechet_distance(np.zeros(5), s1, np.ones(5), s2) == pytest.approx(reference, rel=1e-6)
    assert frechet_distance(np.zeros(5), s1, np.zeros(5), s1) == pytest.approx(0, abs=1e-9)


def test_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
