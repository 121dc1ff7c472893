"""The birthday-paradox support estimate (Arora & Zhang 2017). Its authors judge duplicates by eye and publish no
code, so there is no reference to port: the test checks the birthday formula, the pair search against brute force,
the threshold's definition, and planted generators with a known support (real digits drawn with replacement)."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import pdist, squareform

from ganbench.errors import GanbenchError
from ganbench.metrics.birthday import birthday_support, close_pairs, duplicate_threshold, support_from_rate
from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.spec import METRICS, MetricInputs


def test_support_from_rate_inverts_the_birthday_probability():
    """Batches of 23 from 365 days: P = 1 - exp(-23 22 / 730) = 0.50 gives N = 365 back."""
    rate = 1 - math.exp(-23 * 22 / (2 * 365))
    assert support_from_rate(23, rate) == pytest.approx(365)
    assert support_from_rate(23, 0.0) == math.inf and support_from_rate(23, 1.0) == 0


def test_close_pairs_equal_brute_force():
    x = np.random.default_rng(0).normal(0, 1, (700, 3))
    pairs, distances = close_pairs(x, 0.1, rows_per_block=64)
    full = squareform(pdist(x))
    rows, cols = np.nonzero(np.triu(full < 0.1, k=1))
    assert sorted(map(tuple, pairs.tolist())) == sorted(zip(rows.tolist(), cols.tolist(), strict=True))
    np.testing.assert_allclose(distances, full[pairs[:, 0], pairs[:, 1]], rtol=1e-9)
    assert np.all(np.diff(distances) >= 0)


def test_threshold_is_the_quantile_of_nearest_neighbour_distances():
    x = np.random.default_rng(1).normal(0, 1, (300, 4))
    full = squareform(pdist(x))
    np.fill_diagonal(full, np.inf)
    assert duplicate_threshold(x, 0.05) == pytest.approx(np.quantile(full.min(1), 0.05), rel=1e-9)


@pytest.mark.parametrize("support", [50, 200])
def test_planted_support_is_recovered(mnist5k_pool, support):
    """A 'generator' that draws (with replacement, plus 0.01 noise) from `support` real digits: the 95% interval
    holds the true support, and the estimate is within 25% of it."""
    test, _ = mnist5k_pool.mnist_features("test")
    reference, _ = mnist5k_pool.mnist_features("train")
    rng = np.random.default_rng(support)
    base = test[rng.choice(len(test), support, replace=False)]
    generated = base[rng.integers(0, support, 2000)] + rng.normal(0, 0.01, (2000, base.shape[1]))
    estimate = birthday_support(generated, reference)
    assert estimate.support_low <= support <= estimate.support_high
    assert estimate.support == pytest.approx(support, rel=0.25)


def test_real_digits_have_a_support_far_beyond_the_sample(mnist5k_pool):
    """The mnist5k test split against the train split's threshold: duplicates are rare even at 256 per batch."""
    test, _ = mnist5k_pool.mnist_features("test")
    reference, _ = mnist5k_pool.mnist_features("train")
    assert birthday_support(test, reference).support_low > 50_000


def test_no_duplicate_gives_the_lower_bound_of_the_largest_batch():
    x = np.arange(400, dtype=np.float64)[:, None] * 10  # evenly spaced: no pair below the reference's threshold
    estimate = birthday_support(x, np.arange(100, dtype=np.float64)[:, None], batches=50)
    assert estimate.lower_bound_only and estimate.size == 128 and estimate.support == estimate.support_low
    # the exact 95% upper bound of a 0/50 rate is 1 - 0.025^(1/50)
    assert estimate.support_low == pytest.approx(support_from_rate(128, 1 - 0.025 ** (1 / 50)))


def test_preset_refuses_too_few_samples():
    rng = np.random.default_rng(2)
    gen, ref = rng.normal(0, 1, (20, 4)), rng.normal(0, 1, (50, 4))
    inputs = MetricInputs(n_gen=20, n_ref=50, gen_features=gen, ref_features=ref, requested=("birthday",))
    with pytest.raises(GanbenchError, match="--birthday-min-batch"):
        METRICS.get("birthday").compute(inputs, MetricConfig())
    values = METRICS.get("birthday").compute(inputs, MetricConfig(distribution=DistributionConfig(birthday_min_batch=4)))
    assert values["birthday_support"] >= values["birthday_support_low"] > 0


def test_closest_pairs_figure(tmp_path):
    from ganbench.report.plots.birthday import closest_pairs, plot_closest_pairs

    rng = np.random.default_rng(3)
    features = rng.normal(0, 1, (60, 5))
    features[7] = features[3] + 1e-3  # one planted near-duplicate
    pairs, distances = closest_pairs(features, 4)
    assert pairs[0].tolist() == [3, 7] and distances[0] == pytest.approx(1e-3 * math.sqrt(5))
    full = squareform(pdist(features))
    np.fill_diagonal(full, np.inf)
    assert distances[1] == pytest.approx(np.sort(full[np.triu_indices(60, 1)])[1])
    images = rng.integers(0, 256, (60, 1, 8, 8), dtype=np.uint8)
    path = plot_closest_pairs(tmp_path / "birthday_pairs.png", images, features, threshold=0.01, pairs=4)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="one per feature row"):
        plot_closest_pairs(tmp_path / "x.png", images[:10], features, 0.01)
