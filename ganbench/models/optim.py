"""Optimizer factories: the paper's optimizer, with the fastest exact implementation for the device."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


def _impl(device: torch.device, fused_ok: bool) -> dict[str, bool]:
    # On CUDA one fused (or multi-tensor) kernel per step replaces a launch per parameter;
    # on CPU the default single-tensor path is kept so results match a plain PyTorch loop exactly.
    if device.type != "cuda":
        return {}
    return {"fused": True} if fused_ok else {"foreach": True}


def adam(
    params: Iterable[torch.nn.Parameter], lr: float, betas: tuple[float, float], device: torch.device
) -> torch.optim.Adam:
    """Adam for parameters living on `device` (fused on CUDA)."""
    return torch.optim.Adam(params, lr=lr, betas=betas, **_impl(device, fused_ok=True))


class TensorFlowAdam(torch.optim.Adam):
    """tf.train.AdamOptimizer's update (epsilon outside the bias correction): var -= lr sqrt(1 - b2^t) / (1 - b1^t)
    m / (sqrt(v) + epsilon). torch.optim.Adam adds its eps to sqrt(v) / sqrt(1 - b2^t), so before each step its
    eps is set to epsilon / sqrt(1 - b2^t), which is the TensorFlow update exactly (and restores from checkpoints
    like Adam, the rate being recomputed from the step count). Matters only for gradients near epsilon."""

    def __init__(self, params: Iterable[torch.nn.Parameter], epsilon: float = 1e-8, **kwargs) -> None:
        super().__init__(params, eps=epsilon, **kwargs)
        self.tf_epsilon = epsilon
        self._steps_done: int | None = None  # read from the state once (one device sync), then counted

    def load_state_dict(self, state_dict) -> None:
        super().load_state_dict(state_dict)
        self._steps_done = None

    @torch.no_grad()
    def step(self, closure=None):
        if self._steps_done is None:
            counts = [self.state[p]["step"] for g in self.param_groups for p in g["params"] if "step" in self.state[p]]
            self._steps_done = int(counts[0]) if counts else 0
        self._steps_done += 1
        for group in self.param_groups:
            group["eps"] = self.tf_epsilon / math.sqrt(1 - group["betas"][1] ** self._steps_done)
        return super().step(closure)


def tensorflow_adam(
    params: Iterable[torch.nn.Parameter], lr: float, betas: tuple[float, float], device: torch.device
) -> TensorFlowAdam:
    """TensorFlow's Adam (epsilon 1e-8, see TensorFlowAdam) for parameters living on `device` (fused on CUDA)."""
    return TensorFlowAdam(params, lr=lr, betas=betas, **_impl(device, fused_ok=True))


def adam_pair(generator: torch.nn.Module, discriminator: torch.nn.Module | None, config, device: torch.device):
    """Adam for both networks with the config's learning rates (lr_g, lr_d) and betas (beta1, beta2);
    no discriminator optimizer (None) when there is no discriminator."""
    betas = (config.beta1, config.beta2)
    return (
        adam(generator.parameters(), config.lr_g, betas, device),
        adam(discriminator.parameters(), config.lr_d, betas, device) if discriminator is not None else None,
    )


def adam_each(networks: dict[str, torch.nn.Module], config, device: torch.device) -> dict[str, torch.optim.Adam]:
    """One Adam per network, at the generator's learning rate (lr_g) and the config's betas."""
    betas = (config.beta1, config.beta2)
    return {name: adam(net.parameters(), config.lr_g, betas, device) for name, net in networks.items()}


def rmsprop(params: Iterable[torch.nn.Parameter], lr: float, device: torch.device) -> torch.optim.RMSprop:
    """RMSProp as in Arjovsky et al.'s code (PyTorch defaults otherwise; multi-tensor on CUDA)."""
    return torch.optim.RMSprop(params, lr=lr, **_impl(device, fused_ok=False))
