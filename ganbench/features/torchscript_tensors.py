"""The tensors of a TorchScript module archive, read without compiling or running anything in it.

`torch.jit.load` compiles the archive's `code/` into a program that runs when the module is called, and
PyTorch says to treat a TorchScript file like executable code from its provider; `torch.load(weights_only=True)`
refuses TorchScript archives. Weights are all an extractor needs, so this reader opens the zip itself, ignores
`code/`, and unpickles `data.pkl` with an unpickler whose `find_class` resolves only a fixed allow-list to inert
stand-ins: module objects become plain attribute bags, tensors are rebuilt from `data/<key>` with bounds checks.
"""

from __future__ import annotations

import io
import pickle
import re
import zipfile
from collections import OrderedDict
from pathlib import Path

import torch

#: data.pkl of an InceptionV3 export is about 28 KB; anything this large is not a weights file.
MAX_PICKLE_BYTES = 16 << 20
#: InceptionV3 holds about 96 MB of float32 tensors.
MAX_TENSOR_BYTES = 1 << 30
MAX_MODULE_DEPTH = 64

STORAGE_DTYPES = {
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
#: attributes every TorchScript module carries that are not weights
NON_WEIGHT_ATTRIBUTES = frozenset({"training", "_is_full_backward_hook"})


class TorchScriptReadError(ValueError):
    """The file is not a TorchScript module archive this reader understands (the message says why)."""


class ScriptObject:
    """Inert stand-in for a pickled TorchScript object: an attribute bag with no methods of its own."""

    qualified_name = "?"

    def __repr__(self) -> str:
        return f"<ScriptObject {self.qualified_name}>"


class StorageType:
    """Stand-in for `torch.FloatStorage` etc. inside a persistent id: only its dtype is used."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = STORAGE_DTYPES[name]


def rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    """`torch._utils._rebuild_tensor_v2` with bounds checks: an owned copy of a strided view of a 1-D storage."""
    if not isinstance(storage, torch.Tensor) or storage.dim() != 1:
        raise TorchScriptReadError("a tensor refers to no storage")
    if not (isinstance(storage_offset, int) and storage_offset >= 0):
        raise TorchScriptReadError("a tensor has a bad storage offset")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or not all(isinstance(v, int) and v >= 0 for v in size + stride):
        raise TorchScriptReadError("a tensor has a bad size or stride")
    if any(n == 0 for n in size):
        return torch.empty(size, dtype=storage.dtype)
    last = storage_offset + sum((n - 1) * step for n, step in zip(size, stride, strict=True))
    if last >= storage.numel():
        raise TorchScriptReadError("a tensor runs past the end of its storage")
    return torch.as_strided(storage, size, stride, storage_offset).clone()


def rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    """`torch._utils._rebuild_parameter`: the tensor itself (no autograd state is needed for weights)."""
    if not isinstance(data, torch.Tensor):
        raise TorchScriptReadError("a parameter holds no tensor")
    return data


def as_list(values, *_ignored):
    """`torch.jit._pickle.build_*list`: the plain list."""
    return list(values)


def untagged(value, _type_name):
    """`torch.jit._pickle.restore_type_tag`: the value without its TorchScript type tag."""
    return value


ALLOWED_FUNCTIONS = {
    ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
    ("collections", "OrderedDict"): OrderedDict,
    ("torch.jit._pickle", "build_intlist"): as_list,
    ("torch.jit._pickle", "build_doublelist"): as_list,
    ("torch.jit._pickle", "build_boollist"): as_list,
    ("torch.jit._pickle", "build_tensorlist"): as_list,
    ("torch.jit._pickle", "restore_type_tag"): untagged,
}


def build_script_object(unpickler: pickle._Unpickler) -> None:
    """The BUILD opcode, for TorchScript objects only: their state is a dict of plain attribute names.

    The stock BUILD calls `__setstate__` on whatever is on the stack: on a rebuilt tensor that is
    `Tensor.set_(storage, offset, size, stride)`, a view (or a resize) past every byte-count check.
    """
    state = unpickler.stack.pop()
    target = unpickler.stack[-1]
    if not isinstance(target, ScriptObject):
        raise TorchScriptReadError(f"its data.pkl applies BUILD to a {type(target).__name__}, not a module")
    if not isinstance(state, dict) or not all(
        isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_]+", key) and not key.startswith("__")  # "0": a Sequential's child
        for key in state
    ):
        raise TorchScriptReadError("its data.pkl applies BUILD with a state that is not a dict of attribute names")
    vars(target).update(state)


class RestrictedUnpickler(pickle._Unpickler):
    """Unpickles a TorchScript `data.pkl`, resolving only ALLOWED_FUNCTIONS, storage types and `__torch__` classes
    (each to a fresh ScriptObject subclass); any other global is refused before it is imported, and BUILD only
    fills a ScriptObject's attributes. The pure-Python unpickler, because the C one's opcodes cannot be overridden
    (a weights pickle is a few dozen KB, so its speed does not matter)."""

    dispatch = {**pickle._Unpickler.dispatch, pickle.BUILD[0]: build_script_object}

    def __init__(self, data: bytes, archive: zipfile.ZipFile, root: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.root = root
        self.storages: dict[str, torch.Tensor] = {}
        self.bytes_read = 0
        self.classes: dict[str, type] = {}

    def find_class(self, module: str, name: str):
        if (module, name) in ALLOWED_FUNCTIONS:
            return ALLOWED_FUNCTIONS[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        if module == "__torch__" or module.startswith("__torch__."):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise TorchScriptReadError(f"odd class name {name!r}")
            qualified = f"{module}.{name}"
            if qualified not in self.classes:
                # no methods: NEWOBJ makes a bare instance and BUILD only fills its __dict__
                self.classes[qualified] = type(name, (ScriptObject,), {"qualified_name": qualified})
            return self.classes[qualified]
        raise TorchScriptReadError(f"it names {module}.{name}, which a weights file has no reason to")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise TorchScriptReadError(f"unexpected persistent id {pid!r:.80}")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, StorageType) or not isinstance(key, str) or not key.isdigit():
            raise TorchScriptReadError(f"unexpected storage reference {pid!r:.80}")
        if key not in self.storages:
            self.storages[key] = self.read_storage(key, storage_type.dtype, numel)
        storage = self.storages[key]
        if storage.dtype != storage_type.dtype:
            raise TorchScriptReadError(f"storage {key} is used with two dtypes")
        return storage

    def read_storage(self, key: str, dtype: torch.dtype, numel) -> torch.Tensor:
        try:
            info = self.archive.getinfo(f"{self.root}/data/{key}")
        except KeyError:
            raise TorchScriptReadError(f"storage {key} is missing from the archive") from None
        itemsize = torch.empty((), dtype=dtype).element_size()
        if not isinstance(numel, int) or numel < 0 or info.file_size != numel * itemsize:
            raise TorchScriptReadError(f"storage {key} holds {info.file_size} bytes for {numel} elements")
        self.bytes_read += info.file_size
        if self.bytes_read > MAX_TENSOR_BYTES:
            raise TorchScriptReadError(f"it holds more than {MAX_TENSOR_BYTES >> 20} MiB of tensors")
        raw = bytearray(self.archive.read(info))
        return torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)


def collect_tensors(obj: ScriptObject, prefix: str, out: dict[str, torch.Tensor], depth: int = 0) -> None:
    """Every tensor attribute under `obj`, named as `ScriptModule.state_dict()` names them."""
    if depth > MAX_MODULE_DEPTH:
        raise TorchScriptReadError(f"its module tree is deeper than {MAX_MODULE_DEPTH}")
    for attribute, value in vars(obj).items():
        if attribute in NON_WEIGHT_ATTRIBUTES:
            continue
        if isinstance(value, torch.Tensor):
            out[prefix + attribute] = value
        elif isinstance(value, ScriptObject):
            collect_tensors(value, f"{prefix}{attribute}.", out, depth + 1)


def is_torchscript_archive(path: str | Path) -> bool:
    """True when `path` is a zip laid out like a TorchScript module archive (a root folder with code/ and data.pkl)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    roots = {name.split("/", 1)[0] for name in names if re.fullmatch(r"[^/]+/data\.pkl", name)}
    return len(roots) == 1 and any(name.startswith(f"{next(iter(roots))}/code/") for name in names)


def read_torchscript_tensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Every tensor of the TorchScript module archive at `path`, by state-dict name (float32 etc. as stored).

    Never compiles or runs the archive's code and never imports anything the archive names; a file that is
    not such an archive, or names anything outside the allow-list, raises TorchScriptReadError.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise TorchScriptReadError(f"it is not a zip archive ({error})") from None
    with archive:
        pickles = [name for name in archive.namelist() if re.fullmatch(r"[^/]+/data\.pkl", name)]
        if len(pickles) != 1:
            raise TorchScriptReadError(f"it holds {len(pickles)} <root>/data.pkl entries, not one")
        info = archive.getinfo(pickles[0])
        if info.file_size > MAX_PICKLE_BYTES:
            raise TorchScriptReadError(f"its data.pkl is {info.file_size} bytes, too large for a weights file")
        unpickler = RestrictedUnpickler(archive.read(info), archive, pickles[0].split("/", 1)[0])
        try:
            root = unpickler.load()
        except TorchScriptReadError:
            raise
        except Exception as error:  # a malformed pickle can fail in many ways; all mean "not readable"
            raise TorchScriptReadError(f"its data.pkl cannot be read ({type(error).__name__}: {error})") from None
    if not isinstance(root, ScriptObject):
        raise TorchScriptReadError("its data.pkl does not hold a module")
    tensors: dict[str, torch.Tensor] = {}
    collect_tensors(root, "", tensors)
    return tensors
