"""Training speed of every CIFAR-10 reference recipe (the dcgan/wgan_gp/sngan/cgan variants of
ganbench.models.reference32) at full width: generator steps per second (each with its n_critic discriminator steps
and the recipe's batch sizes) and the projected wall time of the 100k-step protocol.

    PYTHONPATH=$PWD python benchmarks/speed/cifar10_defaults_speed.py --device cpu --steps 3
    PYTHONPATH=$PWD python benchmarks/speed/cifar10_defaults_speed.py --device cuda --steps 200   # GPU

Random uint8 images stand in for CIFAR-10 (speed does not depend on pixel values). The first step (warm-up,
compilation) is not timed: TrainResult.steps_per_second is measured from the end of the first step.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile

import numpy as np
import torch

from ganbench.data.base import ArraySplit, DataShape
from ganbench.models.base import MODELS
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

MODELS_32 = (
    "dcgan_collections",
    "dcgan_mimicry",
    "wgan_gp_collections_cnn",
    "wgan_gp_collections_resnet",
    "wgan_gp_mimicry",
    "sngan_collections_cnn",
    "sngan_collections_resnet",
    "sngan_mimicry",
    "cgan_mimicry",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=3, help="generator steps timed per model (after the first)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default=",".join(MODELS_32))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    data = ArraySplit(rng.integers(0, 256, (1024, 3, 32, 32), dtype=np.uint8), rng.integers(0, 10, 1024))
    shape = DataShape("image", 3, 32, num_classes=10)
    print(f"device {args.device}, torch {torch.__version__}, {args.threads} thread(s), {args.steps} timed steps")
    print(f"{'model':<28} {'arch':<20} {'batch D/G':>9} {'n_dis':>5} {'it/s':>8} {'100k steps':>11}")
    for name in args.models.split(","):
        config = dataclasses.replace(MODELS.get(name).default_config(shape), steps=args.steps + 1)
        run = RunConfig(device=args.device, progress=False, tensorboard=False, checkpoint_every=10**9)
        with tempfile.TemporaryDirectory() as folder:
            result = train(name, config, run, data, folder, shape=shape)
        rate = result.steps_per_second
        hours = 100_000 / rate / 3600
        batches = f"{config.batch_size}/{config.batch_size * config.g_batch_mult}"
        print(f"{name:<28} {config.arch:<20} {batches:>9} {config.n_critic:>5} {rate:>8.3g} {hours:>10.1f}h")


if __name__ == "__main__":
    main()
