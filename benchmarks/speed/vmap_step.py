"""One simultaneous GAN update of K seeds: one seed after another (the family's own step on its own networks)
against the K seeds batched with torch.func (stack_module_state, functional_call, vmap over the unmodified
networks; one Adam over the stacked parameters) and, on PacGAN's networks, against the hand-written grouped step
(ganbench.train.grouped_step). Timed interleaved in one process, so the ratios share the machine's load.

Networks (built by the registry from the models' 2-D defaults, with their own optimizers):
- gan: PacGAN's 2-D networks (generator 4 x 400 with batch norm, maxout discriminator 3 x 200 x 5), batch 100;
- veegan_gan: VEEGAN's 2-D networks (128 wide, ReLU), batch 500, the plain GAN objective of its Table 1 baseline;
- unrolled: the Unrolled GAN demo's networks (2 tanh layers of 128), batch 512, stepped without unrolling (the
  unrolled loss differentiates through Adam steps with torch.autograd.grad, which vmap cannot batch), so this
  times the networks, not the family.

Each seed draws its own real batch and noise (per-seed generators, outside vmap), as grouped cells must.
Also reported: the largest difference between a seed's weights after `--check-steps` steps batched and alone
(0 means bit-identical).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/speed/vmap_step.py --group 4,16 --steps 10 --reps 3
"""

from __future__ import annotations

import argparse
import copy
import platform
import time
from datetime import datetime, timezone

import numpy as np
import torch
from torch.func import functional_call, stack_module_state, vmap

from ganbench.data.base import DataShape
from ganbench.models.base import MODELS, build_pair
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.simultaneous import simultaneous_step
from ganbench.models.step import Batch, GanModules, Objective, StepNoise
from ganbench.train.grouped_step import GroupedCells, ungroupable

OBJECTIVE = Objective(cross_entropy_d_loss, non_saturating_g_loss)
SHAPE = DataShape(kind="points", channels=2)


def seed_modules(model: str, seed: int, device: torch.device) -> tuple[GanModules, object]:
    family = MODELS.get(model)
    config = family.default_config(SHAPE)
    torch.manual_seed(seed)
    g, d = build_pair(family, SHAPE, config)
    g, d = g.to(device), d.to(device)
    g_opt, d_opt = family.make_optimizers(g, d, config, device)
    return GanModules(g, d, g_opt, d_opt, pack=config.pack), config


class Seeds:
    """K seeds' data streams and noise: per-seed generators drawing real batches from one point set."""

    def __init__(self, k: int, data: torch.Tensor, batch: int, z_dim: int, device: torch.device) -> None:
        self.data, self.batch, self.z_dim = data, batch, z_dim
        self.noise = [StepNoise(seed, device) for seed in range(k)]
        self.order = [torch.Generator(device=device).manual_seed(100 + seed) for seed in range(k)]

    def real(self, k: int) -> torch.Tensor:
        return self.data[torch.randint(len(self.data), (self.batch,), generator=self.order[k], device=self.data.device)]


def alone_step(cells: list[GanModules], seeds: Seeds) -> None:
    for k, modules in enumerate(cells):
        simultaneous_step(modules, Batch(seeds.real(k)), seeds.noise[k], OBJECTIVE, seeds.z_dim, False)


class VmapGroup:
    """The seeds' networks stacked; one vmap'd forward of the unmodified modules, per-seed losses, one Adam each."""

    def __init__(self, cells: list[GanModules]) -> None:
        self.g_base = copy.deepcopy(cells[0].generator).to("meta")
        self.d_base = copy.deepcopy(cells[0].discriminator).to("meta")
        self.gp, self.gb = stack_module_state([c.generator for c in cells])
        self.dp, self.db = stack_module_state([c.discriminator for c in cells])

        def like(opt, params):
            settings = {key: v for key, v in opt.param_groups[0].items() if key != "params"}
            return type(opt)(list(params.values()), **settings)

        self.g_opt, self.d_opt = like(cells[0].g_opt, self.gp), like(cells[0].d_opt, self.dp)
        self.step_losses = vmap(self._losses, randomness="error")

    def _losses(self, gp, gb, dp, db, real, z):
        fake = functional_call(self.g_base, (gp, gb), (z,))
        real_logits = functional_call(self.d_base, (dp, db), (real,))
        fake_logits = functional_call(self.d_base, (dp, db), (fake,))
        return cross_entropy_d_loss(real_logits, fake_logits), non_saturating_g_loss(fake_logits)

    def step(self, seeds: Seeds) -> None:
        real = torch.stack([seeds.real(k) for k in range(len(seeds.noise))])
        z = torch.stack([noise.normal(seeds.batch, seeds.z_dim) for noise in seeds.noise])
        d_loss, g_loss = self.step_losses(self.gp, self.gb, self.dp, self.db, real, z)
        # a sum's gradient with respect to each seed's loss is exactly 1: each seed gets its own loss's gradient
        d_grads = torch.autograd.grad(d_loss.sum(), list(self.dp.values()), retain_graph=True)
        g_grads = torch.autograd.grad(g_loss.sum(), list(self.gp.values()))
        for opt, params, grads in ((self.d_opt, self.dp, d_grads), (self.g_opt, self.gp, g_grads)):
            for p, grad in zip(params.values(), grads, strict=True):
                p.grad = grad
            opt.step()


