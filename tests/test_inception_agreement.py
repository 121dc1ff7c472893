"""End to end against torch-fidelity with calibrated random InceptionV3 weights (the exact architecture).

The weights are random but calibrated, so different image sets get clearly
different features: the asserts below check FID is clearly positive and IS above 1,
otherwise agreement would prove nothing.
"""

import numpy as np
import pytest
import torch
import torch_fidelity

from ganbench.data.image_files import load_images
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.config import MetricConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.pipeline import score

KID_SUBSETS, KID_SUBSET_SIZE = 10, 16


class UInt8Images(torch.utils.data.Dataset):
    """The form torch-fidelity takes a dataset in: uint8 3 x H x W tensors."""

    def __init__(self, path):
        self.images = torch.from_numpy(load_images(path).data)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i]


def ganbench_score(image_sets, weights, batch_size=50, metrics=("fid", "is", "kid", "pr", "dc")):
    config = ScoreConfig(
        samples=image_sets["smooth"],
        ref_samples=image_sets["stripes"],
        metrics=metrics,
        batch_size=batch_size,
        extractor_config=ExtractorConfig(weights_path=weights, allow_custom_weights=True),
        metric_config=MetricConfig(kid_subsets=KID_SUBSETS, kid_subset_size=KID_SUBSET_SIZE, is_splits=4),
        progress=False,
    )
    with pytest.warns(UserWarning):  # custom weights, and fewer samples than dimensions
        return score(config)


@pytest.fixture(scope="module")
def ours(image_sets, random_inception_weights):
    return ganbench_score(image_sets, random_inception_weights)


@pytest.fixture(scope="module")
def reference(image_sets, random_inception_weights):
    return torch_fidelity.calculate_metrics(
        input1=UInt8Images(image_sets["smooth"]),
        input2=UInt8Images(image_sets["stripes"]),
        cuda=False,
        isc=True,
        fid=True,
        kid=True,
        feature_extractor_weights_path=random_inception_weights,
        kid_subsets=KID_SUBSETS,
        kid_subset_size=KID_SUBSET_SIZE,
        isc_splits=4,
        cache=False,
        verbose=False,
    )


def test_the_comparison_is_not_degenerate(ours):
    assert ours.metrics["fid"] > 1.0
    assert ours.metrics["is_mean"] > 1.2
    assert ours.metrics["kid_mean"] > 0


def test_fid_kid_is_match_torch_fidelity(ours, reference):
    assert ours.metrics["fid"] == pytest.approx(reference["frechet_inception_distance"], rel=1e-4)
    assert ours.metrics["kid_mean"] == pytest.approx(reference["kernel_inception_distance_mean"], rel=1e-4)
    assert ours.metrics["kid_std"] == pytest.approx(reference["kernel_inception_distance_std"], rel=1e-4)
    assert ours.metrics["is_mean"] == pytest.approx(reference["inception_score_mean"], rel=1e-3)
    assert ours.metrics["is_std"] == pytest.approx(reference["inception_score_std"], rel=1e-3, abs=1e-6)


def test_features_equal_torch_fidelity_extractor(image_sets, random_inception_weights):
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    images = torch.from_numpy(load_images(image_sets["smooth"]).data[:6])
    theirs = FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased"], random_inception_weights)
    pool, logits = theirs(images)
    mine = build_extractor("inception-v3-compat", ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True))
    features = mine.extract(images, ("pool", "logits"))
    torch.testing.assert_close(features["pool"], pool, rtol=0, atol=0)
    torch.testing.assert_close(features["logits"], logits, rtol=0, atol=0)
    assert pool.std(0).mean() > 1e-3  # images get different features


def test_grayscale_is_repeated_to_three_channels(random_inception_weights):
    extractor = build_extractor("inception-v3-compat", ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True))
    gray = torch.randint(0, 256, (2, 1, 16, 16), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(extractor.extract(gray)["pool"], extractor.extract(gray.repeat(1, 3, 1, 1))["pool"], rtol=0, atol=0)


def test_batch_size_does_not_change_metrics(image_sets, random_inception_weights, ours):
    other = ganbench_score(image_sets, random_inception_weights, batch_size=7)
    for key, value in ours.metrics.items():
        assert other.metrics[key] == pytest.approx(value, rel=1e-5, abs=1e-9), key


def test_precision_recall_density_coverage_equal_prdc_on_our_features(image_sets, random_inception_weights):
    import contextlib
    import io

    from prdc import compute_prdc

    from ganbench.metrics.manifold import manifold_scores

    extractor = build_extractor("inception-v3-compat", ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True))
    real = extractor.extract(torch.from_numpy(load_images(image_sets["stripes"]).data))["pool"].numpy()
    fake = extractor.extract(torch.from_numpy(load_images(image_sets["smooth2"]).data))["pool"].numpy()
    ours = manifold_scores(real, fake, pr_k=3, dc_k=3)
    with contextlib.redirect_stdout(io.StringIO()):
        ref = compute_prdc(real, fake, 3)
    assert ours.precision == ref["precision"] and ours.recall == ref["recall"] and ours.coverage == ref["coverage"]
    assert ours.density == pytest.approx(float(ref["density"]), abs=1e-12)


def test_same_distribution_scores_better_than_different(image_sets, random_inception_weights, ours):
    config = ScoreConfig(
        samples=image_sets["smooth2"],
        ref_samples=image_sets["smooth"],
        metrics=("fid",),
        extractor_config=ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True),
        progress=False,
    )
    with pytest.warns(UserWarning):
        same = score(config)
    assert same.metrics["fid"] < 0.5 * ours.metrics["fid"]
    assert np.isfinite(same.metrics["fid"])
