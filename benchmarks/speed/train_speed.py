"""Training speed: ganbench's loop versus a plain PyTorch loop of the same networks and losses.

    python benchmarks/train_speed.py --device cpu --steps 20
    python benchmarks/train_speed.py --device cuda --steps 300

For each family (dcgan, wgan_gp) at batch 64 on random 3x32x32 uint8 images, both
loops start from the same initial weights, see the same batches in the same order and
draw the same noise, so on the CPU their losses agree to float rounding at the first steps
(measured: 5e-6 relative after 2 dcgan steps); the gap then grows as training amplifies rounding
(about 2e-2 after 20 dcgan steps: batch norm and Adam's early tiny second moments are chaotic).
Iterations/s count generator steps after the first one (which carries warm-up and
compilation). On CUDA ganbench takes its fast path (fused Adam, TF32, cuDNN autotuning,
channels-last, torch.compile); the plain loop uses PyTorch defaults.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ganbench.data.base import ArraySplit, DataShape
from ganbench.devices import resolve_device
from ganbench.models.base import MODELS
from ganbench.seeding import seed_everything, stream_seed
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

SHAPE = DataShape("image", 3, 32)


def backend_flags() -> dict[str, bool]:
    return {
        "matmul_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_tf32": torch.backends.cudnn.allow_tf32,
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
    }


def set_backend_flags(flags: dict[str, bool]) -> None:
    torch.backends.cuda.matmul.allow_tf32 = flags["matmul_tf32"]
    torch.backends.cudnn.allow_tf32 = flags["cudnn_tf32"]
    torch.backends.cudnn.benchmark = flags["cudnn_benchmark"]


def sync(device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def plain_loop(
    family: str, config, data: np.ndarray, seed: int, device: torch.device
) -> tuple[float, list[tuple[float, float]]]:
    """The textbook loop, written out: returns (generator steps/s after the first, [(d_loss, g_loss)] per step)."""
    seed_everything(seed)
    g, d = MODELS.get(family).build_networks(SHAPE, config)
    g, d = g.to(device), d.to(device)
    betas = (config.beta1, config.beta2)
    g_opt = torch.optim.Adam(g.parameters(), lr=config.lr_g, betas=betas)
    d_opt = torch.optim.Adam(d.parameters(), lr=config.lr_d, betas=betas)
    images = torch.from_numpy(data).to(device)
    order_rng = np.random.Generator(np.random.PCG64(stream_seed(seed, "data_order")))
    noise = torch.Generator(device=device).manual_seed(stream_seed(seed, "train_noise"))
    order, position, batch = torch.from_numpy(order_rng.permutation(len(images))).to(device), 0, config.batch_size
    history, start = [], 0.0
    for step in range(config.steps):
        for _ in range(config.n_critic):
            if position + batch > len(images):
                order, position = torch.from_numpy(order_rng.permutation(len(images))).to(device), 0
            real = images[order[position : position + batch]].float() / 127.5 - 1
            position += batch
            z = torch.randn(batch, config.z_dim, generator=noise, device=device)
            with torch.no_grad():
                fake = g(z)
            real_out, fake_out = d(real), d(fake)
            if family == "wgan_gp":
                d_loss = fake_out.mean() - real_out.mean()
                alpha = torch.rand(batch, generator=noise, device=device).view(-1, 1, 1, 1)
                mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
                (grad,) = torch.autograd.grad(d(mixed).sum(), mixed, create_graph=True)
                d_loss = d_loss + config.gp_weight * ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
            else:
                d_loss = F.binary_cross_entropy_with_logits(
                    real_out, torch.ones_like(real_out)
                ) + F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out))
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
        z = torch.randn(batch, config.z_dim, generator=noise, device=device)
        fake_out = d(g(z))
        if family == "wgan_gp":
            g_loss = -fake_out.mean()
        else:
            g_loss = F.binary_cross_entropy_with_logits(fake_out, torch.ones_like(fake_out))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        history.append(torch.stack([d_loss.detach(), g_loss.detach()]))
        if step == 0:
            start = sync(device)
    seconds = sync(device) - start
    return (config.steps - 1) / seconds, [tuple(row) for row in torch.stack(history).cpu().tolist()]


def ganbench_loop(family: str, config, data: np.ndarray, seed: int, device: torch.device, compile_: bool, amp: str):
    """ganbench.train on the same data: (generator steps/s after the first, [(d_loss, g_loss)] per step)."""
    run = RunConfig(
        seed=seed,
        device=str(device),
        amp=amp,
        compile=compile_,
        checkpoint_every=config.steps,
        log_every=config.steps,
        sample_every=10**9,
        progress=False,
        tensorboard=False,
    )
    with tempfile.TemporaryDirectory() as out:
        result = train(family, config, run, ArraySplit(data), out, shape=SHAPE)
        with open(Path(out) / "losses.csv") as handle:
            # d_loss includes the gradient penalty in both loops.
            rows = [(float(r["d_loss"]), float(r["g_loss"])) for r in csv.DictReader(handle)]
    assert result.status == "ok", result.reason
    return result.steps_per_second, rows


def trajectory_gap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """Largest relative difference between two loss trajectories (relative to max(1, |value|))."""
    return max(abs(x - y) / max(1.0, abs(x)) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=20, help="generator steps per loop (the first is not timed)")
    parser.add_argument("--families", default="dcgan,wgan_gp")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    parser.add_argument("--no-compile", action="store_true", help="ganbench without torch.compile on CUDA")
    parser.add_argument("--amp", choices=("none", "bf16"), default="none")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    data = np.random.default_rng(0).integers(0, 256, (max(1024, 4 * args.batch_size), 3, 32, 32), dtype=np.uint8)
    defaults = backend_flags()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}; torch {torch.__version__}; batch {args.batch_size}; 3x32x32; {args.steps} steps per loop")
    print(f"{'family':<8} {'plain it/s':>11} {'ganbench it/s':>14} {'ratio':>7} {'max loss gap':>13}")
    for family in args.families.split(","):
        config = dataclasses.replace(
            MODELS.get(family).default_config(SHAPE), steps=args.steps, batch_size=args.batch_size, width=args.width
        )
        set_backend_flags(defaults)
        plain_speed, plain_losses = plain_loop(family, config, data, args.seed, device)
        ours_speed, our_losses = ganbench_loop(family, config, data, args.seed, device, not args.no_compile, args.amp)
        gap = trajectory_gap(plain_losses, our_losses)
        ratio = ours_speed / plain_speed if plain_speed > 0 else math.nan
        print(f"{family:<8} {plain_speed:>11.2f} {ours_speed:>14.2f} {ratio:>6.2f}x {gap:>13.2e}")


if __name__ == "__main__":
    main()
