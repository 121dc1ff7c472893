"""What a suite's protocol costs: seconds per 1,000 training steps of each of its models, and the full protocol.

    python benchmarks/speed/suite_cost.py --suite pacgan-grid --steps 50
    python benchmarks/speed/suite_cost.py --suite wgangp-toy-ring --steps 10 --device cuda

Each model is built with the suite's pinned settings and runs `--steps` train steps (after one warm-up step) on
the suite's training data through the family's own train step, one thread on CPU. CPU time (process time)
is printed beside wall time: on a shared machine the wall time grows with the load, the CPU time does not.
The ratio column is each model's cost over the suite's first model (the plain GAN of a mode-collapse table),
measured in the same run. Evaluation is not included (2,500 points of a 2-D set take well under a second).
"""

from __future__ import annotations

import argparse
import time

import torch

from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DataConfig
from ganbench.devices import machine_description, resolve_device
from ganbench.models.base import MODELS, build_pair
from ganbench.models.step import GanModules, StepNoise
from ganbench.suites.base import SUITES
from ganbench.train.batches import BatchSampler
from ganbench.train.data import load_training_split


def cost(model: str, settings: dict, dataset: str, steps: int, device: torch.device) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds) per step of `model` with `settings` on `dataset`, and its pinned step count."""
    split, shape, _ = load_training_split(dataset, DataConfig())
    family = MODELS.get(model)
    config = apply_overrides(family.default_config(shape), settings)
    torch.manual_seed(0)
    g, d = build_pair(family, shape, config)
    g, d = g.to(device), d.to(device)
    g_opt, d_opt = family.make_optimizers(g, d, config, device)
    modules = GanModules(g, d, g_opt, d_opt, config.pack)
    noise = StepNoise(0, device)
    sampler = BatchSampler(split, shape, config.batch_size * config.pack, 0, device)

    def step() -> None:
        family.train_step(modules, [sampler.next() for _ in range(config.n_critic)], noise, config, False)

    step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.process_time() - cpu) / steps, (time.perf_counter() - wall) / steps, config.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="pacgan-grid")
    parser.add_argument("--models", help="comma-separated subset of the suite's models")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = resolve_device(args.device)
    suite = SUITES.get(args.suite)
    models = args.models.split(",") if args.models else list(suite.model_names)
    print(f"suite {suite.name} on {suite.dataset}; {machine_description()}; device {device}; {args.steps} steps each")
    basis = "wall" if device.type == "cuda" else "CPU"
    print(
        f"{'model':<11} {'CPU s/1k':>9} {'wall s/1k':>10} {'ratio':>6} {'pinned steps':>13} "
        f"{f'full protocol ({basis} h)':>22}"
    )
    reference = None
    for model in models:
        cpu, wall, pinned = cost(model, dict(suite.model(model).settings), suite.dataset, args.steps, device)
        per_step = wall if device.type == "cuda" else cpu
        reference = reference or per_step
        print(
            f"{model:<11} {cpu * 1000:>9.1f} {wall * 1000:>10.1f} {per_step / reference:>6.2f} {pinned:>13,} "
            f"{per_step * pinned / 3600:>22.1f}"
        )


if __name__ == "__main__":
    main()
