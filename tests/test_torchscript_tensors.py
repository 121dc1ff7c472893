"""The TorchScript weights reader never runs what an archive holds: no pickled callables, no compiled code."""

from __future__ import annotations

import os
import pickle
import sys
import types
import warnings
import zipfile

import pytest
import torch
from support.nvidia_layout import write_torchscript_archive
from test_cli_errors import assert_one_line_error

from ganbench.features.torchscript_tensors import (
    TorchScriptReadError,
    is_torchscript_archive,
    read_torchscript_tensors,
    rebuild_tensor,
)

TENSORS = {"layers.conv.weight": torch.arange(6.0).view(2, 3), "layers.conv.beta": torch.tensor([1.0, -2.0])}


def rewritten(path, replace: dict[str, bytes], out):
    """A copy of the zip at `path` with some members' bytes replaced (members ending with a key of `replace`)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = next((new for suffix, new in replace.items() if info.filename.endswith(suffix)), None)
            target.writestr(info, source.read(info) if data is None else data)
    return out


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class Exec:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


@pytest.fixture
def archive(tmp_path):
    return write_torchscript_archive(TENSORS, tmp_path / "small.pt")


def test_reads_exactly_the_state_dict(archive):
    tensors = read_torchscript_tensors(archive)
    assert list(tensors) == list(TENSORS)
    assert all(torch.equal(tensors[name], TENSORS[name]) for name in TENSORS)


@pytest.mark.parametrize("payload", [RunsACommand, Exec])
def test_pickled_callables_are_refused_and_never_run(archive, tmp_path, capsys, payload):
    marker = tmp_path / "ran"
    evil = rewritten(archive, {"/data.pkl": pickle.dumps(payload(marker), protocol=2)}, tmp_path / "evil.pt")
    assert is_torchscript_archive(evil)
    with pytest.raises(TorchScriptReadError, match="which a weights file has no reason to"):
        read_torchscript_tensors(evil)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        line = assert_one_line_error(
            capsys,
            ["features", "--samples", archive, "--out", tmp_path / "f.npy", "--inception-weights", evil, "--allow-custom-weights"],
            "cannot load InceptionV3 weights",
        )
    assert "system" in line or "exec" in line
    assert not marker.exists()


def test_code_in_the_archive_is_never_compiled(archive, tmp_path):
    """Garbage in code/ breaks torch.jit.load, which compiles it; the reader does not even look at it."""
    broken = rewritten(archive, {".py": b"this is not python"}, tmp_path / "broken.pt")
    with pytest.raises(Exception), warnings.catch_warnings():  # noqa: B017  (torch raises various types)
        warnings.simplefilter("ignore")
        torch.jit.load(str(broken))
    assert all(torch.equal(read_torchscript_tensors(broken)[name], TENSORS[name]) for name in TENSORS)


def test_truncated_storage_is_refused(archive, tmp_path):
    short = rewritten(archive, {"/data/0": b"\0" * 4}, tmp_path / "short.pt")
    with pytest.raises(TorchScriptReadError, match="holds 4 bytes for"):
        read_torchscript_tensors(short)


def test_views_past_their_storage_are_refused():
    storage = torch.zeros(6)
    assert torch.equal(rebuild_tensor(storage, 0, (2, 3), (3, 1)), torch.zeros(2, 3))
    with pytest.raises(TorchScriptReadError, match="runs past the end"):
        rebuild_tensor(storage, 1, (2, 3), (3, 1))
    with pytest.raises(TorchScriptReadError, match="bad size or stride"):
        rebuild_tensor(storage, 0, (2, -3), (3, 1))


def test_a_module_that_contains_itself_is_refused(archive, tmp_path, monkeypatch):
    module = types.ModuleType("__torch__.loop")
    monkeypatch.setitem(sys.modules, "__torch__", types.ModuleType("__torch__"))
    monkeypatch.setitem(sys.modules, "__torch__.loop", module)
    node = type("Node", (), {"__module__": "__torch__.loop"})
    module.Node = node
    root = node()
    root.child = root
    looped = rewritten(archive, {"/data.pkl": pickle.dumps(root, protocol=2)}, tmp_path / "loop.pt")
    with pytest.raises(TorchScriptReadError, match="deeper than"):
        read_torchscript_tensors(looped)


def test_plain_state_dicts_and_junk_are_not_taken_for_torchscript(tmp_path):
    torch.save(TENSORS, tmp_path / "state.pth")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    assert not is_torchscript_archive(tmp_path / "state.pth")
    assert not is_torchscript_archive(tmp_path / "junk.pt")
    with pytest.raises(TorchScriptReadError, match="not a zip archive"):
        read_torchscript_tensors(tmp_path / "junk.pt")


def with_build_after_first_tensor(data: bytes, state: bytes) -> bytes:
    """`data` (a data.pkl) with `state` pushed and BUILD applied to the first rebuilt tensor, right after its REDUCE."""
    reduce = data.index(b"R", data.index(b"_rebuild_tensor_v2"))  # the OrderedDict's REDUCE
    reduce = data.index(b"R", reduce + 1)  # the tensor's
    after = reduce + 3 if data[reduce + 1 : reduce + 2] == b"q" else reduce + 1  # past its BINPUT
    return data[:after] + state + b"b" + data[after:]


def test_build_on_a_rebuilt_tensor_is_refused(archive, tmp_path):
    """Tensor.__setstate__ with a 4-tuple calls set_(storage, offset, size, stride): a view past the checked bytes
    (the tensor's own resizable storage grows to any size asked). Only TorchScript objects may be BUILT."""
    import struct

    with zipfile.ZipFile(archive) as source:
        name = next(n for n in source.namelist() if n.endswith("/data.pkl"))
        data = source.read(name)
    tensor_memo = data[data.index(b"R", data.index(b"R", data.index(b"_rebuild_tensor_v2")) + 1) + 2]
    size = b"(J" + struct.pack("<i", 1 << 20) + b"t"
    state = b"(h" + bytes([tensor_memo]) + b"K\x00" + size + b"(K\x01tt"
    evil = rewritten(archive, {"/data.pkl": with_build_after_first_tensor(data, state)}, tmp_path / "build.pt")
    with pytest.raises(TorchScriptReadError, match="BUILD"):
        read_torchscript_tensors(evil)


def test_build_with_dunder_state_on_a_module_is_refused(archive, tmp_path):
    """A module's state is a dict of attribute names; a `__dict__`/`__setstate__` key is not an attribute."""
    with zipfile.ZipFile(archive) as source:
        name = next(n for n in source.namelist() if n.endswith("/data.pkl"))
        data = source.read(name)
    hijack = data.replace(b"X\x08\x00\x00\x00training", b"X\x0c\x00\x00\x00__setstate__", 1)
    assert hijack != data
    evil = rewritten(archive, {"/data.pkl": hijack}, tmp_path / "dunder.pt")
    with pytest.raises(TorchScriptReadError, match="BUILD"):
        read_torchscript_tensors(evil)
