"""sFID's spatial features: guided-diffusion's evaluator reads TF's mixed_6/conv:0 (NHWC), keeps channels [..., :7]
and flattens. Its TF graph does not run here, so the checks are: the features are torch-fidelity's Mixed_6d.branch1x1
output (recomputed by running the network's layers by hand, on calibrated random weights), sliced and flattened in
NHWC order, and sfid is the FID maths on them. The real-weights value is in the README's floor table."""

import numpy as np
import pytest
import torch
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

from ganbench.features.base import EXTRACTORS
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.spec import METRICS, MetricInputs


def mixed_6_conv_by_hand(network, images):
    """torch-fidelity's forward up to Mixed_6c, then Mixed_6d's 1x1 branch: (N, 192, 17, 17)."""
    x = interpolate_bilinear_2d_like_tensorflow1x(images.float(), size=(299, 299), align_corners=False)
    x = (x - 128) / 128
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "MaxPool_1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                 "MaxPool_2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c"):  # fmt: skip
        x = getattr(network, name)(x)
    return network.Mixed_6d.branch1x1(x)


@pytest.fixture(scope="module")
def spatial(random_inception_weights):
    return EXTRACTORS.get("inception-v3-spatial")(
        ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True)
    )


def test_features_are_the_first_7_channels_of_mixed_6_conv_flattened_hwc(spatial, one_thread):
    images = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (3, 1, 28, 28), dtype=np.uint8))
    features = spatial.extract(images)["pool"]
    assert features.shape == (3, 2023)
    with torch.no_grad():
        by_hand = mixed_6_conv_by_hand(spatial.network, images.expand(-1, 3, -1, -1))
    assert by_hand.shape == (3, 192, 17, 17) and (by_hand >= 0).all()  # after the ReLU
    nhwc = by_hand.permute(0, 2, 3, 1)[..., :7].reshape(3, -1)  # the evaluator's spatial[..., :7], flattened
    torch.testing.assert_close(features, nhwc, rtol=0, atol=0)
    assert "mixed_6/conv" in spatial.fingerprint()["preprocessing"]
    assert spatial.fingerprint()["extractor"] == "inception-v3-spatial"


def test_sfid_is_the_frechet_distance_on_them_and_runs_on_its_own_extractor():
    spec = METRICS.get("sfid")
    assert spec.extractors == ("inception-v3-spatial",)
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, (50, 6)), rng.normal(0.5, 1, (60, 6))
    inputs = MetricInputs(n_gen=50, n_ref=60, gen_mean=a.mean(0), gen_cov=np.cov(a, rowvar=False),
                          ref_mean=b.mean(0), ref_cov=np.cov(b, rowvar=False), requested=("sfid",))  # fmt: skip
    assert spec.compute(inputs, None)["sfid"] == frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
