"""Every k-NN metric together against precision/recall/density/coverage alone, measured in one run.

    python benchmarks/speed/knn_speed.py [--n 20000] [--heldout 10000] [--dim 2048] [--before main]

Scores the presets through `MetricInputs` exactly as `ganbench score` does, each set in a fresh
process (so its peak RSS is its own), on the same synthetic features (shaped like Inception
pool features; 5% of the generated rows are near-copies of training rows):

* `pr+dc`  -- pr and dc alone (the reference of the goal),
* `all`    -- pr, dc, memorization, authpct and ct together (goal: at most 1.5x `pr+dc`),
* `before` -- the same five presets from the ganbench sources at git revision `--before` (extracted
  with `git archive`), so the speed-up over the per-metric passes is measured in the same run.

Prints per-metric seconds (the first preset of `all` computes the shared pass for every one), the
peak RSS of each process, the ratios, and the difference between the values of `all` and `before`
(0 when the shared pass changes nothing). The machine may be shared: --repeats interleaves rounds of
`pr+dc` and `all` and the best of each counts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics_speed import inception_like_features  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ALL = ("pr", "dc", "memorization", "authpct", "ct")

CHILD = """
import json, resource, sys, time
import numpy as np
gen, ref, heldout = (np.load(path) for path in sys.argv[1:4])
device, names = sys.argv[4], tuple(sys.argv[5].split(","))
import ganbench
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import METRICS, MetricInputs
config = MetricConfig(device=device)
specs = {name: METRICS.get(name) for name in names}  # the registry import is not part of the timing
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
inputs = MetricInputs(n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref,
                      heldout_features=heldout, requested=names)
seconds, values = {}, {}
start = time.perf_counter()
for name in names:
    began = time.perf_counter()
    values.update(specs[name].compute(inputs, config))
    seconds[name] = time.perf_counter() - began
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"source": ganbench.__file__, "total": total, "seconds": seconds, "values": values,
                  "rss_peak_mb": peak / 1024, "rss_inputs_mb": before / 1024}))
"""


def run_child(source_root: Path, paths: list[str], device: str, names: tuple[str, ...]) -> dict:
    """The presets `names` on the saved features, in a fresh process importing ganbench from `source_root`."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *paths, device, ",".join(names)],
        check=True, capture_output=True, text=True, env=env, cwd=source_root,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["source"].startswith(str(source_root)):
        raise RuntimeError(f"the child imported ganbench from {result['source']}, not from {source_root}")
    return result


def extract_revision(revision: str, into: Path) -> Path:
    """The `ganbench` package of git revision `revision` of this repository, unpacked under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "ganbench"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def features(n: int, n_heldout: int, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(generated, training, held-out): training and held-out from one distribution; generated slightly
    shifted, with 5% near-copies of training rows."""
    ref = inception_like_features(n, dim, 3, 0.0)
    heldout = inception_like_features(n_heldout, dim, 5, 0.0)
    gen = inception_like_features(n, dim, 4, 0.15)
    rng = np.random.default_rng(6)
    copied = rng.choice(n, n // 20, replace=False)
    gen[copied] = ref[rng.integers(0, n, len(copied))] + 1e-3 * rng.standard_normal((len(copied), dim))
    return gen, ref, heldout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000, help="generated and training samples")
    parser.add_argument("--heldout", type=int, default=10000, help="held-out samples (for ct)")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--before", default=None, help="git revision whose presets give the 'before' timing")
    parser.add_argument(
        "--repeats", type=int, default=1, help="rounds of pr+dc and all, interleaved (best of each counts; before runs once)"
    )
    args = parser.parse_args()

    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
          f"{args.n} generated x {args.n} training (+{args.heldout} held-out) x {args.dim}")  # fmt: skip
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, array in zip(("gen", "ref", "heldout"), features(args.n, args.heldout, args.dim), strict=True):
            paths.append(f"{tmp}/{name}.npy")
            np.save(paths[-1], array.astype(np.float32))
        modes = {"pr+dc": (REPO, ("pr", "dc")), "all": (REPO, ALL)}
        if args.before:
            modes["before"] = (extract_revision(args.before, Path(tmp) / "before"), ALL)
        for round_ in range(args.repeats):
            for mode, (root, names) in modes.items():
                if mode == "before" and round_ > 0:
                    continue  # the slow one: once is enough for the speed-up
                result = run_child(root, paths, args.device, names)
                runs.setdefault(mode, []).append(result)
                per_metric = ", ".join(f"{name} {s:.1f}" for name, s in result["seconds"].items())
                print(f"{mode:7s} {result['total']:8.1f} s  peak RSS {result['rss_peak_mb']:6.0f} MB "
                      f"(inputs {result['rss_inputs_mb']:.0f} MB)  [{per_metric}]", flush=True)  # fmt: skip

    best = {mode: min(r["total"] for r in results) for mode, results in runs.items()}
    print("\nbest: " + ", ".join(f"{mode} {s:.1f} s (of {len(runs[mode])})" for mode, s in best.items()))
    ratios = [a["total"] / p["total"] for a, p in zip(runs["all"], runs["pr+dc"], strict=True)]
    print("all / pr+dc per round: " + ", ".join(f"{ratio:.2f}x" for ratio in ratios))
    print(f"best all / best pr+dc = {best['all'] / best['pr+dc']:.2f}x (goal <= 1.5x)")
    print(f"peak RSS of all: {max(r['rss_peak_mb'] for r in runs['all']):.0f} MB (goal < 2048 MB)")
    if "before" in best:
        print(f"before / best all = {best['before'] / best['all']:.2f}x (the speed-up; before: revision {args.before})")
        now, then = runs["all"][-1]["values"], runs["before"][-1]["values"]
        for key in now:
            print(f"  {key:24s} now {now[key]!r:24s} before {then[key]!r:24s} |diff| {abs(now[key] - then[key]):.3g}")


if __name__ == "__main__":
    main()
