"""The GPU fast path: backend flags and torch.compile of the networks, with a clean fallback to eager.

Nothing here runs on the CPU; there, training uses the eager modules exactly as built.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Iterator

import torch
from torch import nn

from ganbench.models.base import Family, ModelConfig
from ganbench.models.step import GanModules


def configure_backends(device: torch.device, deterministic: bool) -> None:
    """On CUDA without determinism: TF32 matmuls/convs and cuDNN autotuning (both change low-order bits)."""
    if device.type != "cuda" or deterministic:
        return
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True


def channels_last(module: nn.Module, device: torch.device, image: bool) -> nn.Module:
    """`module` in channels-last memory format for conv nets on CUDA (tensor cores prefer NHWC)."""
    if device.type == "cuda" and image:
        return module.to(memory_format=torch.channels_last)
    return module


@contextlib.contextmanager
def _preserved(modules: list[nn.Module]) -> Iterator[None]:
    """Undo what a trial forward/backward changes: buffers (batch-norm stats, spectral-norm vectors),
    gradients and the global RNGs used by dropout."""
    buffers = [[b.detach().clone() for b in m.buffers()] for m in modules]
    cpu_rng = torch.get_rng_state()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        yield
    finally:
        with torch.no_grad():
            for module, saved in zip(modules, buffers, strict=True):
                for buffer, value in zip(module.buffers(), saved, strict=True):
                    buffer.copy_(value)
                for p in module.parameters():
                    p.grad = None
        torch.set_rng_state(cpu_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)


def _trial(
    g: nn.Module, d: nn.Module, config: ModelConfig, x: torch.Tensor, labels: torch.Tensor | None, amp: bool
) -> None:
    """Forward and backward passes shaped like a train step's, so compilation happens (and fails) here."""
    n = config.batch_size * config.pack
    device = x.device
    z = torch.zeros(n, config.z_dim, device=device)
    fake_labels = None if getattr(g, "num_classes", 0) == 0 else torch.zeros(n, dtype=torch.long, device=device)
    with torch.autocast(device.type, torch.bfloat16, enabled=amp):
        with torch.no_grad():
            fake = g(z, fake_labels)
        (d(x, labels).float().sum() + d(fake, fake_labels).float().sum()).backward()
        d.requires_grad_(False)
        try:
            d(g(z, fake_labels), fake_labels).float().sum().backward()
        finally:
            d.requires_grad_(True)


def compile_modules(
    modules: GanModules,
    family: Family,
    config: ModelConfig,
    sample: tuple[torch.Tensor, torch.Tensor | None],
    amp: bool,
    mode: str,
) -> GanModules:
    """`modules` with torch.compile'd networks, compiled now on a trial step; the eager ones if that fails.

    The discriminator stays eager for families that differentiate through its gradients
    (torch.compile has no double backward); extra networks stay eager, and a family without a
    discriminator trains eagerly. The returned networks share parameters with the
    originals, which checkpoints keep saving. The trial leaves weights, buffers and RNGs as they were.
    """
    if modules.discriminator is None:  # a non-adversarial family (its step is not a GAN step to trial)
        return modules
    g = torch.compile(modules.generator, mode=mode)
    d = modules.discriminator if family.double_backward else torch.compile(modules.discriminator, mode=mode)
    try:
        with _preserved([modules.generator, modules.discriminator]):
            _trial(g, d, config, sample[0], sample[1], amp)
    except Exception as error:  # noqa: BLE001  (any compiler failure means: train eagerly)
        warnings.warn(
            f"torch.compile failed ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}); training eagerly",
            stacklevel=2,
        )
        return modules
    return dataclasses.replace(modules, generator=g, discriminator=d)
