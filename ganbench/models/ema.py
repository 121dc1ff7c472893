"""An exponential moving average of generator weights (Yazici et al. 2019)."""

from __future__ import annotations

import copy

import torch
from torch import nn


class WeightAverage:
    """Holds `module`, a frozen eval-mode copy of a generator whose weights track the live ones.

    After each update: ema = decay * ema + (1 - decay) * live for parameters; buffers
    (batch-norm statistics) are copied as they are.
    """

    def __init__(self, generator: nn.Module, decay: float) -> None:
        self.decay = decay
        self.module = copy.deepcopy(generator).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, generator: nn.Module) -> None:
        """Move the average one step towards `generator`'s current weights."""
        ema_params = list(self.module.parameters())
        live_params = [p.detach() for p in generator.parameters()]
        torch._foreach_lerp_(ema_params, live_params, 1.0 - self.decay)
        for ema_buffer, buffer in zip(self.module.buffers(), generator.buffers(), strict=True):
            ema_buffer.copy_(buffer)
