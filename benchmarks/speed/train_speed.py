"""Training speed: ganbench's loop versus a plain PyTorch loop of the same networks and losses.

    python benchmarks/speed/train_speed.py --device cpu --steps 20
    python benchmarks/speed/train_speed.py --device cuda --steps 300
    python benchmarks/speed/train_speed.py --device cuda --steps 100 --batch-size 0 \\
        --families dcgan_collections,wgan_gp_mimicry,sngan_collections_resnet,cgan_mimicry   # CIFAR-10 recipes

Any registered name trains with its own losses in the plain loop (wgan_gp*: penalty, sngan* / cgan*: hinge, else
the non-saturating cross-entropy), conditional ones on random labels, the generator step on the recipe's
generator batch; --batch-size 0 keeps each recipe's batch sizes. For each family (default dcgan, wgan_gp) at batch 64 on random 3x32x32 uint8 images, both
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
CLASSES = 10  # random labels 0..9 stand in for CIFAR-10's (used by conditional recipes only)


def shape_of(family: str) -> DataShape:
    """3x32x32, with CIFAR-10's 10 classes for a class-conditional family."""
    return DataShape("image", 3, 32, num_classes=CLASSES) if MODELS.get(family).conditional else SHAPE


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


def loss_kind(family: str) -> str:
    """The losses a registered name trains with: "wgan-gp" (wgan_gp*), "hinge" (sngan*, cgan*), else "bce"."""
    if family.startswith("wgan_gp"):
        return "wgan-gp"
    return "hinge" if family.startswith(("sngan", "cgan")) else "bce"


def plain_loop(
    family: str, config, data: np.ndarray, labels: np.ndarray, seed: int, device: torch.device
) -> tuple[float, list[tuple[float, float]]]:
    """The textbook loop, written out: returns (generator steps/s after the first, [(d_loss, g_loss)] per step).
    Conditional networks get the real labels and uniform fake labels; the generator step draws
    config.g_batch_mult x the batch (the recipe's generator batch)."""
    seed_everything(seed)
    g, d = MODELS.get(family).build_networks(shape_of(family), config)
    g, d = g.to(device), d.to(device)
    classes = getattr(g, "num_classes", 0)
    betas = (config.beta1, config.beta2)
    g_opt = torch.optim.Adam(g.parameters(), lr=config.lr_g, betas=betas)
    d_opt = torch.optim.Adam(d.parameters(), lr=config.lr_d, betas=betas)
    images, targets = torch.from_numpy(data).to(device), torch.from_numpy(labels).to(device)
    order_rng = np.random.Generator(np.random.PCG64(stream_seed(seed, "data_order")))
    noise = torch.Generator(device=device).manual_seed(stream_seed(seed, "train_noise"))
    order, position, batch = torch.from_numpy(order_rng.permutation(len(images))).to(device), 0, config.batch_size
    kind = loss_kind(family)

    def fake_labels(n: int) -> torch.Tensor | None:
        return torch.randint(classes, (n,), generator=noise, device=device) if classes else None

    def run(net, x, y):
        return net(x, y) if classes else net(x)

    history, start = [], 0.0
    for step in range(config.steps):
        for _ in range(config.n_critic):
            if position + batch > len(images):
                order, position = torch.from_numpy(order_rng.permutation(len(images))).to(device), 0
            index = order[position : position + batch]
            real, real_y = images[index].float() / 127.5 - 1, targets[index]
            position += batch
            z = torch.randn(batch, config.z_dim, generator=noise, device=device)
            fake_y = fake_labels(batch)
            with torch.no_grad():
                fake = run(g, z, fake_y)
            real_out, fake_out = run(d, real, real_y), run(d, fake, fake_y)
            if kind == "wgan-gp":
                d_loss = fake_out.mean() - real_out.mean()
                alpha = torch.rand(batch, generator=noise, device=device).view(-1, 1, 1, 1)
                mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
                (grad,) = torch.autograd.grad(run(d, mixed, real_y).sum(), mixed, create_graph=True)
                d_loss = d_loss + config.gp_weight * ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
            elif kind == "hinge":
                d_loss = F.relu(1.0 - real_out).mean() + F.relu(1.0 + fake_out).mean()
            else:
                d_loss = F.binary_cross_entropy_with_logits(
                    real_out, torch.ones_like(real_out)
                ) + F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out))
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
        n = batch * getattr(config, "g_batch_mult", 1)
        z, fake_y = torch.randn(n, config.z_dim, generator=noise, device=device), None
        fake_y = fake_labels(n)
        fake_out = run(d, run(g, z, fake_y), fake_y)
        if kind == "bce":
            g_loss = F.binary_cross_entropy_with_logits(fake_out, torch.ones_like(fake_out))
        else:
            g_loss = -fake_out.mean()
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        history.append(torch.stack([d_loss.detach(), g_loss.detach()]))
        if step == 0:
            start = sync(device)
    seconds = sync(device) - start
    return (config.steps - 1) / seconds, [tuple(row) for row in torch.stack(history).cpu().tolist()]


def ganbench_loop(
    family: str, config, data: np.ndarray, labels: np.ndarray, seed: int, device: torch.device, compile_: bool, amp: str
):
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
        shape = shape_of(family)
        split = ArraySplit(data, labels if shape.num_classes else None)
        result = train(family, config, run, split, out, shape=shape)
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
    parser.add_argument("--batch-size", type=int, default=64, help="0: each recipe's own batch sizes")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    parser.add_argument("--no-compile", action="store_true", help="ganbench without torch.compile on CUDA")
    parser.add_argument("--amp", choices=("none", "bf16"), default="none")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, (max(1024, 4 * args.batch_size), 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, CLASSES, len(data)).astype(np.int64)
    defaults = backend_flags()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    batch = "each recipe's" if args.batch_size == 0 else str(args.batch_size)
    print(f"device: {name}; torch {torch.__version__}; batch {batch}; 3x32x32; {args.steps} steps per loop")
    print(f"{'family':<28} {'batch':>5} {'plain it/s':>11} {'ganbench it/s':>14} {'ratio':>7} {'max loss gap':>13}")
    for family in args.families.split(","):
        config = dataclasses.replace(MODELS.get(family).default_config(shape_of(family)), steps=args.steps, width=args.width)
        if args.batch_size:
            config = dataclasses.replace(config, batch_size=args.batch_size)
        set_backend_flags(defaults)
        plain_speed, plain_losses = plain_loop(family, config, data, labels, args.seed, device)
        ours_speed, our_losses = ganbench_loop(
            family, config, data, labels, args.seed, device, not args.no_compile, args.amp
        )
        gap = trajectory_gap(plain_losses, our_losses)
        ratio = ours_speed / plain_speed if plain_speed > 0 else math.nan
        print(f"{family:<28} {config.batch_size:>5} {plain_speed:>11.2f} {ours_speed:>14.2f} {ratio:>6.2f}x {gap:>13.2e}")


if __name__ == "__main__":
    main()
