"""PRD (Sajjadi et al. 2018) against the authors' prd_score.py (ported as tests/support/prd_reference.py: it is not
on PyPI), closed forms of the curve, and planted mode dropping on mnist5k."""

import numpy as np
import pytest
from support import prd_reference

from ganbench.errors import GanbenchError
from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.prd import f_beta, prd_from_features, prd_from_histograms
from ganbench.metrics.spec import METRICS, MetricInputs


def blobs(n, d, centres, seed):
    rng = np.random.default_rng(seed)
    return (centres[rng.integers(0, len(centres), n)] + rng.normal(0, 0.3, (n, d))).astype(np.float32)


@pytest.mark.parametrize("angles", [3, 101, 1001])
def test_curve_of_histograms_equals_the_reference(angles):
    rng = np.random.default_rng(angles)
    p, q = rng.dirichlet(np.ones(20)), rng.dirichlet(np.ones(20) * 0.3)
    ours = prd_from_histograms(q, p, angles)
    theirs = prd_reference.compute_prd(q, p, angles)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("shift, clusters", [(0.0, 20), (1.5, 20), (3.0, 7)])
def test_averaged_curve_and_f_scores_equal_the_reference_on_the_same_clusterings(shift, clusters):
    """Same features, same k-means seeds per run (the reference is unseeded), same mini-batch size."""
    centres = np.random.default_rng(5).normal(0, 3, (8, 16))
    ref = blobs(400, 16, centres, 1)
    gen = blobs(400, 16, centres[:6] + shift, 2)
    curve = prd_from_features(gen, ref, clusters=clusters, runs=4, seed=3)
    states = np.random.default_rng(3).integers(0, 2**31 - 1, size=4)
    precision, recall = prd_reference.compute_prd_from_embedding(gen, ref, states, num_clusters=clusters)
    np.testing.assert_allclose(curve.precision, precision, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curve.recall, recall, rtol=1e-12, atol=1e-15)
    f8, f1_8 = prd_reference.prd_to_max_f_beta_pair(precision, recall, 8)
    assert curve.max_f_beta(8) == pytest.approx(f8, rel=1e-12)
    assert curve.max_f_beta(1 / 8) == pytest.approx(f1_8, rel=1e-12)


def test_identical_histograms_reach_precision_and_recall_one():
    p = np.full(10, 0.1)
    precision, recall = prd_from_histograms(p, p, 1001)
    assert precision.max() == pytest.approx(1.0) and recall.max() == pytest.approx(1.0)
    assert f_beta(precision, recall, 8).max() == pytest.approx(1.0, abs=1e-9)


def test_a_model_covering_half_the_reference_has_recall_one_half_and_full_precision():
    """P uniform on 2 bins, Q all on the first: alpha(l) = min(l / 2, 1), beta = alpha / l, so max recall 1/2
    (l <= 2) and max precision 1 (l >= 2); both F maxima sit at l = 2, where p = 1 and r = 1/2."""
    precision, recall = prd_from_histograms(np.array([1.0, 0.0]), np.array([0.5, 0.5]), 100_001)
    assert recall.max() == pytest.approx(0.5) and precision.max() == pytest.approx(1.0)
    assert f_beta(precision, recall, 8).max() == pytest.approx(65 * 0.5 / (64 + 0.5), rel=1e-6)
    assert f_beta(precision, recall, 1 / 8).max() == pytest.approx((65 / 64) * 0.5 / (1 / 64 + 0.5), rel=1e-6)


def test_disjoint_histograms_score_zero():
    precision, recall = prd_from_histograms(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1001)
    assert precision.max() == 0 and recall.max() == 0


def test_curve_is_seeded_and_the_seed_matters():
    centres = np.random.default_rng(5).normal(0, 3, (8, 16))
    gen, ref = blobs(300, 16, centres, 1), blobs(300, 16, centres, 2)
    a, b = prd_from_features(gen, ref, runs=2, seed=0), prd_from_features(gen, ref, runs=2, seed=0)
    np.testing.assert_array_equal(a.precision, b.precision)
    assert not np.array_equal(a.precision, prd_from_features(gen, ref, runs=2, seed=1).precision)


def preset_inputs(gen, ref):
    return MetricInputs(n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, requested=("prd",))


def test_preset_subsamples_the_larger_side_and_refuses_too_few_rows():
    centres = np.random.default_rng(5).normal(0, 3, (8, 16))
    spec, config = METRICS.get("prd"), MetricConfig(distribution=DistributionConfig(prd_runs=2))
    values = spec.compute(preset_inputs(blobs(200, 16, centres, 1), blobs(900, 16, centres, 2)), config)
    assert set(values) == {"prd_f8", "prd_f1_8"} and min(values.values()) > 0.85
    with pytest.raises(GanbenchError, match="--prd-clusters"):
        spec.compute(preset_inputs(blobs(8, 16, centres, 1), blobs(900, 16, centres, 2)), config)


def test_dropping_digit_classes_lowers_f8_and_keeps_f1_8(mnist5k_pool):
    """mnist5k test digits (mnist-classifier features) against the train split: F_8 (recall-like) falls as
    classes go missing, F_1/8 (precision-like) stays near 1, since every sample still looks like a real digit."""
    ref, _ = mnist5k_pool.mnist_features("train")
    spec, config = METRICS.get("prd"), MetricConfig()
    scores = {case: spec.compute(preset_inputs(mnist5k_pool.planted(case), ref), config) for case in mnist5k_pool.DROPPED}
    f8 = [scores[case]["prd_f8"] for case in ("all classes", "1 dropped", "5 dropped")]
    assert f8[0] > 0.95 and f8[0] - f8[1] > 0.05 and f8[1] - f8[2] > 0.2
    assert 0.4 < f8[2] < 0.6  # half the classes: recall about one half
    assert min(scores[case]["prd_f1_8"] for case in scores) > 0.93


def test_figure_draws_one_line_per_model_with_a_band_for_several_seeds(tmp_path):
    from ganbench.report.plots.prd import plot_prd_curves, precision_at

    centres = np.random.default_rng(5).normal(0, 3, (8, 16))
    ref = blobs(200, 16, centres, 0)
    good = [prd_from_features(blobs(200, 16, centres, s), ref, runs=2, seed=s) for s in (1, 2)]
    dropped = [prd_from_features(blobs(200, 16, centres[:4], 3), ref, runs=2)]
    # the band reads the curve's own points where recall falls, the top of the segment at the largest recall
    curve = good[0]
    falling = np.flatnonzero(curve.recall < curve.recall.max() - 1e-9)[::40]
    np.testing.assert_array_equal(precision_at(curve, curve.recall[falling]), curve.precision[falling])
    top = curve.recall > curve.recall.max() - 1e-9
    assert precision_at(curve, curve.recall.max() - 1e-9) == curve.precision[top].max()
    assert precision_at(curve, curve.recall.max() + 1e-6) == 0
    paths = plot_prd_curves({"good": good, "half the modes": dropped}, tmp_path, ("svg",))
    svg = paths[0].read_text()
    assert paths == [tmp_path / "prd_curves.svg"]
    assert "good (2 seeds)" in svg and "half the modes (1 seed)" in svg
    again = plot_prd_curves({"good": good, "half the modes": dropped}, tmp_path / "again", ("svg",))
    assert again[0].read_bytes() == paths[0].read_bytes()
    with pytest.raises(ValueError, match="at least one curve"):
        plot_prd_curves({"empty": []}, tmp_path)
