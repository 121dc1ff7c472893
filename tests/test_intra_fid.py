"""Intra-class FID (StudioGAN's protocol) against pytorch-fid's `calculate_frechet_distance` per class, a planted
conditional generator that mislabels its classes (FID unchanged, intra-class FID up), and the labelled floor."""

import numpy as np
import pytest
from pytorch_fid.fid_score import calculate_frechet_distance

from ganbench.data.base import DataConfig
from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.intra_fid import intra_class_fid
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.real_floor import real_floor


def labelled(n, d, k, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).normal(0, 3, (k, d))
    labels = np.arange(n) % k
    return centres[labels] + shift + rng.normal(0, 1, (n, d)), labels


def test_equals_pytorch_fid_per_class_averaged():
    gen, gen_labels = labelled(600, 6, 4, 1, shift=0.3)
    ref, ref_labels = labelled(900, 6, 4, 2)
    mean, per_class = intra_class_fid(gen, gen_labels, ref, ref_labels, 4)
    expected = [
        calculate_frechet_distance(
            gen[gen_labels == c].mean(0), np.cov(gen[gen_labels == c], rowvar=False),
            ref[ref_labels == c].mean(0), np.cov(ref[ref_labels == c], rowvar=False),
        )
        for c in range(4)
    ]  # fmt: skip
    np.testing.assert_allclose(per_class, expected, rtol=1e-8)
    assert mean == pytest.approx(np.mean(expected), rel=1e-8)


def inputs(gen, codes, ref, ref_labels):
    return MetricInputs(
        n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, ref_labels=ref_labels, num_classes=4,
        gen_codes=codes, requested=("intra_fid",),
    )  # fmt: skip


def test_mislabelled_classes_keep_fid_and_raise_intra_fid():
    """The same samples with the class input shuffled between classes: one FID, a far larger intra-class FID
    (StudioGAN's ContraGAN case: FID 6.01, intra-class FID 119.63)."""
    gen, codes = labelled(800, 6, 4, 3)
    ref, ref_labels = labelled(800, 6, 4, 4)
    spec = METRICS.get("intra_fid")
    right = spec.compute(inputs(gen, codes, ref, ref_labels), MetricConfig())["intra_fid"]
    wrong = spec.compute(inputs(gen, (codes + 1) % 4, ref, ref_labels), MetricConfig())["intra_fid"]
    assert right < 0.5 and wrong > 50 * right


def test_nothing_without_a_class_input_and_a_sentence_for_too_few_samples():
    gen, codes = labelled(40, 6, 4, 5)
    ref, ref_labels = labelled(80, 6, 4, 6)
    assert METRICS.get("intra_fid").compute(inputs(gen, None, ref, ref_labels), MetricConfig()) == {}
    codes = np.where(codes == 3, 0, codes)
    codes[0] = 3  # one sample of class 3
    with pytest.raises(GanbenchError, match="class 3 has 1 generated"):
        METRICS.get("intra_fid").compute(inputs(gen, codes, ref, ref_labels), MetricConfig())
    with pytest.raises(GanbenchError, match="one class label in 0..3"):
        METRICS.get("intra_fid").compute(inputs(gen, codes + 4, ref, ref_labels), MetricConfig())


def test_labelled_floor_scores_the_held_out_labels_as_class_inputs(tmp_path):
    config = ScoreConfig(
        samples=None, metrics=("fid", "intra_fid"), dataset="digits", progress=False,
        data_config=DataConfig(cache_dir=str(tmp_path)), metric_config=MetricConfig(),
    )  # fmt: skip
    result = real_floor(config)
    assert result.metrics["intra_fid"] > result.metrics["fid"] > 0  # 36 per class: more small-sample bias


def test_gan_test_is_the_classifier_accuracy_on_the_class_inputs():
    """GAN-test counts a sample right when the classifier's arg-max is the class it was drawn with (no matching of
    codes to classes, unlike code_accuracy): a generator whose class k draws digit k + 1 scores 0 here."""
    logits = np.eye(4)[[0, 1, 2, 3, 1, 1]] * 5
    spec = METRICS.get("gan_test")
    given = MetricInputs(n_gen=6, n_ref=8, gen_class_logits=logits, ref_labels=np.arange(8) % 4, num_classes=4,
                         gen_codes=np.array([0, 1, 2, 3, 1, 2]), requested=("gan_test",))  # fmt: skip
    assert spec.compute(given, MetricConfig()) == {"gan_test_accuracy": pytest.approx(5 / 6)}
    given.gen_codes = (np.array([0, 1, 2, 3, 1, 1]) + 3) % 4
    assert spec.compute(given, MetricConfig()) == {"gan_test_accuracy": 0.0}
    given.gen_codes = None
    assert spec.compute(given, MetricConfig()) == {}
