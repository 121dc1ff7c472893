"""Memorization metrics: ratio test, MiFID memorization distance, AuthPct and C_T on planted cases with known
answers (copies of training features vs fresh draws), through the pure functions and the registered presets;
the chunked neighbour search against brute force; the figure."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.exact_knn import cross_nearest
from ganbench.metrics.memorization import (
    authenticity,
    cosine_nearest,
    ct_test,
    mann_whitney_z,
    memorization_distance,
    ratio_test,
)
from ganbench.metrics.spec import METRICS, MetricInputs, metric_settings

DIM, CLUSTERS = 64, 20


def clusters(n: int, seed: int) -> np.ndarray:
    """Draws from one fixed mixture of 20 unit Gaussians in 64-d (centres fixed, draws by `seed`)."""
    centres = np.random.default_rng(123).standard_normal((CLUSTERS, DIM)) * 4
    rng = np.random.default_rng(seed)
    return (centres[rng.integers(0, CLUSTERS, n)] + rng.standard_normal((n, DIM))).astype(np.float32)


@pytest.fixture(scope="module")
def planted():
    """Training set, two independent held-out sets, and a copying generator (training rows + 1e-3 noise)."""
    train = clusters(2_000, 1)
    rng = np.random.default_rng(3)
    sources = rng.integers(0, len(train), 1_000)
    copies = (train[sources] + 1e-3 * rng.standard_normal((1_000, DIM))).astype(np.float32)
    return {
        "train": train,
        "heldout": clusters(1_000, 2),
        "fresh": clusters(1_000, 5),
        "copies": copies,
        "sources": sources,
    }


def score_all(gen, train, heldout) -> dict[str, float]:
    names = ("memorization", "authpct", "ct")
    inputs = MetricInputs(
        n_gen=len(gen), n_ref=len(train),
        gen_features=gen, ref_features=train, heldout_features=heldout, requested=names,
    )  # fmt: skip
    results = {}
    for name in names:
        spec = METRICS.get(name)
        assert spec.needs_given({"gen_features", "ref_features", "heldout_features"}) is not None
        values = spec.compute(inputs, MetricConfig())
        assert set(values) == set(spec.directions)
        results.update(values)
    return results


# -------------------------------------------------------------------- planted cases


def test_copying_generator_is_caught(planted):
    train, copies = planted["train"], planted["copies"]
    test = ratio_test(copies, train)
    assert test.memorized_fraction >= 0.9
    assert np.array_equal(test.nearest_index, planted["sources"])
    assert np.all(test.ratios < 0.01)
    assert memorization_distance(copies, train) < 1e-5
    assert authenticity(copies, train).authpct < 5
    assert ct_test(train, planted["heldout"], copies).score < -3

    scores = score_all(copies, train, planted["heldout"])
    assert scores["memorized_fraction"] >= 0.9
    assert scores["memorization_distance"] < 1e-5
    assert scores["authpct"] < 5
    assert scores["ct_score"] < -3


def test_fresh_samples_are_not_flagged(planted):
    train, fresh, heldout = planted["train"], planted["fresh"], planted["heldout"]
    test = ratio_test(fresh, train)
    assert test.memorized_fraction < 0.1
    assert memorization_distance(fresh, train) > 0.01
    assert authenticity(fresh, train).authpct > 50
    assert abs(ct_test(train, heldout, fresh).score) < 3

    scores = score_all(fresh, train, heldout)
    assert scores["memorized_fraction"] < 0.1
    assert scores["memorization_distance"] > 0.01
    assert scores["authpct"] > 50
    assert abs(scores["ct_score"]) < 3


def test_half_copies_in_between(planted):
    half = np.concatenate([planted["copies"][:500], planted["fresh"][:500]])
    scores = score_all(half, planted["train"], planted["heldout"])
    assert 0.45 <= scores["memorized_fraction"] <= 0.55
    assert scores["ct_score"] < -3
    assert 25 < scores["authpct"] < 55
    test = ratio_test(half, planted["train"])
    assert set(test.flagged_indices()) <= set(range(500))
    assert np.all(np.diff(test.ratios[test.flagged_indices()]) >= 0)  # most copy-like first


# -------------------------------------------------------------------- planted cases on real images (mnist5k)


@pytest.fixture(scope="module")
def mnist_pool():
    """mnist-classifier pool features of mnist5k: the train split, the test split cut in two (one half scored as
    generated, the other held out for C_T), and training images copied with +-2 grey levels of noise."""
    import torch

    from ganbench.data.base import DATASETS, DataConfig
    from ganbench.features.config import ExtractorConfig
    from ganbench.features.mnist_classifier import build_mnist_classifier

    train = DATASETS.get("mnist5k").load("train", DataConfig()).data
    test = DATASETS.get("mnist5k").load("test", DataConfig()).data
    rng = np.random.default_rng(0)
    sources = rng.integers(0, len(train), 500)
    noise = rng.integers(-2, 3, (500, *train.shape[1:]))
    copies = np.clip(train[sources].astype(np.int16) + noise, 0, 255).astype(np.uint8)
    extractor = build_mnist_classifier(ExtractorConfig())

    def pool(images):
        return extractor.extract(torch.as_tensor(images), ("pool",))["pool"].numpy().astype(np.float32)

    return {"train": pool(train), "real": pool(test[:500]), "heldout": pool(test[500:]), "copies": pool(copies)}


def test_copied_training_digits_are_flagged(mnist_pool):
    scores = score_all(mnist_pool["copies"], mnist_pool["train"], mnist_pool["heldout"])
    assert scores["memorized_fraction"] >= 0.9
    assert scores["ct_score"] < -3
    assert scores["authpct"] < 5


def test_held_out_real_digits_are_not_flagged(mnist_pool):
    scores = score_all(mnist_pool["real"], mnist_pool["train"], mnist_pool["heldout"])
    assert scores["memorized_fraction"] < 0.05
    assert abs(scores["ct_score"]) < 3
    assert scores["authpct"] > 40


def test_score_cli_reports_the_memorization_and_coverage_keys(tmp_path):
    """`ganbench score --json` on images of one digit copied from the training split: every key of the five
    presets is in the JSON, with the planted answers (copies flagged, one class covered)."""
    import json

    from ganbench.cli import main
    from ganbench.data.base import DATASETS, DataConfig

    train = DATASETS.get("mnist5k").load("train", DataConfig())
    np.savez(tmp_path / "sevens.npz", images=train.data[train.labels == 7][:200])
    out = tmp_path / "scores.json"
    args = ["score", "--samples", str(tmp_path / "sevens.npz"), "--dataset", "mnist5k", "--json", str(out)]
    args += ["--metrics", "memorization,authpct,ct,class_coverage", "--cache-dir", str(tmp_path / "cache"), "--quiet"]
    assert main(args) == 0
    metrics = json.loads(out.read_text())["metrics"]
    keys = {"memorized_fraction", "memorization_distance", "authpct", "ct_score", "classes_covered", "class_kl"}
    assert keys <= set(metrics)
    assert metrics["memorized_fraction"] == 1.0 and metrics["ct_score"] < -3
    assert metrics["classes_covered"] == 1


# -------------------------------------------------------------------- definitions on small cases


def test_ratio_definition():
    train = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]], dtype=np.float32)
    gen = np.array([[0.1, 0.0], [10.0, 10.0]], dtype=np.float32)
    test = ratio_test(gen, train, neighbours=2, threshold=1 / 3)
    # gen 0: d1 = 0.1 (train 0), then 0.9 (train 1) and sqrt(0.01 + 4) (train 2)
    expected = 0.1 / ((0.9 + np.sqrt(4.01)) / 2)
    assert test.ratios[0] == pytest.approx(expected, rel=1e-6)
    assert test.flagged.tolist() == [True, False]
    assert test.neighbours.indices[0].tolist() == [0, 1, 2]
    # a copy of a training point that is repeated: 0 / 0 reads as 0 (a copy)
    repeated = np.zeros((5, 2), dtype=np.float32)
    assert ratio_test(np.zeros((1, 2), np.float32), repeated, neighbours=3).ratios.tolist() == [0.0]


def test_authenticity_definition():
    train = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [12.0, 0.0]], dtype=np.float32)
    # nearest train 0 (its nearest other: 1.0): 0.5 < 1 -> not authentic; 1.5 > 1 -> authentic (train 0, at -1.5)
    # near train 2 (its nearest other: 2.0): 1.0 < 2 -> not authentic; an exact copy is never authentic
    gen = np.array([[0.5, 0.0], [-1.5, 0.0], [9.0, 0.0], [12.0, 0.0]], dtype=np.float32)
    result = authenticity(gen, train)
    assert result.authentic.tolist() == [False, True, False, False]
    assert result.authpct == pytest.approx(25.0)
    assert result.train_radius.tolist() == [1.0, 1.0, 2.0, 2.0]


def test_cosine_distance_uses_absolute_cosine_and_drops_zero_rows():
    train = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    gen = np.array([[-2.0, 0.0], [0.0, 0.0], [0.0, 3.0]], dtype=np.float32)
    result = cosine_nearest(gen, train)
    assert result.gen_rows.tolist() == [0, 2]  # the zero row is dropped
    assert result.indices.tolist() == [0, 2]  # indices into the training rows as passed
    assert result.distances[0] == pytest.approx(0.0, abs=1e-12)  # anti-parallel counts as a copy (|cos|)
    assert result.distances[1] == pytest.approx(1 - np.sqrt(0.5), rel=1e-9)
    assert result.mean == pytest.approx((1 - np.sqrt(0.5)) / 2)


def test_mann_whitney_z_matches_scipy_u():
    rng = np.random.default_rng(0)
    gen, heldout = rng.random(40), np.round(rng.random(70), 1)  # with ties
    u = mannwhitneyu(gen, heldout, alternative="less").statistic
    m, n = len(gen), len(heldout)
    assert mann_whitney_z(gen, heldout) == pytest.approx((u - (m * n / 2 - 0.5)) / np.sqrt(m * n * (m + n + 1) / 12))
    assert mann_whitney_z(np.zeros(30), np.ones(30)) < -6  # all generated closer: strongly negative


def test_ct_cells_and_fallbacks(planted):
    train, heldout, copies = planted["train"], planted["heldout"], planted["copies"]
    cells = ct_test(train, heldout, copies, cells=5)
    assert cells.partitioned and cells.used.sum() == 5
    assert cells.cell_weights.sum() == pytest.approx(1.0)
    assert cells.score == pytest.approx(np.sum(cells.cell_weights * cells.cell_z) / cells.cell_weights.sum())
    single = ct_test(train, heldout, copies, cells=1)
    assert not single.partitioned and single.score < cells.score < -3  # one big cell: larger samples, larger |Z|
    # 30 generated samples cannot fill any of 5 cells with more than 20: the single-cell test is used
    few = ct_test(train, heldout, copies[:30], cells=5)
    assert not few.partitioned and few.score < -3
    # deterministic for a fixed seed
    assert ct_test(train, heldout, copies, cells=5).score == cells.score


# -------------------------------------------------------------------- the chunked neighbour search


def brute_force(queries, reference, k):
    """Distances as knn.exact_distances rounds them (float64 squares, float32, correctly rounded sqrt)."""
    d2 = ((queries[:, None, :].astype(np.float64) - reference[None].astype(np.float64)) ** 2).sum(-1)
    d = np.sqrt(d2.astype(np.float32).astype(np.float64)).astype(np.float32)
    index = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, index, 1), index


@pytest.mark.parametrize("n,m,d,k", [(300, 400, 32, 5), (120, 100, 2048, 51), (100, 60, 8, 60), (50, 70, 16, 1)])
def test_cross_nearest_equals_brute_force(n, m, d, k):
    rng = np.random.default_rng(n + d)
    queries = np.maximum(rng.standard_normal((n, d)) + 3, 0).astype(np.float32)
    reference = np.maximum(rng.standard_normal((m, d)) + 3, 0).astype(np.float32)
    found = cross_nearest(queries, reference, k)
    distances, index = brute_force(queries, reference, k)
    assert np.array_equal(found.distances[:, 0], distances[:, 0])  # the nearest distance is exact
    assert np.array_equal(found.indices[:, 0], index[:, 0])
    np.testing.assert_allclose(found.distances, distances, rtol=1e-5)
    assert np.array_equal(np.sort(found.indices, 1), np.sort(index, 1))
    tiny_blocks = cross_nearest(queries, reference, k, block_bytes=4 * m * 3)
    assert np.array_equal(tiny_blocks.distances[:, 0], distances[:, 0])
    assert np.array_equal(tiny_blocks.indices[:, 0], index[:, 0])


def test_cross_nearest_with_lattice_ties_and_duplicates():
    rng = np.random.default_rng(7)
    reference = rng.integers(0, 3, (500, 3)).astype(np.float32)
    queries = np.concatenate([reference[:50], rng.integers(0, 3, (250, 3))]).astype(np.float32)
    found = cross_nearest(queries, reference, 10)
    distances, _ = brute_force(queries, reference, 10)
    assert np.array_equal(found.distances[:, 0], distances[:, 0])
    np.testing.assert_allclose(found.distances, distances, rtol=1e-5, atol=1e-6)
    assert np.all(found.distances[:50, 0] == 0)


# -------------------------------------------------------------------- presets: errors and settings


def test_presets_refuse_missing_inputs(planted):
    config = MetricConfig()
    no_heldout = MetricInputs(
        n_gen=10, n_ref=10, gen_features=planted["fresh"], ref_features=planted["train"]
    )
    with pytest.raises(GanbenchError, match="held-out"):
        METRICS.get("ct").compute(no_heldout, config)
    no_train = MetricInputs(n_gen=10, n_ref=0, gen_features=planted["fresh"])
    with pytest.raises(GanbenchError, match="training"):
        METRICS.get("memorization").compute(no_train, config)
    few = MetricInputs(
        n_gen=10, n_ref=30, gen_features=planted["fresh"], ref_features=planted["train"][:30]
    )
    with pytest.raises(GanbenchError, match="at least 51 training samples"):
        METRICS.get("memorization").compute(few, config)
    wrong_width = MetricInputs(
        n_gen=10, n_ref=30, gen_features=planted["fresh"][:, :8], ref_features=planted["train"]
    )
    with pytest.raises(GanbenchError, match="widths differ"):
        METRICS.get("authpct").compute(wrong_width, config)


def test_settings_name_what_they_change():
    settings = metric_settings(MetricConfig(), ("memorization", "ct"))
    assert settings["ratio_neighbours"] == 50 and settings["ratio_threshold"] == pytest.approx(1 / 3)
    assert settings["ct_cells"] == 5 and settings["ct_min_generated"] == 20
    assert metric_settings(MetricConfig(), ("authpct",)) == {}


# -------------------------------------------------------------------- the figure


def test_figure_of_flagged_samples(planted, tmp_path):
    from ganbench.report.plots.memorization import memorization_figure

    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, (len(planted["train"]), 1, 8, 8), dtype=np.uint8)
    half = np.concatenate([planted["copies"][:6], planted["fresh"][:6]])
    gen_images = np.concatenate(
        [train_images[planted["sources"][:6]], rng.integers(0, 256, (6, 1, 8, 8), dtype=np.uint8)]
    )
    path, test = memorization_figure(
        tmp_path / "memorized.png", half, planted["train"], gen_images, train_images, max_rows=4
    )
    assert path.is_file() and path.stat().st_size > 5_000
    assert test.flagged.tolist() == [True] * 6 + [False] * 6
    # nothing flagged: the lowest ratios are shown, in colour images too
    rgb = rng.integers(0, 256, (len(planted["train"]), 3, 8, 8), dtype=np.uint8)
    path, test = memorization_figure(tmp_path / "clean.png", planted["fresh"][:5], planted["train"], rgb[:5], rgb)
    assert path.is_file() and not test.flagged.any()


# -------------------------------------------------------------------- bounded memory (slow)

MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource
    import numpy as np
    from ganbench.metrics.config import MetricConfig
    from ganbench.metrics.spec import METRICS, MetricInputs

    n, d = 20_000, 2048
    rng = np.random.default_rng(0)
    train = rng.random((n, d), dtype=np.float32)
    gen = rng.random((n, d), dtype=np.float32)
    held = rng.random((n // 2, d), dtype=np.float32)
    names = ("pr", "dc", "memorization", "authpct", "ct")
    for name in names:
        METRICS.get(name)  # the presets' imports (torch, scipy, scikit-learn) before the baseline
    import sklearn.cluster  # noqa: F401
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    inputs = MetricInputs(n_gen=n, n_ref=n, gen_features=gen, ref_features=train,
                          heldout_features=held, requested=names)
    for name in names:
        METRICS.get(name).compute(inputs, MetricConfig())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((peak - before) / 1024, peak / 1024)
    """
)


@pytest.mark.slow
def test_memory_is_bounded_at_20k_by_20k():
    """Every k-NN preset together (one shared pass) at 20k generated vs 20k training x 2048 features (an
    N x M float32 matrix would be 1.6 GB) grows the peak RSS by well under 1.5 GB beyond the inputs, and the
    whole process (torch, the 400 MB of inputs) stays under 2 GB."""
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True, text=True, check=True)
    growth, peak = map(float, out.stdout.strip().splitlines()[-1].split())
    assert growth < 1_500
    assert peak < 2_048