def handwritten_step(group: GroupedCells, seeds: Seeds) -> None:
    real = torch.stack([seeds.real(k) for k in range(len(seeds.noise))])
    z = torch.stack([noise.normal(seeds.batch, seeds.z_dim) for noise in seeds.noise])
    group.simultaneous_step(real, z)


def setup(model: str, k: int, device: torch.device):
    pairs = [seed_modules(model, seed, device) for seed in range(k)]
    cells, config = [p[0] for p in pairs], pairs[0][1]
    data = torch.from_numpy(np.random.default_rng(0).standard_normal((4000, 2)).astype(np.float32)).to(device)
    return cells, config, data


def seeds_for(cells: list[GanModules], config, data: torch.Tensor, device: torch.device) -> Seeds:
    # the generator's whole input (VEEGAN's adds eps_dim inputs to z_dim)
    return Seeds(len(cells), data, config.batch_size, cells[0].generator.z_dim, device)


def max_difference(model: str, k: int, steps: int, device: torch.device) -> float:
    """Largest |weight batched - weight alone| over every seed after `steps` steps from the same start."""
    cells, config, data = setup(model, k, device)
    group = VmapGroup([copy.deepcopy(c) for c in cells])
    alone_seeds, group_seeds = (seeds_for(cells, config, data, device) for _ in range(2))
    for _ in range(steps):
        alone_step(cells, alone_seeds)
        group.step(group_seeds)
    with torch.no_grad():
        return _worst(cells, group)


def _worst(cells: list[GanModules], group: VmapGroup) -> float:
    worst = 0.0
    for j, cell in enumerate(cells):
        for name, p in [*cell.generator.named_parameters(), *cell.generator.named_buffers()]:
            stacked = group.gp.get(name, group.gb.get(name))
            worst = max(worst, float((stacked[j].float() - p.detach().float()).abs().max()))
        for name, p in cell.discriminator.named_parameters():
            worst = max(worst, float((group.dp[name][j] - p.detach()).abs().max()))
    return worst


def time_model(model: str, k: int, steps: int, reps: int, device: torch.device) -> dict[str, float]:
    cells, config, data = setup(model, k, device)
    methods = {
        "alone": (lambda seeds, c=cells: alone_step(c, seeds)),
        "vmap": VmapGroup([copy.deepcopy(c) for c in cells]).step,
    }
    if ungroupable(cells[0]) is None and getattr(config, "simultaneous", False):
        handwritten = GroupedCells([copy.deepcopy(c) for c in cells], OBJECTIVE)
        methods["hand-written"] = lambda seeds: handwritten_step(handwritten, seeds)
    seeds = {name: seeds_for(cells, config, data, device) for name in methods}
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
    parser.add_argument("--models", default="gan,veegan_gan,unrolled")
    parser.add_argument("--group", default="4,16", help="group sizes K, comma-separated")
    parser.add_argument("--steps", type=int, default=10, help="steps per timing")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions (median reported)")
    parser.add_argument("--check-steps", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.processor() or platform.machine()}; "
          f"torch {torch.__version__}; threads {torch.get_num_threads()}; device {device}")
    print("| model | K | alone, K seeds (ms/step) | vmap (ms/step) | hand-written (ms/step) | alone / vmap | "
          "alone / hand-written | max weight difference vmap vs alone |")
    print("|---|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        for k in (int(v) for v in args.group.split(",")):
            t = time_model(model, k, args.steps, args.reps, device)
            diff = max_difference(model, min(k, 4), args.check_steps, device)
            hand = t.get("hand-written")
            print(f"| {model} | {k} | {1e3 * t['alone']:.1f} | {1e3 * t['vmap']:.1f} | "
                  f"{'-' if hand is None else f'{1e3 * hand:.1f}'} | {t['alone'] / t['vmap']:.2f}x | "
                  f"{'-' if hand is None else format(t['alone'] / hand, '.2f') + 'x'} | "
                  f"{diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
