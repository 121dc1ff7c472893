"""Turning a device name from the command line into a torch device, checked the same way everywhere."""

from __future__ import annotations

import os
import platform

import torch

from ganbench.errors import GanbenchError


def resolve_device(name: str) -> torch.device:
    """`auto` -> cuda when a GPU is visible, else cpu; `cpu`, `cuda` and `cuda:N` as given.

    Asking for CUDA where none is visible, a GPU index that does not exist, or an unknown name is one
    GanbenchError that says what to pass instead.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name != "cpu" and not name.startswith("cuda"):
        raise GanbenchError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise GanbenchError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise GanbenchError(f"--device {name} was asked for but no CUDA device is visible; use --device cpu")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise GanbenchError(
                f"--device {name}: only {count} CUDA device(s) are visible (cuda:0 .. cuda:{count - 1})"
            )
    return device


def visible_gpus(name: str) -> list[int]:
    """The GPU indices a grid may use for device `name` ("auto"/"cuda": all visible; "cuda:N": that one; [] on CPU)."""
    device = resolve_device(name)
    if device.type != "cuda":
        return []
    return [device.index] if device.index is not None else list(range(torch.cuda.device_count()))


def machine_description() -> str:
    """One line naming this machine: CPU model and cores, and the visible GPUs (what published timings ran on)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    text = f"{cpu}, {os.cpu_count()} CPU cores"
    if torch.cuda.is_available():
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        text += f", GPU: {', '.join(gpus)}"
    return text
