"""CPU threads per cell: training speed with torch's default threads (ganbench's default before the thread rule),
with the threads the rule chooses now (ganbench.runner.threads), and with one thread, in one run.

    python benchmarks/speed/cell_threads.py                 # the machine as it is
    python benchmarks/speed/cell_threads.py --load 6        # plus 6 busy processes (a loaded machine)

Cases: a `gan` cell on ring8 (PacGAN's 2-D MLPs) and a `dcgan` cell on mnist5k (28x28 convolutions), each at its
paper defaults. Each setting trains in a fresh process (the threads are set before anything runs); the settings
alternate over `--rounds` rounds and the median speed is kept, so slow drift in the machine's load hits all three
alike. Speeds are generator steps per second after the first step (ganbench's own loop clock). The rule's choice
depends on the work and the cores only (never the load, since threads change the numbers), as `ganbench run`
makes it. The load (1-minute average) is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time

CASES = {"gan on ring8": ("gan", "ring8", 300), "dcgan on mnist5k": ("dcgan", "mnist5k", 40)}
SETTINGS = ("before", "after", "one")


def one_measurement(family: str, dataset: str, steps: int, setting: str) -> dict:
    """Train `steps` steps in this process with the setting's threads; {'threads', 'rate', 'reason'}."""
    import dataclasses

    import torch

    from ganbench.data.base import DataConfig
    from ganbench.models.base import MODELS
    from ganbench.runner.threads import choose_threads, step_work
    from ganbench.train.config import RunConfig
    from ganbench.train.data import load_training_split
    from ganbench.train.loop import train

    data, shape, _ = load_training_split(dataset, DataConfig())
    config = dataclasses.replace(MODELS.get(family).default_config(shape), steps=steps)
    reason = "torch's default"
    if setting == "after":
        choice = choose_threads(step_work(family, shape, config), jobs=1)
        torch.set_num_threads(choice.threads)
        reason = choice.reason
    elif setting == "one":
        torch.set_num_threads(1)
    run = RunConfig(
        seed=0, device="cpu", checkpoint_every=steps, log_every=steps, sample_every=10**9, progress=False,
        tensorboard=False, dataset=dataset,
    )
    with tempfile.TemporaryDirectory() as out:
        result = train(family, config, run, data, out, shape=shape)
    return {"threads": torch.get_num_threads(), "rate": result.steps_per_second, "reason": reason}


def spin() -> None:
    while True:
        pass


def measure(case: str, setting: str) -> dict:
    family, dataset, steps = CASES[case]
    env = {key: value for key, value in os.environ.items() if key not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    code = f"import json, sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); import cell_threads as c; " \
           f"print(json.dumps(c.one_measurement({family!r}, {dataset!r}, {steps}, {setting!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, default=0, help="busy processes to start beside the measurements")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, from: " + ", ".join(CASES))
    args = parser.parse_args()
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.load)]
    for process in spinners:
        process.start()
    time.sleep(2 if spinners else 0)
    try:
        print(f"load before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.load} busy processes added")
        print("| case | load | threads before / after / one | it/s before | it/s after | it/s one | after / before | one / before |")
        print("|---|---|---|---|---|---|---|---|")
        for case in args.cases.split(","):
            found = {setting: [] for setting in SETTINGS}
            loads = []
            for _ in range(args.rounds):
                for setting in SETTINGS:
                    found[setting].append(measure(case, setting))
                    loads.append(os.getloadavg()[0])
            rate = {setting: statistics.median(m["rate"] for m in found[setting]) for setting in SETTINGS}
            threads = " / ".join("/".join(sorted({str(m["threads"]) for m in found[s]})) for s in SETTINGS)
            print(
                f"| {case} | {statistics.median(loads):.1f} | {threads} | {rate['before']:.2f} | {rate['after']:.2f} "
                f"| {rate['one']:.2f} | {rate['after'] / rate['before']:.2f} | {rate['one'] / rate['before']:.2f} |",
                flush=True,
            )
            print(f"  rule: {found['after'][-1]['reason']}", file=sys.stderr)
        print(f"load after: {os.getloadavg()[0]:.1f}")
    finally:
        for process in spinners:
            process.terminate()


if __name__ == "__main__":
    main()
