"""--inception-resize clean: clean-fid's resize (checked against clean-fid's own make_resizer), fed to the same
InceptionV3, recorded in the fingerprint, and the FID difference it makes on the same images."""

import numpy as np
import pytest
import torch
from cleanfid.resize import make_resizer

from ganbench.cli import build_parser
from ganbench.cli.options import extractor_config
from ganbench.features.base import EXTRACTORS
from ganbench.features.config import ExtractorConfig
from ganbench.features.pil_resize import clean_resize
from ganbench.metrics.frechet import frechet_distance


@pytest.mark.parametrize("channels, size", [(3, 32), (1, 28), (3, 64)])
def test_clean_resize_equals_clean_fid(channels, size):
    images = np.random.default_rng(size).integers(0, 256, (2, channels, size, size), dtype=np.uint8)
    resizer = make_resizer("PIL", False, "bicubic", (299, 299))
    ours = clean_resize(torch.from_numpy(images), 299).numpy()
    for image, resized in zip(images, ours, strict=True):
        rgb = np.repeat(image, 3, axis=0) if channels == 1 else image  # clean-fid reads images as RGB
        theirs = resizer(np.ascontiguousarray(rgb.transpose(1, 2, 0)))
        np.testing.assert_array_equal(resized, theirs.transpose(2, 0, 1))


@pytest.fixture(scope="module")
def extractors(random_inception_weights):
    build = EXTRACTORS.get("inception-v3-compat")
    config = ExtractorConfig(weights_path=random_inception_weights, allow_custom_weights=True)
    return build(config), build(ExtractorConfig(**{**config.__dict__, "inception_resize": "clean"}))


def test_both_resizes_agree_at_299_and_differ_below(extractors, one_thread):
    """At 299x299 both resizes are the identity, so the features are the same bits; smaller images differ."""
    tf1, clean = extractors
    big = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (2, 3, 299, 299), dtype=np.uint8))
    torch.testing.assert_close(tf1.extract(big)["pool"], clean.extract(big)["pool"], rtol=0, atol=0)
    small = big[:, :1, :28, :28]
    assert not torch.equal(tf1.extract(small)["pool"], clean.extract(small)["pool"])
    assert "clean-fid clean resize" in clean.fingerprint()["preprocessing"]
    assert clean.fingerprint()["preprocessing"] != tf1.fingerprint()["preprocessing"]


def test_the_fid_difference_on_the_same_images(extractors, one_thread):
    """Two sets of 24 digit-like images: the FID between them under each resize (random weights: the size of
    the difference on real weights is in the README)."""
    tf1, clean = extractors
    rng = np.random.default_rng(1)
    a = torch.from_numpy((rng.random((24, 1, 28, 28)) < 0.2).astype(np.uint8) * 255)
    b = torch.from_numpy((rng.random((24, 1, 28, 28)) < 0.3).astype(np.uint8) * 255)

    def fid(extractor):
        fa, fb = (extractor.extract(x)["pool"].double().numpy() for x in (a, b))
        return frechet_distance(fa.mean(0), np.cov(fa, rowvar=False), fb.mean(0), np.cov(fb, rowvar=False))

    assert fid(tf1) > 0 and fid(clean) > 0 and fid(tf1) != pytest.approx(fid(clean), rel=1e-3)


def test_the_option_reaches_the_extractor_config():
    args = build_parser().parse_args(["score", "--samples", "x", "--dataset", "y", "--inception-resize", "clean"])
    assert extractor_config(args, "cpu").inception_resize == "clean"
    default = build_parser().parse_args(["score", "--samples", "x", "--dataset", "y"])
    assert extractor_config(default, "cpu").inception_resize == "tf1-bilinear"
