"""One simultaneous GAN update of K seeds: one seed after another (the family's own step on its own networks)
against the K seeds trained as one group (ganbench.train.stacked.StackedRuns: the family's unmodified losses
batched with torch.func.vmap over the seeds' stacked weights; one optimizer over the stacked parameters). Timed
interleaved in one process, so the ratios share the machine's load.

Networks and losses (built by the registry from the models' 2-D defaults, with their own optimizers):
- gan: PacGAN's 2-D networks (generator 4 x 400 with batch norm, maxout discriminator 3 x 200 x 5), batch 100;
- veegan: VEEGAN's 2-D networks (generator, reconstructor and joint discriminator 128 wide), batch 500, its
  losses;
- unrolled: the Unrolled GAN demo's networks (2 tanh layers of 128), batch 512, with the simultaneous
  cross-entropy losses and no unrolling (the unrolled loss differentiates through Adam steps with
  torch.autograd.grad, which vmap cannot batch), so this times the networks, not the family.

Each seed draws its own real batch and noise (per-seed generators, outside vmap), as grouped cells do.
Also reported: the largest difference between a seed's weights after `--check-steps` steps grouped and alone
(0 means bit-identical).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/speed/vmap_step.py --group 4,16 --steps 5 --reps 3
"""

from __future__ import annotations

import argparse
import copy
import platform
import time
from datetime import datetime, timezone

import numpy as np
import torch

from ganbench.data.base import DataShape
from ganbench.models.base import MODELS, build_pair
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.simultaneous import apply_gradients, simultaneous_losses
from ganbench.models.step import Batch, GanModules, Objective, StepNoise
from ganbench.train.stacked import StackedRuns

SHAPE = DataShape(kind="points", channels=2)
OBJECTIVE = Objective(cross_entropy_d_loss, non_saturating_g_loss)


def gan_losses(modules, batch, noise, config, amp):
    """The simultaneous cross-entropy losses on any networks (for networks whose family has no simultaneous
    update of its own)."""
    return simultaneous_losses(modules, batch, noise, OBJECTIVE, modules.generator.z_dim, amp)


def setup(model: str, k: int, device: torch.device):
    """K seeds' modules (seed 0 .. K-1), the config, the losses and a point set to draw real batches from."""
    family = MODELS.get(model)
    config = family.default_config(SHAPE)
    cells = []
    for seed in range(k):
        torch.manual_seed(seed)
        g, d = build_pair(family, SHAPE, config)
        g, d = g.to(device), d.to(device)
        g_opt, d_opt = family.make_optimizers(g, d, config, device)
        cells.append(GanModules(g, d, g_opt, d_opt, pack=config.pack))
    losses = family.simultaneous_losses or gan_losses
    data = torch.from_numpy(np.random.default_rng(0).standard_normal((4000, 2)).astype(np.float32)).to(device)
    return cells, config, losses, data


class Seeds:
    """K seeds' data order and noise: per-seed generators drawing real batches from one point set."""

    def __init__(self, k: int, data: torch.Tensor, batch: int, device: torch.device) -> None:
        self.data, self.batch = data, batch
        self.noise = [StepNoise(seed, device) for seed in range(k)]
        self.order = [torch.Generator(device=device).manual_seed(100 + seed) for seed in range(k)]

    def real(self, k: int) -> Batch:
        index = torch.randint(len(self.data), (self.batch,), generator=self.order[k], device=self.data.device)
        return Batch(self.data[index])


def alone_step(cells: list[GanModules], losses, config, seeds: Seeds) -> None:
    for k, modules in enumerate(cells):
        d_loss, g_loss = losses(modules, seeds.real(k), seeds.noise[k], config, False)
        apply_gradients(modules, d_loss, g_loss)


def grouped_step(group: StackedRuns, seeds: Seeds) -> None:
    group.step([seeds.real(k) for k in range(len(seeds.noise))], seeds.noise)


def max_difference(model: str, k: int, steps: int, device: torch.device) -> float:
    """Largest |weight grouped - weight alone| over every seed after `steps` steps from the same start."""
    cells, config, losses, data = setup(model, k, device)
    group = StackedRuns([copy.deepcopy(c) for c in cells], losses, config)
    alone_seeds, group_seeds = (Seeds(k, data, config.batch_size, device) for _ in range(2))
    for _ in range(steps):
        alone_step(cells, losses, config, alone_seeds)
        grouped_step(group, group_seeds)
    worst = 0.0
    for j, cell in enumerate(cells):
        mine = copy.deepcopy(cell)
        group.write_back(j, mine)
        for network, alone in ((mine.generator, cell.generator), (mine.discriminator, cell.discriminator)):
            for a, b in zip(network.state_dict().values(), alone.state_dict().values(), strict=True):
                worst = max(worst, float((a.double() - b.double()).abs().max()))
    return worst


def time_model(model: str, k: int, steps: int, reps: int, device: torch.device) -> dict[str, float]:
    cells, config, losses, data = setup(model, k, device)
    group = StackedRuns([copy.deepcopy(c) for c in cells], losses, config)
    methods = {"alone": lambda seeds: alone_step(cells, losses, config, seeds), "grouped": lambda seeds: grouped_step(group, seeds)}
    seeds = {name: Seeds(k, data, config.batch_size, device) for name in methods}
    for name, step in methods.items():  # warm-up
        step(seeds[name])
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(reps):
        for name, step in methods.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(steps):
                step(seeds[name])
            if device.type == "cuda":
                torch.cuda.synchronize()
            times[name].append((time.perf_counter() - start) / steps)
    return {name: float(np.median(values)) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="gan,veegan,unrolled")
    parser.add_argument("--group", default="4,16", help="group sizes K, comma-separated")
    parser.add_argument("--steps", type=int, default=5, help="steps per timing")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions (median reported)")
    parser.add_argument("--check-steps", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.machine()}; torch {torch.__version__}; "
          f"threads {torch.get_num_threads()}; device {device}")
    print("| model (networks) | K | alone, K seeds (ms/step) | grouped (ms/step) | alone / grouped | "
          "max weight difference grouped vs alone |")
    print("|---|---|---|---|---|---|")
    for model in args.models.split(","):
        for k in (int(v) for v in args.group.split(",")):
            t = time_model(model, k, args.steps, args.reps, device)
            diff = max_difference(model, min(k, 4), args.check_steps, device)
            print(f"| {model} | {k} | {1e3 * t['alone']:.1f} | {1e3 * t['grouped']:.1f} | "
                  f"{t['alone'] / t['grouped']:.2f}x | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
