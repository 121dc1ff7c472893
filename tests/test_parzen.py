"""Parzen-window log-likelihood against the GAN paper's parzen_ll.py (ported to numpy as
tests/support/parzen_reference.py: Theano and pylearn2 do not install), closed forms and planted mode dropping."""

import math

import numpy as np
import pytest
from support.parzen_reference import parzen_ll

from ganbench.errors import GanbenchError
from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.parzen import parzen_log_likelihoods, parzen_window
from ganbench.metrics.spec import METRICS, MetricInputs


@pytest.mark.parametrize("d, shift", [(5, 0.0), (20, 0.7)])
def test_sigma_mean_and_standard_error_equal_the_reference(d, shift):
    rng = np.random.default_rng(d)
    gen, valid, test = rng.normal(shift, 1, (300, d)), rng.normal(0, 1, (150, d)), rng.normal(0, 1, (230, d))
    sigmas = np.logspace(-1, 0.5, 10)
    ours = parzen_window(gen, valid, test, sigmas)
    mean, se, sigma = parzen_ll(gen, valid, test, sigmas)
    assert ours.sigma == sigma and sigmas[0] < sigma < sigmas[-1]
    assert ours.mean == pytest.approx(mean, rel=1e-10)
    assert ours.standard_error == pytest.approx(se, rel=1e-8)


def test_one_centre_gives_the_gaussian_log_density():
    x, centre, sigma = np.array([[1.0, 2.0, -1.0]]), np.array([[0.5, 2.0, 0.0]]), 0.7
    expected = -(0.25 + 1.0) / (2 * sigma**2) - 3 * math.log(sigma * math.sqrt(2 * math.pi))
    assert parzen_log_likelihoods(x, centre, sigma)[0] == pytest.approx(expected, rel=1e-12)


def test_far_points_stay_finite():
    """Every kernel underflows in exp for a point 1000 sigma away: log-sum-exp keeps the value (-|x-g|^2 / 2s^2 ...)."""
    ll = parzen_log_likelihoods(np.array([[1000.0]]), np.array([[0.0]]), 1.0)[0]
    assert ll == pytest.approx(-500_000 - 0.5 * math.log(2 * math.pi))


def inputs(gen, ref, heldout):
    return MetricInputs(
        n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, heldout_features=heldout, requested=("parzen",)
    )


def test_preset_refuses_a_sigma_on_the_grid_edge():
    rng = np.random.default_rng(1)
    gen, ref, heldout = rng.normal(0, 1, (200, 4)), rng.normal(0, 1, (300, 4)), rng.normal(0, 1, (100, 4))
    values = METRICS.get("parzen").compute(inputs(gen, ref, heldout), MetricConfig())
    assert values["parzen_ll"] < 0 and 0 < values["parzen_ll_se"] < 1
    narrow = MetricConfig(distribution=DistributionConfig(parzen_sigma_min=0.001, parzen_sigma_max=0.01))
    with pytest.raises(GanbenchError, match="largest sigma"):
        METRICS.get("parzen").compute(inputs(gen, ref, heldout), narrow)


def test_dropping_digit_classes_lowers_the_log_likelihood(mnist5k_pool):
    """Kernels on 450 train digits (mnist-classifier features) of all 10, 9 or 5 classes; test digits of the
    missing classes fall far from every kernel, so the held-out log-likelihood falls."""
    train, labels = mnist5k_pool.mnist_features("train")
    heldout, _ = mnist5k_pool.mnist_features("test")
    rng = np.random.default_rng(0)
    values = []
    for dropped in mnist5k_pool.DROPPED.values():
        kept = np.flatnonzero(~np.isin(labels, dropped))
        gen = train[np.sort(rng.choice(kept, mnist5k_pool.PLANTED_ROWS, replace=False))]
        values.append(METRICS.get("parzen").compute(inputs(gen, train, heldout), MetricConfig()))
    ll = [v["parzen_ll"] for v in values]
    se = max(v["parzen_ll_se"] for v in values)
    assert ll[0] - ll[1] > 3 * se and ll[1] - ll[2] > 3 * se


def test_preset_refuses_held_out_samples_among_the_kernel_centres():
    rng = np.random.default_rng(2)
    gen, ref = rng.normal(0, 1, (200, 4)).astype(np.float32), rng.normal(0, 1, (300, 4)).astype(np.float32)
    with pytest.raises(GanbenchError, match="among the generated"):
        METRICS.get("parzen").compute(inputs(gen, ref, gen[:50].copy()), MetricConfig())
