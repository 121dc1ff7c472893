"""Reading the tensors of a TorchScript archive without running it.

Some published weights exist only as TorchScript files (OpenAI's CLIP checkpoints). `torch.jit.load` compiles
and runs the archive's code and is not safe for files from elsewhere (PyTorch's SECURITY.md: treat TorchScript
like executable code), and `torch.load(weights_only=True)` refuses TorchScript archives. This reader opens the
zip itself, unpickles `data.pkl` with an unpickler whose `find_class` resolves only an allow-list of globals to
inert stand-ins, reads each storage from `data/<key>` with its size checked, and never looks at `code/`.
Checking a pinned sha256 before reading stays the caller's first line of defence.
"""

from __future__ import annotations

import io
import pickle
import re
import zipfile
from collections import OrderedDict
from pathlib import Path

import torch

_STORAGE_DTYPES = {
    "FloatStorage": torch.float32,
    "DoubleStorage": torch.float64,
    "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16,
    "LongStorage": torch.int64,
    "IntStorage": torch.int32,
    "ShortStorage": torch.int16,
    "CharStorage": torch.int8,
    "ByteStorage": torch.uint8,
    "BoolStorage": torch.bool,
}
_LIST_BUILDERS = ("build_intlist", "build_doublelist", "build_boollist", "build_tensorlist")
#: a module's pickle holds names and references only; tensors live in their own entries
MAX_PICKLE_BYTES = 64 << 20
#: module attributes that are bookkeeping, not state
_SKIPPED_ATTRIBUTES = frozenset({"training", "_is_full_backward_hook"})


class TorchScriptReadError(ValueError):
    """The file is not a TorchScript module archive this reader understands (or it asks for something unsafe)."""


class ScriptObject:
    """An inert stand-in for a pickled TorchScript object: an attribute bag without methods."""

    qualified_name = "?"


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGE_DTYPES[name]


def _rebuild_tensor(storage, offset, size, stride, *_ignored):
    """Our own torch._utils._rebuild_tensor_v2: a bounds-checked strided copy out of a 1-D storage."""
    size, stride = tuple(size), tuple(stride)
    valid = (
        isinstance(storage, torch.Tensor)
        and storage.ndim == 1
        and isinstance(offset, int)
        and offset >= 0
        and len(size) == len(stride)
        and all(isinstance(v, int) and v >= 0 for v in size + stride)
    )
    if not valid:
        raise TorchScriptReadError("a tensor record is malformed")
    if 0 in size:
        return torch.empty(size, dtype=storage.dtype)
    if offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) >= storage.numel():
        raise TorchScriptReadError("a tensor runs past the end of its storage")
    return torch.as_strided(storage, size, stride, offset).clone()


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, root: str, max_tensor_bytes: int) -> None:
        super().__init__(io.BytesIO(data))
        self._archive, self._root, self._budget = archive, root, max_tensor_bytes
        self._storages: dict[str, torch.Tensor] = {}
        self._classes: dict[str, type] = {}

    def find_class(self, module: str, name: str):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if module == "torch.jit._pickle" and name in _LIST_BUILDERS:
            return lambda values, *_: list(values)
        if (module, name) == ("torch.jit._pickle", "restore_type_tag"):
            return lambda value, *_: value
        if (module == "__torch__" or module.startswith("__torch__.")) and re.fullmatch(r"[A-Za-z_]\w*", name):
            qualified = f"{module}.{name}"
            if qualified not in self._classes:  # a fresh method-less class per name: BUILD only fills __dict__
                self._classes[qualified] = type(name, (ScriptObject,), {"qualified_name": qualified})
            return self._classes[qualified]
        raise TorchScriptReadError(f"the archive names {module}.{name}, which a weights-only read does not allow")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise TorchScriptReadError(f"unexpected persistent id {pid!r}")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str) or not key.isdigit():
            raise TorchScriptReadError(f"unexpected storage reference {pid!r}")
        if key not in self._storages:
            try:
                info = self._archive.getinfo(f"{self._root}/data/{key}")
            except KeyError:
                raise TorchScriptReadError(f"storage {key} is missing from the archive") from None
            itemsize = torch.empty((), dtype=storage_type.dtype).element_size()
            if not isinstance(numel, int) or numel < 0 or info.file_size != numel * itemsize:
                raise TorchScriptReadError(f"storage {key} holds {info.file_size} bytes, not {numel} elements")
            self._budget -= info.file_size
            if self._budget < 0:
                raise TorchScriptReadError("the archive holds more tensor data than the caller allows")
            raw = bytearray(self._archive.read(info))
            self._storages[key] = (
                torch.frombuffer(raw, dtype=storage_type.dtype) if raw else torch.empty(0, dtype=storage_type.dtype)
            )
        storage = self._storages[key]
        if storage.dtype != storage_type.dtype:
            raise TorchScriptReadError(f"storage {key} is used with two dtypes")
        return storage


def _collect(obj: ScriptObject, prefix: str, out: dict[str, torch.Tensor], depth: int = 0) -> None:
    if depth > 64:
        raise TorchScriptReadError("the module tree is too deep")
    for attribute, value in vars(obj).items():
        if attribute in _SKIPPED_ATTRIBUTES:
            continue
        if isinstance(value, torch.Tensor):
            out[prefix + attribute] = value
        elif isinstance(value, ScriptObject):
            _collect(value, f"{prefix}{attribute}.", out, depth + 1)


def read_torchscript_tensors(path: str | Path, max_tensor_bytes: int = 4 << 30) -> dict[str, torch.Tensor]:
    """Every tensor attribute of a TorchScript module archive, named as `ScriptModule.state_dict()` names them
    ("visual.conv1.weight"), in the archive's dtypes. Nothing in the archive is compiled, run or imported.

    Raises TorchScriptReadError for anything that is not such an archive, or that holds more than
    `max_tensor_bytes` of tensor data.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [name for name in archive.namelist() if re.fullmatch(r"[^/]+/data\.pkl", name)]
            if len(pickles) != 1:
                raise TorchScriptReadError(f"{path} is not a TorchScript archive (no single <root>/data.pkl)")
            info = archive.getinfo(pickles[0])
            if info.file_size > MAX_PICKLE_BYTES:
                raise TorchScriptReadError(f"{path}: data.pkl is {info.file_size} bytes, too large for a module")
            root = pickles[0].split("/", 1)[0]
            unpickler = _RestrictedUnpickler(archive.read(info), archive, root, max_tensor_bytes)
            try:
                module = unpickler.load()
            except (pickle.UnpicklingError, EOFError, TypeError, AttributeError, KeyError, IndexError) as error:
                raise TorchScriptReadError(f"{path}: cannot read data.pkl ({type(error).__name__}: {error})") from None
    except zipfile.BadZipFile:
        raise TorchScriptReadError(f"{path} is not a zip archive, so not a TorchScript file") from None
    if not isinstance(module, ScriptObject):
        raise TorchScriptReadError(f"{path}: data.pkl does not hold a module")
    tensors: dict[str, torch.Tensor] = {}
    _collect(module, "", tensors)
    return tensors
