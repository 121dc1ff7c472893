"""Train the transcription of gan_toy.py (tests/support/gan_toy.py) on 25gaussians and score it with ganbench's
mode rule, to compare with `ganbench run --models wgan_gp --dataset grid25` (issue 31).

--init tflib: lib.ops.linear's 'he' / 'glorot' uniforms (gan_toy.py's); torch: nn.Linear's default
(U(+-1/sqrt(fan_in)) weights and biases), what a plain PyTorch port gets. --data gan_toy: inf_train_gen's fixed
100,000-point set cycled in one order; fresh: new grid25 points every batch. Prints one JSON line per seed:
modes covered and high-quality fraction of 2,500 samples (3 stds), as ganbench's `modes` metric counts them.

    python benchmarks/wgangp-toy/gan_toy_port.py --iterations 4000 --seeds 0,1,2 --init tflib --data gan_toy
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from support.gan_toy import (  # noqa: E402
    BATCH_SIZE,
    CRITIC_ITERS,
    DISCRIMINATOR_LAYERS,
    GENERATOR_LAYERS,
    GanToy,
    gaussians25_dataset,
    tflib_params,
)

from ganbench.data.synthetic import grid_centres  # noqa: E402
from ganbench.metrics.modes import count_point_modes  # noqa: E402

STDEV = 2.828


def torch_default_params() -> dict[str, torch.Tensor]:
    """nn.Linear's default initialisation, under tflib's names and layout."""
    params = {}
    for name, n_in, n_out, _ in GENERATOR_LAYERS + DISCRIMINATOR_LAYERS:
        layer = torch.nn.Linear(n_in, n_out)
        params[name + ".W"], params[name + ".b"] = layer.weight.detach().t().clone(), layer.bias.detach().clone()
    return params


def batches(data: str, rng: np.random.RandomState):
    """Standardised real batches: gan_toy.py's cycled fixed set, or fresh grid25 points every batch."""
    if data == "gan_toy":
        dataset = gaussians25_dataset(rng)
        while True:
            for i in range(len(dataset) // BATCH_SIZE):
                yield torch.from_numpy(dataset[i * BATCH_SIZE : (i + 1) * BATCH_SIZE])
    centres = grid_centres(5, 2.0)
    while True:
        points = centres[rng.randint(len(centres), size=BATCH_SIZE)] + rng.randn(BATCH_SIZE, 2) * 0.05
        yield torch.from_numpy((points / STDEV).astype(np.float32))


def score(toy: GanToy) -> dict[str, float]:
    """Modes covered, high-quality fraction and mode KL of 2,500 samples in data units (3 stds)."""
    with torch.no_grad():
        samples = (toy.generator(torch.randn(2_500, 2)) * STDEV).numpy()
    return count_point_modes(samples, grid_centres(5, 2.0), 0.05).as_metrics()


def run(seed: int, iterations: int, init: str, data: str, eval_every: int):
    """Yield one result per evaluation (every `eval_every` iterations and at the end)."""
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    toy = GanToy(tflib_params(rng) if init == "tflib" else torch_default_params())
    gen = batches(data, rng)
    start = time.perf_counter()
    for iteration in range(iterations):  # gan_toy.py's loop
        if iteration > 0:
            toy.generator_iteration(torch.randn(BATCH_SIZE, 2))
        for _ in range(CRITIC_ITERS):
            toy.critic_iteration(next(gen), torch.randn(BATCH_SIZE, 2), torch.rand(BATCH_SIZE, 1))
        done = iteration + 1
        if done % eval_every == 0 or done == iterations:
            state = torch.random.get_rng_state()
            torch.manual_seed(10_000 + seed)  # the scoring noise leaves the training noise alone
            metrics = score(toy)
            torch.random.set_rng_state(state)
            yield {"seed": seed, "init": init, "data": data, "iterations": done, **metrics,
                   "seconds": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=4000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--init", choices=("tflib", "torch"), default="tflib")
    parser.add_argument("--data", choices=("gan_toy", "fresh"), default="gan_toy")
    parser.add_argument("--eval-every", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for seed in (int(s) for s in args.seeds.split(",")):
        for row in run(seed, args.iterations, args.init, args.data, args.eval_every):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
