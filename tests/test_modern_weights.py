"""Weights of the DINOv2 and CLIP extractors: first-use recording of DINOv2's unpublished checksum, OpenAI's pinned
sha256, one-sentence offline errors, and reading TorchScript tensors without running the archive."""

import pickle
import shutil
import warnings
import zipfile

import pytest
import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import build_extractor
from ganbench.features.clip import VIT_L14_336
from ganbench.features.config import ExtractorConfig
from ganbench.features.dinov2 import VARIANTS
from ganbench.features.torchscript_tensors import TorchScriptReadError, read_torchscript_tensors
from ganbench.features.weight_downloads import first_use_record
from ganbench.hashing import sha256_of

pytest.importorskip("timm")
pytest.importorskip("open_clip")


@pytest.fixture
def fake_download(monkeypatch):
    """torch.hub's downloader copying a local file instead (no network in tests); `calls` counts the downloads."""
    import torch.hub

    state = {"source": None, "calls": 0}

    def download(url, destination, progress=True):
        state["calls"] += 1
        if state["source"] is None:
            raise OSError("network is unreachable")
        shutil.copyfile(state["source"], destination)

    monkeypatch.setattr(torch.hub, "download_url_to_file", download)
    return state


def dinov2(cache, **fields):
    return build_extractor("dinov2-vit-s14", ExtractorConfig(cache_dir=str(cache), **fields))


def test_dinov2_records_the_sha256_of_its_first_download_and_holds_the_file_to_it(
    tmp_path, fake_download, dinov2_weights
):
    fake_download["source"] = dinov2_weights("dinov2-vit-s14")
    with pytest.warns(UserWarning, match="published without a checksum.*recorded the sha256"):
        first = dinov2(tmp_path)
    cached = tmp_path / "weights" / VARIANTS["dinov2-vit-s14"].filename
    assert first.weights_sha256 == sha256_of(cached) == first_use_record(cached).read_text().split()[0]
    assert VARIANTS["dinov2-vit-s14"].url in first_use_record(cached).read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second use is checked silently, and nothing is downloaded again
        assert dinov2(tmp_path).weights_sha256 == first.weights_sha256
    assert fake_download["calls"] == 1
    with open(cached, "r+b") as handle:  # the cached file changes behind ganbench's back
        handle.seek(100)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(GanbenchError, match="not the .* recorded when it was first downloaded; delete"):
        dinov2(tmp_path)


def test_dinov2_weights_passed_by_hand_must_match_the_recorded_download(tmp_path, fake_download, dinov2_weights):
    fake_download["source"] = dinov2_weights("dinov2-vit-s14")
    with pytest.warns(UserWarning):
        dinov2(tmp_path)
    other = tmp_path / "other.pth"
    state = torch.load(dinov2_weights("dinov2-vit-s14"), weights_only=True)
    state["norm.bias"] += 1
    torch.save(state, other)
    with pytest.raises(GanbenchError, match="pass that file, or --allow-custom-weights"):
        dinov2(tmp_path, weights_path=str(other))
    custom = dinov2(tmp_path, weights_path=str(other), allow_custom_weights=True)
    assert custom.weights_sha256 == sha256_of(other)


def test_dinov2_without_network_or_weights_names_the_file_and_where_to_get_it(tmp_path, fake_download):
    with pytest.raises(GanbenchError) as error:
        dinov2(tmp_path)
    message = str(error.value)
    assert "\n" not in message
    for part in (VARIANTS["dinov2-vit-s14"].url, "--extractor dinov2-vit-s14 --extractor-weights PATH", "GANBENCH_DINOV2_VIT_S14_WEIGHTS"):
        assert part in message
    assert not (tmp_path / "weights" / VARIANTS["dinov2-vit-s14"].filename).exists()  # nothing half-written


def test_dinov2_refuses_weights_of_another_size(tmp_path, dinov2_weights):
    with pytest.raises(GanbenchError, match="does not fit DINOv2 dinov2-vit-b14 .*dinov2_vitb14_pretrain.pth"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_extractor("dinov2-vit-b14", ExtractorConfig(weights_path=dinov2_weights("dinov2-vit-s14"), cache_dir=str(tmp_path)))


def test_clip_weights_are_held_to_openais_sha256(tmp_path, clip_weights, fake_download):
    weights = clip_weights("ViT-S-32")
    with pytest.raises(GanbenchError, match=f"not that of OpenAI's ViT-L-14-336px.pt \\({VIT_L14_336.sha256}\\)"):
        build_extractor("clip-vit-l14-336", ExtractorConfig(weights_path=weights, cache_dir=str(tmp_path)))
    with pytest.raises(GanbenchError) as error:  # offline, nothing cached
        build_extractor("clip-vit-l14-336", ExtractorConfig(cache_dir=str(tmp_path)))
    assert VIT_L14_336.url in str(error.value) and "--extractor-weights PATH" in str(error.value)
    junk = tmp_path / "junk.pt"
    junk.write_text("not a zip")
    with pytest.raises(GanbenchError, match="cannot read .* as a CLIP TorchScript checkpoint"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_extractor("clip-vit-l14-336", ExtractorConfig(weights_path=str(junk), allow_custom_weights=True))


def test_fast_precision_is_another_protocol(tmp_path, dinov2_weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strict = dinov2(tmp_path, weights_path=dinov2_weights("dinov2-vit-s14"))
        fast = dinov2(tmp_path, weights_path=dinov2_weights("dinov2-vit-s14"), precision="bf16")
    assert "FAST MODE bf16" in fast.fingerprint()["preprocessing"]
    assert "FAST MODE" not in strict.fingerprint()["preprocessing"]
    assert "PIL bicubic" in strict.fingerprint()["preprocessing"]


# ---------------------------------------------------------------- reading TorchScript tensors safely (the reader is
# issue 12's ganbench.features.torchscript_tensors, tested in full there; here: what the CLIP file needs)


class Holder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 4).half()
        self.stack = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.LayerNorm(2))
        self.register_buffer("counts", torch.arange(5))
        self.strided = torch.nn.Parameter(torch.randn(2, 6)[:, ::2])

    def forward(self, x):
        return self.stack(self.linear(x.half()).float())


def scripted(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.jit.save(torch.jit.script(Holder()), str(path))
        return torch.jit.load(str(path)).state_dict()


def test_torchscript_tensors_equal_what_jit_load_gives_float16_and_strided_too(tmp_path):
    expected = scripted(tmp_path / "module.pt")
    tensors = read_torchscript_tensors(tmp_path / "module.pt")
    assert list(tensors) == list(expected)
    for name, tensor in expected.items():
        assert tensors[name].dtype == tensor.dtype and torch.equal(tensors[name], tensor)


def rewrite_pickle(source, target, transform):
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for item in archive.infolist():
            data = archive.read(item)
            out.writestr(item, transform(data) if item.filename.endswith("/data.pkl") else data)


class Boom:
    def __reduce__(self):
        import os

        return os.system, ("touch PWNED",)


def test_torchscript_reader_refuses_code_in_the_pickle_without_running_it(tmp_path, monkeypatch):
    scripted(tmp_path / "module.pt")
    monkeypatch.chdir(tmp_path)
    rewrite_pickle(tmp_path / "module.pt", tmp_path / "evil.pt", lambda data: pickle.dumps(Boom(), protocol=2))
    with pytest.raises(TorchScriptReadError, match="has no reason to"):
        read_torchscript_tensors(tmp_path / "evil.pt")
    assert not (tmp_path / "PWNED").exists()
