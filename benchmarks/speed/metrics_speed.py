"""Metric speed against the reference libraries, measured in one run on this machine.

    python benchmarks/metrics_speed.py [--n 10000] [--dim 2048] [--device cpu|cuda] [--skip-prdc]

Prints, for each metric, ganbench's time, the reference's time, their ratio and
the largest difference between the values. Features are synthetic but shaped
like Inception pool features (non-negative, low-rank structure plus noise).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import time

import numpy as np


def inception_like_features(n: int, dim: int, seed: int, shift: float) -> np.ndarray:
    """Non-negative features with a low-rank structure, like averaged ReLU activations."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(1234).standard_normal((64, dim)).astype(np.float32) / 8
    latent = rng.standard_normal((n, 64)).astype(np.float32) + shift
    noise = rng.standard_normal((n, dim)).astype(np.float32) * 0.3
    return np.maximum(latent @ basis + noise, 0).astype(np.float32)


def timed(fn, repeats: int = 1):
    """(best wall time over `repeats`, result of the last call)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_fid(dim: int, n: int) -> list[dict]:
    from pytorch_fid.fid_score import calculate_frechet_distance
    from torch_fidelity.metric_fid import fid_statistics_to_metric

    from ganbench.metrics.frechet import frechet_distance

    a = inception_like_features(n, dim, 1, 0.0)
    b = inception_like_features(n, dim, 2, 0.1)
    mu1, mu2 = a.mean(0, dtype=np.float64), b.mean(0, dtype=np.float64)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ours_t, ours = timed(lambda: frechet_distance(mu1, s1, mu2, s2), 3)
    fidelity_t, fidelity = timed(
        lambda: fid_statistics_to_metric({"mu": mu1, "sigma": s1}, {"mu": mu2, "sigma": s2}, False)["frechet_inception_distance"], 3
    )
    pytorch_fid_t, pytorch_fid = timed(lambda: calculate_frechet_distance(mu1, s1, mu2, s2), 1)
    return [
        row("FID from stats", "torch-fidelity", ours_t, fidelity_t, ours, fidelity),
        row("FID from stats", "pytorch-fid", ours_t, pytorch_fid_t, ours, pytorch_fid),
    ]


def row(metric: str, reference: str, ours_t: float, ref_t: float, ours: float, ref: float) -> dict:
    return {
        "metric": metric,
        "reference": reference,
        "ganbench_s": ours_t,
        "reference_s": ref_t,
        "speedup": ref_t / ours_t,
        "rel_diff": abs(ours - ref) / max(abs(ref), 1e-300),
        "ganbench_value": ours,
        "reference_value": ref,
    }


CHILD = """
import json, resource, sys, time, numpy as np, torch
real, fake = np.load(sys.argv[1]), np.load(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[3] == "cuda":
    torch.cuda.init(); torch.cuda.reset_peak_memory_stats()
from ganbench.metrics.manifold import manifold_scores
start = time.perf_counter()
s = manifold_scores(real, fake, pr_k=int(sys.argv[4]), dc_k=int(sys.argv[5]), device=sys.argv[3])
if sys.argv[3] == "cuda":
    torch.cuda.synchronize()
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gpu_peak = torch.cuda.max_memory_allocated() if sys.argv[3] == "cuda" else 0
print(json.dumps({"t": elapsed, "rss_peak_mb": peak / 1024, "rss_before_mb": base / 1024, "gpu_peak_mb": gpu_peak / 2**20,
                  "p": s.precision, "r": s.recall, "d": s.density, "c": s.coverage}))
"""


def run_ours_in_child(real_path: str, fake_path: str, device: str, pr_k: int, dc_k: int) -> dict:
    """ganbench's precision/recall/density/coverage in a fresh process, so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, real_path, fake_path, device, str(pr_k), str(dc_k)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_prdc(n: int, dim: int, device: str, skip_reference: bool, tmp: str) -> list[dict]:
    real = inception_like_features(n, dim, 3, 0.0)
    fake = inception_like_features(n, dim, 4, 0.15)
    real_path, fake_path = f"{tmp}/real.npy", f"{tmp}/fake.npy"
    np.save(real_path, real)
    np.save(fake_path, fake)
    ours = run_ours_in_child(real_path, fake_path, device, 5, 5)
    print(
        f"ganbench precision/recall/density/coverage k=5, {n} vs {n} x {dim}: {ours['t']:.2f} s on {device}, "
        f"peak RSS {ours['rss_peak_mb']:.0f} MB (after loading features: {ours['rss_before_mb']:.0f} MB)"
        + (f", GPU peak {ours['gpu_peak_mb']:.0f} MB" if device == "cuda" else "")
    )
    if skip_reference:
        return []
    from prdc import compute_prdc

    with contextlib.redirect_stdout(io.StringIO()):
        ref_t, ref = timed(lambda: compute_prdc(real, fake, 5))
    rows = []
    for key, name in (("p", "precision"), ("r", "recall"), ("d", "density"), ("c", "coverage")):
        rows.append(row(f"{name} (10k-style, k=5)", "prdc", ours["t"], ref_t, ours[key], float(ref[name])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="samples per side for precision/recall/density/coverage")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--fid-n", type=int, default=4000, help="samples behind each FID covariance")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--skip-prdc-reference", action="store_true", help="time only ganbench (e.g. 50k on a GPU)")
    args = parser.parse_args()

    import tempfile

    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    rows = bench_fid(args.dim, args.fid_n)
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_prdc(args.n, args.dim, args.device, args.skip_prdc_reference, tmp)
    print(f"{'metric':32s} {'reference':15s} {'ganbench s':>11s} {'reference s':>12s} {'speedup':>8s} {'rel diff':>10s}")
    for r in rows:
        print(
            f"{r['metric']:32s} {r['reference']:15s} {r['ganbench_s']:11.3f} {r['reference_s']:12.3f} "
            f"{r['speedup']:7.2f}x {r['rel_diff']:10.1e}"
        )


if __name__ == "__main__":
    main()
