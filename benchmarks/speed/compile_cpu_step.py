"""Does torch.compile pay on the CPU for the small 2-D networks of the full-protocol suites (issue 24)?

    OMP_NUM_THREADS=1 python benchmarks/speed/compile_cpu_step.py [--steps 1000] [--rounds 2]

One VEEGAN-shaped training step (VEEGAN's 2-D ring notebook: generator, reconstructor and joint discriminator,
each a two-hidden-layer ReLU MLP 128 wide, 254-d noise, batch 500 as in RESULTS.md; Adam): discriminator update, then generator and
reconstructor update. Eager and torch.compile'd networks (inductor, default mode) run alternately in one process
on one thread; each prints CPU and wall milliseconds per step after 30 warm-up steps (compilation included there)
and the ratio eager / compiled (above 1: compiling pays). ganbench compiles only on CUDA (train.fast); this
measures whether the CPU should too.
"""

from __future__ import annotations

import argparse
import os
import time

import torch
from torch import nn


def mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


def make_step(compiled: bool, z_dim: int = 254, width: int = 128, batch: int = 500):
    torch.manual_seed(0)
    generator, discriminator, reconstructor = mlp(z_dim, width, 2), mlp(2 + z_dim, width, 1), mlp(2, width, z_dim)
    if compiled:
        generator, discriminator, reconstructor = (torch.compile(m) for m in (generator, discriminator, reconstructor))
    opt_g = torch.optim.Adam([*generator.parameters(), *reconstructor.parameters()], 1e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), 1e-3)
    softplus = nn.functional.softplus

    def step() -> None:
        z, x = torch.randn(batch, z_dim), torch.randn(batch, 2)
        fake, code = generator(z), reconstructor(x)
        d_loss = softplus(-discriminator(torch.cat([x, code.detach()], 1))).mean() + softplus(
            discriminator(torch.cat([fake.detach(), z], 1))
        ).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = discriminator(torch.cat([fake, z], 1)).mean() + ((reconstructor(fake) - z) ** 2).sum(1).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

    return step


def timed(step, steps: int) -> tuple[float, float]:
    for _ in range(30):
        step()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    return 1e3 * (time.process_time() - cpu) / steps, 1e3 * (time.perf_counter() - wall) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    steps = {False: make_step(False), True: make_step(True)}
    for round_ in range(args.rounds):
        eager, compiled = timed(steps[False], args.steps), timed(steps[True], args.steps)
        print(f"round {round_}: eager {eager[0]:.2f} ms CPU / {eager[1]:.2f} ms wall per step; compiled "
              f"{compiled[0]:.2f} / {compiled[1]:.2f}; eager / compiled {eager[0] / compiled[0]:.2f}x CPU, "
              f"{eager[1] / compiled[1]:.2f}x wall")
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
