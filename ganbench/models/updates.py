"""Small pieces the hand-written train steps share (the families whose step is not `alternating_step`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


def optimize(optimizer: torch.optim.Optimizer, loss: torch.Tensor, *others: torch.optim.Optimizer) -> None:
    """One update of `optimizer`'s (and `others`') parameters down the gradient of `loss` (gradients cleared
    first)."""
    for opt in (optimizer, *others):
        opt.zero_grad(set_to_none=True)
    loss.backward()
    for opt in (optimizer, *others):
        opt.step()


@contextlib.contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """Gradients of `modules`' weights off inside the block (another network's update needs only the gradients
    through them), back on after."""
    for module in modules:
        module.requires_grad_(False)
    try:
        yield
    finally:
        for module in modules:
            module.requires_grad_(True)


def autocast(x: torch.Tensor, amp: bool) -> contextlib.AbstractContextManager:
    """bf16 autocast on `x`'s device when `amp` (the loop only asks for it on CUDA)."""
    return torch.autocast(x.device.type, torch.bfloat16, enabled=amp)
