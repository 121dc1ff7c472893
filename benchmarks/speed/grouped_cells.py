"""Cells per hour of grouped training (`ganbench run --group-cells N`) against one cell per process, in one run.

For each of PacGAN's grid models (gan, pacgan2, pacgan3, pacgan4 on grid25, PacGAN's pinned networks and
optimiser), the same N seeds are trained --steps steps two ways, interleaved so both see the same machine load:
one after another with ganbench.train.loop.train (what a one-cell worker of `ganbench run` does), and together
with ganbench.train.loop.train_runs (`--batching`: auto, the loop's own choice: one by one on the CPU, one
batched step on CUDA; vmap: the batched step on any device; one-by-one). Each way's time is the whole call (opening the run, every step, one
checkpoint at the end). Both use --threads CPU threads, as each of `--jobs` worker processes does when the
cores are shared out, so the ratio is the gain in cells per hour of a machine whose cores each run one worker.
It also says whether every grouped seed's final checkpoint is the same bytes as the seed trained alone.

    PYTHONPATH=$PWD python benchmarks/speed/grouped_cells.py                    # CPU, 1 thread, groups of 4
    PYTHONPATH=$PWD python benchmarks/speed/grouped_cells.py --batching vmap                  # the batched step on the CPU
    PYTHONPATH=$PWD python benchmarks/speed/grouped_cells.py --device cuda --group 16 --steps 1000
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import torch

from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DataConfig
from ganbench.models.base import MODELS
from ganbench.suites.points_common import PACGAN_SETTINGS
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train, train_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="gan,pacgan2,pacgan3,pacgan4")
    parser.add_argument("--group", type=int, default=4, help="cells per group (and seeds per model)")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batching", default="auto", choices=("auto", "vmap", "one-by-one"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    split, shape, _ = load_training_split("grid25", DataConfig())
    base = RunConfig(device=args.device, progress=False, tensorboard=False, dataset="grid25", compile=False)
    base = dataclasses.replace(base, checkpoint_every=args.steps, log_every=50, sample_every=10**9)
    runs = [dataclasses.replace(base, seed=seed) for seed in range(args.group)]
    print(f"grid25, PacGAN's networks, {args.group} seeds x {args.steps} steps per model, {args.threads} thread(s), {args.device}, batching {args.batching}")
    print(f"{'model':9} {'alone s':>8} {'grouped s':>9} {'ratio':>6}  same bytes")
    totals = [0.0, 0.0]
    for model in args.models.split(","):
        family = MODELS.get(model)
        pack = dict(family.fixed).get("pack", 1)
        config = apply_overrides(family.default_config(shape), {**PACGAN_SETTINGS, "steps": str(args.steps), "pack": str(pack)})
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            start = time.perf_counter()
            for run in runs:
                train(model, config, run, split, out / f"alone{run.seed}", shape=shape)
            alone = time.perf_counter() - start
            start = time.perf_counter()
            train_runs(model, config, runs, split, [out / f"group{run.seed}" for run in runs], shape=shape, batching=args.batching)
            grouped = time.perf_counter() - start
            name = f"checkpoints/step_{args.steps:08d}.safetensors"
            same = all((out / f"alone{s}" / name).read_bytes() == (out / f"group{s}" / name).read_bytes() for s in range(args.group))
        totals[0] += alone
        totals[1] += grouped
        print(f"{model:9} {alone:8.1f} {grouped:9.1f} {alone / grouped:6.2f}  {same}")
    print(f"{'all':9} {totals[0]:8.1f} {totals[1]:9.1f} {totals[0] / totals[1]:6.2f}  (cells per hour, grouped / one per process)")


if __name__ == "__main__":
    main()
