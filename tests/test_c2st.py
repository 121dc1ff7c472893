"""The 1-NN two-sample test against Xu et al.'s GAN-Metrics `knn` (ported as tests/support/knn_reference.py: not
on PyPI), closed cases, the calibration of its permutation p-value, and planted mode dropping on mnist5k."""

import numpy as np
import pytest
from support.knn_reference import knn

from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.metrics.two_sample import nearest_other, one_nn_test


@pytest.mark.parametrize("n, m, shift", [(300, 300, 0.0), (300, 300, 0.5), (200, 350, 1.5)])
def test_accuracies_equal_the_reference(n, m, shift):
    rng = np.random.default_rng(n + m)
    real, fake = rng.normal(0, 1, (n, 10)), rng.normal(shift, 1, (m, 10))
    ours = one_nn_test(real, fake, permutations=10)
    assert (ours.accuracy, ours.accuracy_real, ours.accuracy_fake) == pytest.approx(knn(real, fake), abs=1e-15)


def test_blocks_do_not_change_the_neighbours():
    x = np.random.default_rng(1).normal(0, 1, (700, 6))
    np.testing.assert_array_equal(nearest_other(x, rows_per_block=64), nearest_other(x))


def test_copies_score_zero_and_separated_sets_one():
    rng = np.random.default_rng(2)
    real = rng.normal(0, 1, (100, 8))
    copies = one_nn_test(real, real.copy(), permutations=99)
    assert copies.accuracy == 0 and copies.p_value == 1.0
    apart = one_nn_test(real, real + 100, permutations=99)
    assert apart.accuracy == 1 and apart.p_value == pytest.approx(1 / 100)


def test_p_value_is_calibrated_under_the_null():
    """Both sets from one distribution: P(p <= 0.1) is 0.1; over 300 draws the count of p <= 0.1 lies within
    binomial(300, 0.1)'s 99.9% range (12 to 50)."""
    rng = np.random.default_rng(3)
    p_values = [one_nn_test(rng.normal(0, 1, (40, 3)), rng.normal(0, 1, (40, 3)), 199, seed).p_value for seed in range(300)]
    assert 12 <= sum(p <= 0.1 for p in p_values) <= 50


def test_preset_subsamples_to_equal_sizes_and_is_seeded():
    rng = np.random.default_rng(4)
    gen, ref = rng.normal(0.2, 1, (150, 5)), rng.normal(0, 1, (400, 5))
    inputs = MetricInputs(n_gen=150, n_ref=400, gen_features=gen, ref_features=ref, requested=("c2st",))
    config = MetricConfig(distribution=DistributionConfig(c2st_permutations=50))
    values = METRICS.get("c2st").compute(inputs, config)
    assert values == METRICS.get("c2st").compute(inputs, config)
    # balanced: the accuracy is a multiple of 1 / 300
    assert values["nn1_accuracy"] * 300 == pytest.approx(round(values["nn1_accuracy"] * 300))
    assert 1 / 51 <= values["nn1_p_value"] <= 1


def test_dropping_digit_classes_raises_the_accuracy(mnist5k_pool):
    """mnist5k test digits against train digits (mnist-classifier features, 450 each): near 0.5 with all
    classes; missing classes leave real digits whose nearest neighbour is real, so the accuracy rises."""
    ref, _ = mnist5k_pool.mnist_features("train")
    spec, config = METRICS.get("c2st"), MetricConfig(distribution=DistributionConfig(c2st_permutations=200))
    scores = []
    for case in mnist5k_pool.DROPPED:
        gen = mnist5k_pool.planted(case)
        inputs = MetricInputs(n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, requested=("c2st",))
        scores.append(spec.compute(inputs, config))
    accuracy = [s["nn1_accuracy"] for s in scores]
    assert abs(accuracy[0] - 0.5) < 0.06 and accuracy[1] > accuracy[0] + 0.02 and accuracy[2] > accuracy[1] + 0.1
    assert scores[2]["nn1_p_value"] < 0.01
