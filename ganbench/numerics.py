"""Numerical-precision switches shared by extractors and metrics."""

from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def strict_float32():
    """Inside the block float32 matmuls and convolutions are true float32 (no TF32, no bf16 shortcuts)."""
    saved = (
        torch.backends.cuda.matmul.allow_tf32,
        torch.backends.cudnn.allow_tf32,
        torch.get_float32_matmul_precision(),
    )
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved[:2]
        torch.set_float32_matmul_precision(saved[2])


#: Extractor precision modes: "strict" matches the reference libraries; the others trade exactness for speed on GPUs.
PRECISION_MODES = ("strict", "tf32", "bf16")


@contextlib.contextmanager
def extractor_precision(mode: str, device: torch.device):
    """Run a feature network under `mode`.

    strict: true float32 (the published protocol). tf32: TensorFloat-32 matmuls and
    convolutions (CUDA Ampere or newer; plain float32 elsewhere). bf16: bfloat16
    autocast on `device`. Callers cast the outputs back to float32.
    """
    if mode == "strict":
        with strict_float32():
            yield
    elif mode == "tf32":
        saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
    elif mode == "bf16":
        with torch.autocast(device.type, dtype=torch.bfloat16):
            yield
    else:
        raise ValueError(f"unknown precision mode {mode!r}; expected one of {PRECISION_MODES}")
