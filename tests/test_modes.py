"""Mode counting (ring8, grid25, stacked MNIST) and class coverage: planted cases with known answers,
through the pure functions and through the registered presets."""

import math

import numpy as np
import pytest
import torch

from ganbench.data.base import DATASETS, DataConfig
from ganbench.data.synthetic import sample_mixture
from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.modes import (
    class_coverage,
    count_label_modes,
    count_point_modes,
    kl_from_uniform,
    stacked_mnist_modes,
)
from ganbench.metrics.spec import METRICS, MetricInputs, metric_settings

N_PROTOCOL = 2_500  # the VEEGAN / PacGAN generated-sample count of ring8 and grid25


def inputs(**fields) -> MetricInputs:
    return MetricInputs(n_gen=0, n_ref=0, **fields)


def score(metric: str, **fields) -> dict[str, float]:
    return METRICS.get(metric).compute(inputs(**fields), MetricConfig())


def dataset_info(name):
    return DATASETS.get(name).info


def points_from(name: str, modes_used, n=N_PROTOCOL, seed=0) -> np.ndarray:
    info = dataset_info(name)
    return sample_mixture(info.modes[list(modes_used)], info.mode_std, n, np.random.default_rng(seed)).data


def score_points(name: str, points) -> dict[str, float]:
    info = dataset_info(name)
    return score("modes", gen_points=points, modes=info.modes, mode_std=info.mode_std)


# -------------------------------------------------------------------- KL to uniform


def test_kl_from_uniform_closed_forms():
    assert kl_from_uniform([5, 5, 5, 5]) == pytest.approx(0.0, abs=1e-15)
    assert kl_from_uniform([7, 0, 0, 0]) == pytest.approx(math.log(4))
    assert kl_from_uniform([1, 1, 0, 0]) == pytest.approx(math.log(2))  # empty bins stay finite
    assert kl_from_uniform([0, 0, 0]) == pytest.approx(math.log(3))  # nothing high quality: the supremum
    p = np.array([0.5, 0.25, 0.25])
    assert kl_from_uniform(p * 8) == pytest.approx(float(np.sum(p * np.log(p * 3))))


# -------------------------------------------------------------------- ring8 / grid25


def test_ring8_full_real_split_covers_all_8():
    real = DATASETS.get("ring8").load("test", DataConfig()).data[:N_PROTOCOL]
    result = score_points("ring8", real)
    assert result["modes_covered"] == 8
    assert result["high_quality_fraction"] > 0.97  # 1 - exp(-4.5) = 0.989 for real samples
    assert result["mode_kl"] < 0.01


def test_ring8_five_of_eight_modes():
    result = score_points("ring8", points_from("ring8", [0, 1, 2, 4, 6]))
    assert result["modes_covered"] == 5
    assert result["high_quality_fraction"] > 0.97
    assert result["mode_kl"] == pytest.approx(math.log(8 / 5), abs=0.01)


