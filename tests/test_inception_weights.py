"""InceptionV3 weights in NVIDIA's TorchScript layout and as safetensors (offline: calibrated random weights).

The files here are made from the calibrated random torch-fidelity weights with batch norm's gamma folded in (NVIDIA's
layout has no gamma), renamed to NVIDIA's layout: each must give exactly the features of the torch-fidelity file
holding the same folded weights. The real files are checked in tests/test_real_inception.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from support.nvidia_layout import gamma_folded, nvidia_tensors, write_safetensors, write_torchscript_archive
from support.random_inception import smooth_images
from test_cli_errors import assert_one_line_error

from ganbench.errors import GanbenchError
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception_weight_files import load_inception_weights

IMAGES = torch.from_numpy(smooth_images(3, 16, seed=5))


def rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest per-image relative L2 error of `a` against `b`."""
    return float(((a.double() - b.double()).norm(dim=1) / b.double().norm(dim=1)).max())


def inception(path, **kwargs):
    config = ExtractorConfig(weights_path=str(path), allow_custom_weights=True, **kwargs)
    with pytest.warns(UserWarning, match="not the published ones"):
        return build_extractor("inception-v3-compat", config)


@pytest.fixture(scope="module")
def random_state(random_inception_weights):
    return torch.load(random_inception_weights, weights_only=True)


@pytest.fixture(scope="module")
def torch_fidelity_features(random_state, tmp_path_factory):
    """Features of the gamma-folded weights as a torch-fidelity-named state dict file (torch.save)."""
    path = tmp_path_factory.mktemp("w") / "folded.pth"
    torch.save(gamma_folded(random_state), path)
    return inception(path).extract(IMAGES, ("pool", "logits"))


@pytest.fixture(scope="module")
def pool_only_file(random_state, tmp_path_factory):
    """fid-helper's layout: `net.layers.*`, no classifier."""
    return write_torchscript_archive(
        nvidia_tensors(random_state, "net.layers.", classifier=False), tmp_path_factory.mktemp("w") / "pool_only.pt"
    )


def test_nvidia_torchscript_file_gives_the_same_features_and_bias_free_logits(random_state, torch_fidelity_features, tmp_path):
    tensors = nvidia_tensors(random_state)
    path = write_torchscript_archive(tensors, tmp_path / "nvidia.pt")
    features = inception(path).extract(IMAGES, ("pool", "logits"))
    assert torch.equal(features["pool"], torch_fidelity_features["pool"])
    assert torch.equal(features["logits"], torch_fidelity_features["logits"])
    # the Inception Score's logits are bias-free, as stylegan2-ada's no_output_bias=True and torch-fidelity's logits_unbiased
    expected = features["pool"].double() @ tensors["output.weight"].double().T
    assert rel_error(features["logits"], expected) < 1e-6
    tensors["output.bias"] = tensors["output.bias"] + 5.0
    shifted = inception(write_torchscript_archive(tensors, tmp_path / "shifted.pt")).extract(IMAGES, ("logits",))
    assert torch.equal(shifted["logits"], features["logits"])


def test_safetensors_in_either_naming_give_the_same_features(random_state, torch_fidelity_features, tmp_path):
    folded = gamma_folded(random_state)
    same = inception(write_safetensors(folded, tmp_path / "fidelity.safetensors")).extract(IMAGES, ("pool", "logits"))
    assert torch.equal(same["pool"], torch_fidelity_features["pool"])
    assert torch.equal(same["logits"], torch_fidelity_features["logits"])
    nvidia = inception(write_safetensors(nvidia_tensors(random_state), tmp_path / "nvidia.safetensors"))
    assert torch.equal(nvidia.extract(IMAGES)["pool"], torch_fidelity_features["pool"])


def test_weights_without_classifier_give_pool_only(pool_only_file, torch_fidelity_features):
    extractor = inception(pool_only_file)
    assert extractor.output_dims == {"pool": 2048}
    assert torch.equal(extractor.extract(IMAGES)["pool"], torch_fidelity_features["pool"])
    with pytest.raises(ValueError, match="no classifier layer"):
        extractor.extract(IMAGES, ("pool", "logits"))
    state = load_inception_weights(pool_only_file).state_dict
    assert torch.isnan(state["fc.weight"]).all()  # never silently usable


def test_pool_only_weights_refuse_is_before_any_image_is_read(capsys, monkeypatch, tmp_path, pool_only_file):
    from ganbench.data.kinds import SAMPLE_KINDS

    np.savez(tmp_path / "a.npz", images=smooth_images(4, 16, seed=1))
    np.savez(tmp_path / "b.npz", images=smooth_images(4, 16, seed=2))

    def no_reading(*args, **kwargs):
        raise AssertionError("images were read before the metrics were checked")

    monkeypatch.setattr(type(SAMPLE_KINDS.get("image")), "read_samples", no_reading)
    monkeypatch.setattr("ganbench.scoring.reference.open_checked", no_reading)
    argv = ["score", "--samples", tmp_path / "a.npz", "--ref-samples", tmp_path / "b.npz", "--metrics", "fid,is",
            "--inception-weights", pool_only_file, "--allow-custom-weights", "--device", "cpu", "--quiet"]
    line = assert_one_line_error(capsys, argv, "is needs logits, but inception-v3-compat gives only pool features")
    assert "which has no classifier layer" in line and line.endswith("use --metrics authpct,birthday,c2st,dc,fd_inf,fid,intra_fid,kid,memorization,ndb,ppl,pr,prd,vendi")


def test_unknown_file_needs_allow_custom_weights(capsys, tmp_path, pool_only_file):
    np.savez(tmp_path / "a.npz", images=smooth_images(3, 8, seed=1))
    argv = ["score", "--samples", tmp_path / "a.npz", "--ref-samples", tmp_path / "a.npz", "--metrics", "fid",
            "--inception-weights", pool_only_file, "--device", "cpu", "--quiet"]
    line = assert_one_line_error(capsys, argv, "--allow-custom-weights")
    assert "NVIDIA's inception-2015-12-05.pt" in line and "default_1.pt" in line


@pytest.mark.parametrize(
    "damage, fragment",
    [
        (lambda t: t.pop("layers.mixed_10.tower_2_conv.var"), "holds ['beta', 'mean', 'weight']"),
        (lambda t: t.pop("layers.mixed_4.conv.weight"), "holds ['beta', 'mean', 'var']"),
        (lambda t: t.update({"layers.extra.weight": torch.zeros(1)}), "unexpected ['layers.extra']"),
        (lambda t: t.pop("output.bias"), "classifier is incomplete"),
        (lambda t: t.update({"output.weight": torch.zeros(1000, 2048)}), "not (1008, 2048)"),
        (lambda t: t.update({"layers.conv.beta": torch.zeros(31)}), "has shape (31,)"),
        (lambda t: t.update({"layers.conv.weight": torch.zeros(32, 3, 1, 3)}), "size mismatch"),
    ],
)
def test_damaged_nvidia_files_are_one_sentence(random_state, tmp_path, damage, fragment):
    tensors = nvidia_tensors(random_state)
    damage(tensors)
    path = write_safetensors(tensors, tmp_path / "damaged.safetensors")
    with pytest.raises(GanbenchError, match="does not fit InceptionV3") as error, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # custom weights
        build_extractor("inception-v3-compat", ExtractorConfig(weights_path=str(path), allow_custom_weights=True))
    assert fragment in str(error.value)
