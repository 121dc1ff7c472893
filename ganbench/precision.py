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
