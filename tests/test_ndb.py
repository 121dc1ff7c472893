"""NDB and JS (Richardson & Weiss 2018) against the authors' ndb.py (ported as tests/support/ndb_reference.py: it
is not on PyPI), the z-test and JS in closed form, and planted mode dropping on mnist5k."""

import math

import numpy as np
import pytest
from support.ndb_reference import NDB

from ganbench.errors import GanbenchError
from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.ndb import different_bins, js_divergence, ndb_js, reference_bins
from ganbench.metrics.spec import METRICS, MetricInputs


def blobs(n, d, centres, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    return centres[rng.integers(0, len(centres), n)] + rng.normal(0, scale, (n, d))


@pytest.mark.parametrize("d, shift, whiten", [(12, 0.0, False), (12, 0.8, False), (12, 0.8, True), (1200, 0.3, False)])
def test_ndb_and_js_equal_the_reference(d, shift, whiten):
    """Same features, same k-means seed (10 restarts, 100 iterations) and, above 1000 dimensions, the same
    dimension subset: the same bins, shares, different bins and JS."""
    centres = np.random.default_rng(7).normal(0, 2, (12, d))
    ref, gen = blobs(1500, d, centres, 1), blobs(600, d, centres[:9] + shift, 2)
    bins = 20
    ours = ndb_js(gen, ref, bins=bins, whiten=whiten, seed=4)
    used = reference_bins(ref, bins, whiten, seed=4).dims
    assert len(used) == (d // 6 if d > 1000 else d)
    reference = NDB(ref, number_of_bins=bins, whitening=whiten, random_state=4, used_d_indices=used)
    theirs = reference.evaluate(gen)
    np.testing.assert_allclose(ours.ref_shares, reference.bin_proportions, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ours.gen_shares, theirs["Proportions"], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(ours.different, theirs["Different-Bins"])
    assert ours.ndb == theirs["NDB"]
    assert ours.js == pytest.approx(theirs["JS"], rel=1e-12, abs=1e-15)
    if shift:
        assert ours.ndb > 0


def test_z_test_in_closed_form():
    """p1 = 0.2 of 1000, p2 = 0.1 of 1000: pooled 0.15, se = sqrt(0.15 0.85 / 500), z = 6.26 (p ~ 4e-10); p2 = 0.19:
    z = 0.57 (p = 0.57): only the first differs, and it stops differing at significance 1e-10."""
    p1, p2 = np.array([0.2, 0.2]), np.array([0.1, 0.19])
    assert different_bins(p1, 1000, p2, 1000, 0.05).tolist() == [True, False]
    assert different_bins(p1, 1000, p2, 1000, 1e-10).tolist() == [False, False]
    assert not different_bins(np.array([0.0]), 10, np.array([0.0]), 10, 0.05)[0]


def test_js_in_closed_form():
    assert js_divergence(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(math.log(2))
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4); JS = (log(4/3) + (1/2) log(2/3) + (1/2) log 2) / 2
    expected = (math.log(4 / 3) + 0.5 * math.log(2 / 3) + 0.5 * math.log(2)) / 2
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == pytest.approx(expected)


def inputs(gen, ref):
    return MetricInputs(n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, requested=("ndb",))


def test_preset_refuses_more_bins_than_reference_samples():
    centres = np.random.default_rng(7).normal(0, 2, (12, 8))
    with pytest.raises(GanbenchError, match="--ndb-bins"):
        METRICS.get("ndb").compute(inputs(blobs(50, 8, centres, 1), blobs(80, 8, centres, 2)), MetricConfig())
    config = MetricConfig(distribution=DistributionConfig(ndb_significance=1.5))
    with pytest.raises(GanbenchError, match="between 0 and 1"):
        METRICS.get("ndb").compute(inputs(blobs(50, 8, centres, 1), blobs(300, 8, centres, 2)), config)


def test_dropping_digit_classes_raises_ndb_and_js(mnist5k_pool):
    """mnist5k test digits against the train split (mnist-classifier features, 100 bins, the preset's defaults):
    with all classes about 5 bins differ by chance (0.05 K); missing classes empty their bins. The bins are built
    once for the three cases (what the preset computes per call)."""
    ref, _ = mnist5k_pool.mnist_features("train")
    settings = DistributionConfig()
    binned = reference_bins(ref, settings.ndb_bins, seed=settings.ndb_seed)
    ndb, js = [], []
    for case in mnist5k_pool.DROPPED:
        gen = mnist5k_pool.planted(case)
        shares = binned.shares_of(gen)
        ndb.append(int(different_bins(binned.shares, binned.n, shares, len(gen), settings.ndb_significance).sum()))
        js.append(js_divergence(binned.shares, shares))
    assert ndb[0] <= 12 and ndb[1] >= ndb[0] + 5 and ndb[2] >= ndb[1] + 20
    assert js[0] < js[1] < js[2]
