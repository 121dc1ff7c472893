"""Operator dispatches per training step of a suite's models, trained the way a GPU run would train them: cells of
one model grouped (`--group-cells N`: on a GPU one batched step, ganbench.train.group_steps.Vmapped), the rest alone. On a GPU every dispatched operator launches at least one
kernel, and PacGAN's 2-D networks are so small that a step's time is its launches, so this count, measured here on
the CPU, is what a GPU projection rests on (benchmarks/RESULTS.md, "PacGAN's full protocol on a GPU").

    PYTHONPATH=$PWD python benchmarks/speed/launch_count.py --suite pacgan-ring --group 10

Each model runs `--steps` and `2 x --steps` steps from scratch; the difference of the two counts over `--steps`
is the count per step (opening the run and the final checkpoint cancel out). Every dispatch is counted, forward,
backward and optimizer; the run is on the CPU with the eager modules (torch.compile would fuse some of them).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DataConfig
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS
from ganbench.suites.base import SUITES
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train, train_runs


class DispatchCount(TorchDispatchMode):
    """Counts every operator that reaches the dispatcher's backends while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def dispatches(model: str, settings: dict, dataset: str, steps: int, group: int) -> tuple[int, bool]:
    """(operator dispatches of training `model` for `steps` steps, whether its cells train grouped)."""
    split, shape, _ = load_training_split(dataset, DataConfig())
    config = apply_overrides(MODELS.get(model).default_config(shape), {**settings, "steps": str(steps)})
    base = RunConfig(device="cpu", progress=False, tensorboard=False, dataset=dataset, compile=False,
                     checkpoint_every=steps, log_every=10**9, sample_every=10**9)
    runs = [dataclasses.replace(base, seed=seed) for seed in range(group)]
    # the batched step a GPU run takes (forced here on the CPU); a model it refuses trains alone, as on a GPU
    grouped = group > 1
    with tempfile.TemporaryDirectory() as tmp, DispatchCount() as counter:
        if grouped:
            try:
                train_runs(model, config, runs, split, [Path(tmp) / str(r.seed) for r in runs], shape=shape, batching="vmap")
            except GanbenchError:
                grouped = False
        if not grouped:
            train(model, config, runs[0], split, Path(tmp) / "alone", shape=shape)
    return counter.count, grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="pacgan-ring")
    parser.add_argument("--group", type=int, default=10, help="cells per group (the suite's seeds per row)")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--models", default="", help="comma-separated subset of the suite's models (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    suite = SUITES.get(args.suite)
    print(f"{args.suite} on {suite.dataset}: operator dispatches per step, cells grouped by {args.group} where possible")
    print(f"{'model':9} {'grouped':>7} {'per step':>9} {'per cell-step':>13}")
    for entry in suite.models:
        if args.models and entry.name not in args.models.split(","):
            continue
        short, _ = dispatches(entry.name, entry.settings, suite.dataset, args.steps, args.group)
        long, grouped = dispatches(entry.name, entry.settings, suite.dataset, 2 * args.steps, args.group)
        per_step = (long - short) / args.steps
        cells = args.group if grouped else 1
        print(f"{entry.name:9} {str(grouped):>7} {per_step:9.0f} {per_step / cells:13.1f}")


if __name__ == "__main__":
    main()
