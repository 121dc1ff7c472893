"""Seeds and noise: everything random in ganbench is drawn from a stream named here.

Two rules make runs reproducible: every consumer draws from its own seeded
stream (data order, training noise, evaluation noise never share one), and
evaluation noise is drawn in fixed-size chunks so sample i for a given seed is
the same vector however many samples are asked for and however they are batched.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

#: Rows per independently seeded block of evaluation noise; changing it changes every sample, so it is fixed.
NOISE_CHUNK = 1024

#: How evaluation samples are drawn, as recorded in every fingerprint's `sampling` entry.
NOISE_PROVENANCE = f"ganbench.seeding eval_noise, standard normal, chunks of {NOISE_CHUNK}"

#: Named streams derived from one run seed; the numbers are arbitrary but must never change.
STREAMS = {"data_order": 1, "train_noise": 2, "eval_noise": 3}


def seed_everything(seed: int) -> None:
    """Seed python's `random`, numpy's global generator and torch (CPU and every CUDA device) with `seed`."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def set_deterministic(enabled: bool) -> None:
    """Ask torch and cuDNN for deterministic kernels (slower on GPU), or give them back their freedom.

    Deterministic mode also needs CUBLAS_WORKSPACE_CONFIG set before cuBLAS starts,
    so it is set here when absent.
    """
    if enabled:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.deterministic = enabled
    if enabled:
        torch.backends.cudnn.benchmark = False
    # Only touch the global switch when it changes: flipping it imports torch's compiler stack (seconds).
    if enabled != torch.are_deterministic_algorithms_enabled():
        torch.use_deterministic_algorithms(enabled)


def stream_seed(seed: int, stream: str, index: int = 0) -> int:
    """A 63-bit seed for the named stream of run `seed` (and block `index`), stable across versions."""
    entropy = np.random.SeedSequence([seed % 2**63, STREAMS[stream], index]).generate_state(2, dtype=np.uint32)
    return int(entropy[0]) | (int(entropy[1] & 0x7FFFFFFF) << 32)


def numpy_stream(seed: int, stream: str) -> np.random.Generator:
    """A numpy Generator for the named stream of run `seed`."""
    return np.random.Generator(np.random.PCG64(stream_seed(seed, stream)))


def torch_stream(seed: int, stream: str, device: torch.device | str = "cpu") -> torch.Generator:
    """A torch Generator on `device` for the named stream of run `seed`."""
    generator = torch.Generator(device=device)
    generator.manual_seed(stream_seed(seed, stream))
    return generator


def noise(
    seed: int, n: int, z_dim: int, start: int = 0, device: torch.device | str = "cpu", chunk: int = NOISE_CHUNK
) -> torch.Tensor:
    """Rows `start` .. `start + n` of the standard-normal evaluation noise of `seed`, float32 (n, z_dim).

    Rows are drawn on the CPU in blocks of `chunk` from per-block seeded generators,
    so row i depends only on (seed, i, z_dim, chunk): never on n, start, batching or device.
    """
    if n <= 0:
        return torch.empty(0, z_dim, device=device)
    first, last = start // chunk, (start + n - 1) // chunk
    blocks = []
    for index in range(first, last + 1):
        generator = torch.Generator().manual_seed(stream_seed(seed, "eval_noise", index))
        blocks.append(torch.randn(chunk, z_dim, generator=generator))
    rows = torch.cat(blocks)[start - first * chunk : start - first * chunk + n]
    return rows.to(device)


def class_labels(n: int, num_classes: int, start: int = 0, device: torch.device | str = "cpu") -> torch.Tensor:
    """Balanced evaluation labels int64 (n,): row i gets class i mod num_classes (independent of batching)."""
    return (torch.arange(start, start + n) % num_classes).to(device)