def test_points_far_from_modes_lower_high_quality_fraction():
    good = points_from("ring8", range(8))
    far = np.random.default_rng(1).uniform(-3, 3, (N_PROTOCOL, 2)).astype(np.float32)
    mixed = np.concatenate([good[: N_PROTOCOL // 2], far[: N_PROTOCOL // 2]])
    hq_good = score_points("ring8", good)["high_quality_fraction"]
    hq_mixed = score_points("ring8", mixed)["high_quality_fraction"]
    hq_far = score_points("ring8", far)["high_quality_fraction"]
    assert hq_good > 0.97
    assert 0.45 < hq_mixed < 0.55
    assert hq_far < 0.02
    # blurred modes: std 10x the data's, so few points lie within 3 data stds
    info = dataset_info("ring8")
    blurred = sample_mixture(info.modes, 10 * info.mode_std, N_PROTOCOL, np.random.default_rng(2)).data
    assert score_points("ring8", blurred)["high_quality_fraction"] < 0.1


def test_grid25_full_and_partial():
    real = DATASETS.get("grid25").load("test", DataConfig()).data[:N_PROTOCOL]
    full = score_points("grid25", real)
    assert full["modes_covered"] == 25 and full["high_quality_fraction"] > 0.97 and full["mode_kl"] < 0.02
    kept = [0, 3, 6, 7, 12, 13, 18, 19, 20, 24]
    partial = score_points("grid25", points_from("grid25", kept))
    assert partial["modes_covered"] == 10
    assert partial["high_quality_fraction"] > 0.97
    assert partial["mode_kl"] == pytest.approx(math.log(25 / 10), abs=0.02)


def test_min_count_and_per_sample_parts():
    modes = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = np.array([[0.01, 0.0], [0.0, 0.02], [10.0, 0.01], [5.0, 5.0], [np.nan, 0.0]])
    counts = count_point_modes(points, modes, mode_std=0.05)
    assert counts.modes_covered == 2
    assert counts.counts.tolist() == [2, 1, 0]
    assert counts.high_quality.tolist() == [True, True, True, False, False]
    assert counts.high_quality_fraction == pytest.approx(3 / 5)
    assert count_point_modes(points, modes, 0.05, min_count=2).modes_covered == 1
    # 3 stds exactly is still high quality; just beyond is not
    edge = count_point_modes(np.array([[0.15, 0.0], [0.1501, 0.0]]), modes, 0.05)
    assert edge.high_quality.tolist() == [True, False]


def test_modes_preset_refuses_missing_inputs():
    with pytest.raises(GanbenchError, match="known modes"):
        score("modes")
    with pytest.raises(GanbenchError, match="2-D points"):
        score("modes", gen_points=np.zeros((3, 3)), modes=np.zeros((2, 2)), mode_std=0.1)


# -------------------------------------------------------------------- stacked MNIST


def labels_for_modes(mode_ids, n, seed=0) -> np.ndarray:
    picks = np.random.default_rng(seed).permutation(np.arange(n) % len(mode_ids))
    modes = np.asarray(mode_ids)[picks]
    return np.stack([modes // 100, modes // 10 % 10, modes % 10], axis=1)


def test_stacked_mnist_30_modes():
    mode_ids = np.random.default_rng(3).choice(1000, 30, replace=False)
    labels = labels_for_modes(mode_ids, 2_600)
    result = score("modes", gen_channel_labels=labels)
    assert result["modes_covered"] == 30
    assert result["high_quality_fraction"] == 1.0
    assert result["mode_kl"] == pytest.approx(math.log(1000 / 30), abs=0.01)
    counts = stacked_mnist_modes(labels)
    assert set(np.flatnonzero(counts.counts)) == set(mode_ids.tolist())


def test_stacked_mnist_all_modes_and_mode_order():
    labels = labels_for_modes(np.arange(1000), 26_000)
    result = stacked_mnist_modes(labels)
    assert result.modes_covered == 1000 and result.mode_kl == pytest.approx(0.0, abs=1e-12)
    # R is the hundreds digit
    assert np.flatnonzero(stacked_mnist_modes(np.array([[3, 1, 4]])).counts).tolist() == [314]
    with pytest.raises(ValueError, match="0..9"):
        stacked_mnist_modes(np.array([[3, 1, 10]]))


def test_label_modes_min_count():
    result = count_label_modes(np.array([0, 0, 1, 2, 2, 2]), 4, min_count=2)
    assert result.modes_covered == 2 and result.counts.tolist() == [2, 1, 3, 0]


# -------------------------------------------------------------------- class coverage


def test_class_coverage_closed_forms():
    ref = np.repeat(np.arange(4), 25)
    uniform = class_coverage(np.repeat(np.arange(4), 10), ref)
    assert (
        uniform.classes_covered == 4
        and uniform.class_kl == pytest.approx(0.0, abs=1e-15)
        and uniform.covered_mass == 1.0
    )
    dropped = class_coverage(np.repeat([0, 1], 10), ref)  # two classes dropped: KL(gen || real) stays finite
    assert dropped.classes_covered == 2
    assert dropped.class_kl == pytest.approx(math.log(2))
    assert dropped.covered_mass == pytest.approx(0.5)
    # under the share threshold: 1 of 40 samples (2.5%) against a real share of 25%
    sparse = np.array([0] * 20 + [1] * 19 + [2])
    assert class_coverage(sparse, ref).classes_covered == 2
    assert class_coverage(sparse, ref, min_share_ratio=0.0).classes_covered == 3
    # logits: the argmax is the class
    logits = np.eye(4)[[0, 1, 1, 3]] * 5.0
    assert class_coverage(logits, ref).gen_counts.tolist() == [1, 2, 0, 1]
    # a class never seen in the reference makes KL(gen || real) infinite
    assert class_coverage(np.array([0, 3]), np.array([0, 1, 2]), num_classes=4).class_kl == math.inf


@pytest.fixture(scope="module")
def mnist_test_logits():
    """mnist5k test images (100 per class) through the shipped mnist-classifier, and the train labels."""
    from ganbench.features.config import ExtractorConfig
    from ganbench.features.mnist_classifier import build_mnist_classifier

    test = DATASETS.get("mnist5k").load("test", DataConfig())
    train_labels = DATASETS.get("mnist5k").load("train", DataConfig()).labels
    classifier = build_mnist_classifier(ExtractorConfig())
    logits = classifier.extract(torch.as_tensor(test.data), ("logits",))["logits"].numpy()
    return logits, test.labels, train_labels


@pytest.mark.parametrize("digit", [0, 4, 9])
def test_single_digit_generator_covers_one_class(mnist_test_logits, digit):
    logits, test_labels, train_labels = mnist_test_logits
    one_class = logits[test_labels == digit]
    result = score("class_coverage", gen_class_logits=one_class, ref_labels=train_labels, num_classes=10)
    assert result["classes_covered"] == 1
    assert result["class_kl"] > 2.0  # log(10) = 2.30 for a perfect one-class generator
    assert result["covered_mass"] == pytest.approx(0.1)


def test_real_test_images_cover_all_classes(mnist_test_logits):
    logits, _, train_labels = mnist_test_logits
    result = score("class_coverage", gen_class_logits=logits, ref_labels=train_labels, num_classes=10)
    assert result["classes_covered"] == 10
    assert result["class_kl"] < 0.01
    assert result["covered_mass"] == 1.0


def test_class_coverage_preset_refuses_missing_or_mismatched_inputs(mnist_test_logits):
    logits, _, train_labels = mnist_test_logits
    with pytest.raises(GanbenchError, match="labelled dataset"):
        score("class_coverage", gen_class_logits=logits)
    with pytest.raises(GanbenchError, match="11"):
        score("class_coverage", gen_class_logits=logits, ref_labels=train_labels, num_classes=11)


def test_protocol_records_the_mode_and_memorization_settings():
    settings = metric_settings(MetricConfig(), ("modes", "class_coverage", "memorization"))
    assert settings["mode_quality_stds"] == 3.0 and settings["mode_min_count"] == 1
    assert settings["class_min_share_ratio"] == 0.5 and settings["ratio_neighbours"] == 50
    assert metric_settings(MetricConfig(), ("fid",)) == {}
