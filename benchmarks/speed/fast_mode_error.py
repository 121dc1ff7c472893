"""How far the fast extractor modes (bf16, tf32) move real InceptionV3 features and FID: mnist5k real vs generated.

Used by score_speed.py (`--fast-error-n`). Real: evenly spaced images of the mnist5k test split. Generated:
ganbench's `dcgan` trained on mnist5k for a few hundred steps (seed 0; in the benchmark's work folder), sampled
with evaluation seed 0. Both sets go through the strict extractor and each fast mode; printed per mode: the
per-image relative L2 feature error (mean and max over both sets), FID(real, generated) under each mode, |dFID|,
and the throughput of each pass. Needs real weights (random weights say nothing about real features).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from ganbench.cli import main as ganbench_main
from ganbench.data.base import DataConfig
from ganbench.data.resolve import resolve_dataset
from ganbench.data.sampling import SamplingConfig, sample_batches
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.models.checkpoint_generator import load_generator

DATASET = "mnist5k"


def trained_generator(work: Path, steps: int, device: torch.device) -> torch.nn.Module:
    """ganbench's dcgan trained `steps` steps on mnist5k (seed 0), resumed from `work` if already there."""
    run = work / f"dcgan-{DATASET}-{steps}"
    argv = ["train", "--model", "dcgan", "--dataset", DATASET, "--out", str(run), "--steps", str(steps),
            "--checkpoint-every", str(steps), "--device", str(device), "--no-tensorboard", "--quiet"]
    if ganbench_main(argv) != 0:
        raise RuntimeError("training the mnist5k generator failed")
    newest = sorted((run / "checkpoints").glob("step_*.json"))[-1]
    return load_generator(newest, device)


def image_sets(n: int, steps: int, work: Path, device: torch.device) -> dict[str, torch.Tensor]:
    """`n` real mnist5k test images (evenly spaced, so every class is there) and `n` generated ones, uint8 NCHW."""
    spec = resolve_dataset(DATASET)
    real = spec.load("test", DataConfig()).data
    if n > len(real):
        raise SystemExit(f"--fast-error-n is at most {len(real)} (the mnist5k test split)")
    picked = real[np.linspace(0, len(real) - 1, n).round().astype(int)]
    generator = trained_generator(work, steps, device)
    generated = torch.cat(list(sample_batches(generator, SamplingConfig(n=n, batch_size=250), spec.info, device)))
    return {"real": torch.from_numpy(picked), "generated": generated.cpu()}


def features(config: ExtractorConfig, images: torch.Tensor, batch: int) -> tuple[np.ndarray, float]:
    """Pool features (float64) of `images` and the seconds the pass took (after one warm-up batch)."""
    extractor = build_extractor("inception-v3-compat", config)
    extractor.extract(images[:batch])
    device = extractor.device
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    parts = [extractor.extract(images[i : i + batch])["pool"].double().cpu() for i in range(0, len(images), batch)]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return torch.cat(parts).numpy(), time.perf_counter() - start


def fid(a: np.ndarray, b: np.ndarray) -> float:
    return frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


def report(strict_config: ExtractorConfig, modes: list[str], n: int, steps: int, batch: int, work: Path) -> None:
    """Print the feature and FID error of each fast mode against strict float32, on real and generated mnist5k."""
    device = torch.device(strict_config.device)
    sets = image_sets(n, steps, work, device)
    print(f"\nfast modes on real features: {DATASET} test (n={n}) vs dcgan trained {steps} steps (n={n})")
    runs = {}
    for mode in ["strict", *modes]:
        config = replace(strict_config, precision=mode)
        runs[mode] = {name: features(config, images, batch) for name, images in sets.items()}
    strict = {name: f for name, (f, _) in runs["strict"].items()}
    fid_strict = fid(strict["real"], strict["generated"])
    print(f"{'mode':<8} {'img/s':>7} {'rel feat err mean':>18} {'max':>9} {'FID':>12} {'|dFID|':>10} {'|dFID|/FID':>11}")
    for mode, passes in runs.items():
        seconds = sum(s for _, s in passes.values())
        errors = np.concatenate([
            np.linalg.norm(passes[name][0] - strict[name], axis=1) / np.linalg.norm(strict[name], axis=1) for name in sets
        ])
        value = fid(passes["real"][0], passes["generated"][0])
        delta = abs(value - fid_strict)
        print(
            f"{mode:<8} {2 * n / seconds:>7.1f} {errors.mean():>18.2e} {errors.max():>9.2e} "
            f"{value:>12.6f} {delta:>10.2e} {delta / fid_strict:>11.2e}"
        )
