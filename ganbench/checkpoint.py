"""Checkpoints without pickle: tensors in one safetensors file, everything else in a JSON sidecar.

A checkpoint for step S of a run is checkpoints/step_{S:08d}.safetensors plus
checkpoints/step_{S:08d}.json. Both are written atomically, tensors first, so a
checkpoint exists exactly when its sidecar does, and the sidecar records the
sha256 of its tensor file. Tensor names are prefixed by what they belong to:
"generator.", "discriminator.", "ema.", "g_opt.", "d_opt.", "rng.", and for a family's extra networks
"extra.{name}." and "extra_opt.{name}.".
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ganbench.atomic import atomic_path, write_text_atomic
from ganbench.errors import GanbenchError
from ganbench.hashing import sha256_of

FORMAT_VERSION = 1
CHECKPOINT_DIR = "checkpoints"
_NAME = re.compile(r"^step_(\d{8})\.json$")


@dataclass
class Checkpoint:
    """A checkpoint read back: its sidecar `meta` and its `tensors` (on the CPU)."""

    path: Path
    meta: dict[str, Any]
    tensors: dict[str, torch.Tensor]

    def module_state(self, prefix: str) -> dict[str, torch.Tensor]:
        """The state dict saved under `prefix` ("generator", "discriminator" or "ema")."""
        head = prefix + "."
        return {k[len(head) :]: v for k, v in self.tensors.items() if k.startswith(head)}

    def optimizer_state(self, prefix: str) -> dict[str, Any]:
        """The optimizer state dict saved under `prefix`, rebuilt from tensors and sidecar."""
        layout = self.meta["optimizers"][prefix]
        state: dict[int, dict[str, Any]] = {}
        for index, entries in layout["state"].items():
            state[int(index)] = {
                name: self.tensors[f"{prefix}.{index}.{name}"] if value is None else value
                for name, value in entries.items()
            }
        return {"state": state, "param_groups": layout["param_groups"]}


def misfit(network_state: dict[str, torch.Tensor], tensors: dict[str, torch.Tensor]) -> str | None:
    """None when `tensors` (a checkpoint's, by name) have exactly the names and shapes of `network_state` (a
    network's state dict); else the first differing name in sorted order with both shapes, "absent" where one side
    lacks it."""
    expected = {key: tuple(value.shape) for key, value in network_state.items()}
    found = {key: tuple(value.shape) for key, value in tensors.items()}
    keys = sorted(key for key in expected.keys() | found.keys() if expected.get(key) != found.get(key))
    if not keys:
        return None
    return f"{keys[0]}: {expected.get(keys[0], 'absent')} in the network, {found.get(keys[0], 'absent')} in the tensors"


def module_tensors(prefix: str, module: nn.Module) -> dict[str, torch.Tensor]:
    """`module`'s state dict as CPU tensors named "{prefix}.{key}"."""
    return {f"{prefix}.{k}": v.detach().cpu().contiguous().clone() for k, v in module.state_dict().items()}


def optimizer_tensors(prefix: str, optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """An optimizer state split into tensors ("{prefix}.{param index}.{name}") and a JSON-able layout.

    In the layout a tensor entry is None (look it up in the tensors); plain numbers are stored inline.
    """
    full = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    state: dict[str, dict[str, Any]] = {}
    for index, entries in full["state"].items():
        state[str(index)] = {}
        for name, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.{index}.{name}"] = value.detach().cpu().contiguous().clone()
                state[str(index)][name] = None
            else:
                state[str(index)][name] = value
    return tensors, {"state": state, "param_groups": full["param_groups"]}


def global_rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The global RNG states (torch CPU and CUDA as tensors; python and numpy as JSON-able values)."""
    tensors = {"rng.torch_cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.torch_cuda.{i}"] = state
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return tensors, {
        "python": [version, list(internal), gauss],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
    }


#: The global RNG states as the RNGs take them: torch CPU, torch CUDA (one per device, None without CUDA), Python,
#: NumPy.
RawRngStates = tuple[torch.Tensor, list[torch.Tensor] | None, tuple, tuple]


def raw_rng_states(tensors: dict[str, torch.Tensor], values: dict[str, Any]) -> RawRngStates:
    """The states `global_rng_state` recorded (its tensors and JSON-able values), as the RNGs take them back."""
    cuda_keys = sorted(k for k in tensors if k.startswith("rng.torch_cuda."))
    cuda = [tensors[k] for k in cuda_keys] if cuda_keys and torch.cuda.is_available() else None
    version, internal, gauss = values["python"]
    kind, keys, pos, has_gauss, cached = values["numpy"]
    numpy = (kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached)
    return tensors["rng.torch_cpu"], cuda, (version, tuple(internal), gauss), numpy


def set_raw_rng_states(states: RawRngStates) -> None:
    """Put the global RNGs in `states`."""
    cpu, cuda, python, numpy = states
    torch.set_rng_state(cpu)
    if cuda is not None:
        torch.cuda.set_rng_state_all(cuda)
    random.setstate(python)
    np.random.set_state(numpy)


def restore_global_rng(checkpoint: Checkpoint) -> None:
    """Put the global RNGs back to the states `global_rng_state` saved."""
    set_raw_rng_states(raw_rng_states(checkpoint.tensors, checkpoint.meta["rng"]))


def checkpoint_path(run_dir: str | Path, step: int) -> Path:
    """Sidecar path of the checkpoint for `step` in `run_dir`."""
    return Path(run_dir) / CHECKPOINT_DIR / f"step_{step:08d}.json"


def save_checkpoint(run_dir: str | Path, step: int, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write tensors then sidecar atomically for `step`; returns the sidecar path."""
    sidecar = checkpoint_path(run_dir, step)
    tensor_file = sidecar.with_suffix(".safetensors")
    with atomic_path(tensor_file) as tmp:
        save_file(tensors, str(tmp))
        digest = sha256_of(tmp)
    record = {
        "format": FORMAT_VERSION,
        **meta,
        "step": step,
        "tensors_file": tensor_file.name,
        "tensors_sha256": digest,
    }
    write_text_atomic(sidecar, json.dumps(record, indent=1, sort_keys=True, default=_json_default))
    return sidecar


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a checkpoint sidecar")


def list_checkpoints(run_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, sidecar path) of every checkpoint in `run_dir`, oldest first."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return sorted(found)


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """Sidecar of the newest checkpoint in `run_dir`, or None."""
    found = list_checkpoints(run_dir)
    return found[-1][1] if found else None


def prune_checkpoints(run_dir: str | Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (sidecar first, so no sidecar ever lacks its tensors)."""
    for _, sidecar in list_checkpoints(run_dir)[:-keep]:
        sidecar.unlink(missing_ok=True)
        sidecar.with_suffix(".safetensors").unlink(missing_ok=True)


def resolve_checkpoint(path: str | Path) -> Path:
    """The sidecar for a run directory (its newest checkpoint), a sidecar, or a .safetensors file."""
    path = Path(path)
    if path.is_dir():
        found = latest_checkpoint(path)
        if found is None:
            raise GanbenchError(f"no checkpoint in {path}; train first or point at a step_*.json file")
        return found
    if path.suffix == ".safetensors":
        path = path.with_suffix(".json")
    if not path.is_file():
        raise GanbenchError(f"checkpoint {path} does not exist; give a run directory or a step_*.json file")
    return path


def read_checkpoint(path: str | Path, verify: bool = True) -> Checkpoint:
    """Read a checkpoint (see `resolve_checkpoint` for `path`) without pickle; `verify` checks the sha256."""
    sidecar = resolve_checkpoint(path)
    try:
        meta = json.loads(sidecar.read_text())
    except json.JSONDecodeError:
        raise GanbenchError(
            f"checkpoint sidecar {sidecar} is not valid JSON; it is damaged, use another checkpoint"
        ) from None
    if meta.get("format") != FORMAT_VERSION:
        raise GanbenchError(
            f"checkpoint {sidecar} has format {meta.get('format')}, expected {FORMAT_VERSION}; upgrade ganbench"
        )
    tensor_file = sidecar.parent / meta["tensors_file"]
    if not tensor_file.is_file():
        raise GanbenchError(f"checkpoint tensors {tensor_file} are missing; use another checkpoint of the run")
    if verify and sha256_of(tensor_file) != meta["tensors_sha256"]:
        raise GanbenchError(f"checkpoint tensors {tensor_file} do not match their recorded sha256; the file is damaged")
    return Checkpoint(sidecar, meta, load_file(str(tensor_file)))


def set_aside(sidecar: Path) -> list[Path]:
    """Rename a damaged checkpoint's files to `*.damaged` (never deleted: the user may want them); returns the new paths."""
    moved = []
    for path in (sidecar, sidecar.with_suffix(".safetensors")):
        if path.exists():
            target = path.with_name(path.name + ".damaged")
            path.replace(target)
            moved.append(target)
    return moved


def newest_good_checkpoint(run_dir: str | Path) -> Checkpoint | None:
    """The newest checkpoint of `run_dir` that reads back intact, or None when there is none.

    A damaged one (unreadable sidecar, missing or altered tensors) is set aside as `*.damaged` with a warning
    that says so, and the previous one is tried: a resumed run then goes on from the last good checkpoint.
    """
    for _, sidecar in reversed(list_checkpoints(run_dir)):
        try:
            return read_checkpoint(sidecar)
        except (GanbenchError, OSError, ValueError, KeyError) as error:
            moved = set_aside(sidecar)
            warnings.warn(
                f"checkpoint {sidecar} is damaged ({error}); set it aside as {', '.join(p.name for p in moved)} "
                "and resumed from the previous good checkpoint (or from the start if none)",
                stacklevel=2,
            )
    return None
