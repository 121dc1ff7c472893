"""Speed of the modern-evaluation pieces against their references, measured in one run on this machine.

    python benchmarks/speed/modern_speed.py cmmd [--n 10000] [--dim 768] [--device cpu|cuda] [--skip-reference]
    python benchmarks/speed/modern_speed.py cmmd-memory [--n 50000] [--dim 768]
    python benchmarks/speed/modern_speed.py extractor [--models dinov2-vit-s14,dinov2-vit-l14] [--n 64] [--batch 16] [--device cpu|cuda]
    python benchmarks/speed/modern_speed.py fdinf-vendi [--n 50000] [--dim 1024]

cmmd: ganbench's chunked CMMD against a literal NumPy port of google-research/cmmd's distance.mmd (full kernel
matrices; float32 as JAX computes it, and float64), with the values' differences. cmmd-memory: ganbench's CMMD in
a fresh process, its peak RSS (VmHWM) before and after the call. extractor: images per second of ganbench's
DINOv2 / CLIP extractors (PIL resize, normalisation, network, in strict float32 and in the bf16 fast mode) on
CIFAR-sized uint8 images, against dgm-eval's pipeline on the same network (torchvision Resize((224, 224)) +
ToTensor + Normalize on each PIL image, then the batch); the weights are random (speed does not depend on them).
fdinf-vendi: FD-infinity (15 subsets) and the Vendi score (d x d route) against the n x n kernel route.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
from metrics_speed import timed  # the scripts of benchmarks/speed run from their folder


def clip_like(n: int, dim: int, seed: int, shift: float) -> np.ndarray:
    """L2-normalised float32 embeddings around a shared direction, like CLIP's."""
    rng = np.random.default_rng(seed)
    base = np.random.default_rng(99).standard_normal((1, dim), dtype=np.float32)
    x = rng.standard_normal((n, dim), dtype=np.float32) + 3 * base
    x += shift * np.random.default_rng(100).standard_normal((1, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def cmmd_literal(x: np.ndarray, y: np.ndarray, dtype) -> float:
    """google-research/cmmd distance.mmd line by line in NumPy (sigma 10, scale 1000)."""
    x, y = x.astype(dtype), y.astype(dtype)
    x_sq, y_sq = np.diag(x @ x.T), np.diag(y @ y.T)
    gamma = dtype(1 / (2 * 10**2))
    k_xx = np.mean(np.exp(-gamma * (-2 * (x @ x.T) + x_sq[:, None] + x_sq[None, :])))
    k_xy = np.mean(np.exp(-gamma * (-2 * (x @ y.T) + x_sq[:, None] + y_sq[None, :])))
    k_yy = np.mean(np.exp(-gamma * (-2 * (y @ y.T) + y_sq[:, None] + y_sq[None, :])))
    return float(1000 * (k_xx + k_yy - 2 * k_xy))


def bench_cmmd(args) -> None:
    from ganbench.metrics.cmmd import cmmd

    x, y = clip_like(args.n, args.dim, 1, 0.0), clip_like(args.n, args.dim, 2, 0.3)
    ours_t, ours = timed(lambda: cmmd(x, y, device=args.device), 2)
    print(f"CMMD {args.n} x {args.n} x {args.dim} on {args.device}")
    print(f"  ganbench (blocks of 1024, float32 GEMM, float64 sums): {ours_t:7.2f} s  value {ours:.7f}")
    if args.skip_reference:  # the literal reference holds three n x n matrices: 30 GB in float32 at 50k
        return
    ref32_t, ref32 = timed(lambda: cmmd_literal(x, y, np.float32))
    ref64_t, ref64 = timed(lambda: cmmd_literal(x, y, np.float64))
    print(f"  literal NumPy float32 (as the JAX reference):          {ref32_t:7.2f} s  value {ref32:.7f}  "
          f"ganbench {ref32_t / ours_t:.1f}x faster")
    print(f"  literal NumPy float64:                                 {ref64_t:7.2f} s  value {ref64:.7f}  "
          f"ganbench {ref64_t / ours_t:.1f}x faster")
    print(f"  |ganbench - float64| = {abs(ours - ref64):.1e};  |float32 literal - float64| = {abs(ref32 - ref64):.1e}")


MEMORY_CHILD = """
import json, sys, time, numpy as np
n, dim = int(sys.argv[1]), int(sys.argv[2])

def peak_mb():
    # VmHWM belongs to this process image; ru_maxrss would carry over the RSS of a large parent at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

sys.path.insert(0, sys.argv[3])
from modern_speed import clip_like
from ganbench.metrics.cmmd import cmmd
x, y = clip_like(n, dim, 1, 0.0), clip_like(n, dim, 2, 0.3)
before = peak_mb()
start = time.perf_counter()
value = cmmd(x, y)
elapsed = time.perf_counter() - start
print(json.dumps({"t": elapsed, "value": value, "rss_before_mb": before, "rss_peak_mb": peak_mb()}))
"""


def cmmd_memory(n: int, dim: int) -> dict:
    """ganbench's CMMD of two n x dim sets in a fresh process: time, value and peak RSS (MB) before and after."""
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(n), str(dim), str(Path(__file__).resolve().parent)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_cmmd_memory(args) -> None:
    result = cmmd_memory(args.n, args.dim)
    print(
        f"CMMD {args.n} x {args.n} x {args.dim} (CPU, fresh process): {result['t']:.1f} s, value {result['value']:.7f}; "
        f"peak RSS {result['rss_peak_mb']:.0f} MB ({result['rss_before_mb']:.0f} MB with the inputs loaded, before the call)"
    )


def random_extractor(name: str, device: str, precision: str):
    """The registered extractor's class around its network with random weights (speed does not depend on them)."""
    import torch

    from ganbench.features.clip import VIT_L14_336, ClipImageEmbedding
    from ganbench.features.dinov2 import VARIANTS, DinoV2
    from ganbench.features.modern_extractors import uninitialised

    with uninitialised():
        if name in VARIANTS:
            import timm

            network = timm.create_model(VARIANTS[name].timm_name, pretrained=False, num_classes=0, img_size=224)
        else:
            import open_clip

            network = open_clip.create_model(
                VIT_L14_336.open_clip_name, pretrained=None, force_quick_gelu=True, device="meta"
            ).visual
    network = network.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in [*network.parameters(), *network.buffers()]:
            tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.02)
    network.eval().requires_grad_(False)
    if name in VARIANTS:
        return DinoV2(name, VARIANTS[name], network, "0" * 64, device, precision)
    return ClipImageEmbedding(name, VIT_L14_336, network, "0" * 64, device, precision)


def dgm_eval_pipeline(extractor, images):
    """dgm-eval's way on the same network: torchvision transforms on each PIL image, then the batch."""
    import torch
    import torchvision.transforms as TF
    from PIL import Image

    transform = TF.Compose([
        TF.Resize((extractor.size, extractor.size), TF.InterpolationMode.BICUBIC),
        TF.ToTensor(),
        TF.Normalize(extractor.mean, extractor.std),
    ])  # fmt: skip
    batch = torch.stack([transform(Image.fromarray(image.permute(1, 2, 0).numpy())) for image in images])
    with torch.no_grad():
        return extractor.embed(batch.to(extractor.device))


def bench_extractor(args) -> None:
    import torch

    rng = np.random.default_rng(0)
    images = torch.from_numpy(rng.integers(0, 256, (args.n, 3, 32, 32), dtype=np.uint8))
    batches = [images[i : i + args.batch] for i in range(0, args.n, args.batch)]

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    print(f"extractors on {args.device}, {args.n} CIFAR-sized (32x32) images in batches of {args.batch}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in args.models.split(","):
        strict = random_extractor(name, args.device, "strict")
        strict.extract(batches[0])  # warm-up
        sync()
        ours_t, _ = timed(lambda e=strict: [e.extract(b) for b in batches] and sync())
        ref_t, _ = timed(lambda e=strict: [dgm_eval_pipeline(e, b) for b in batches] and sync())
        fast = random_extractor(name, args.device, "bf16")
        fast.extract(batches[0])
        fast_t, _ = timed(lambda e=fast: [e.extract(b) for b in batches] and sync())
        print(f"  {name:18s} ganbench strict {args.n / ours_t:8.2f} img/s | reference pipeline "
              f"{args.n / ref_t:8.2f} img/s (ratio {ref_t / ours_t:.2f}) | ganbench bf16 {args.n / fast_t:8.2f} img/s")


def bench_fdinf_vendi(args) -> None:
    import scipy.linalg

    from ganbench.metrics.config import subset_sizes
    from ganbench.metrics.fd_infinity import fd_infinity
    from ganbench.metrics.vendi import renyi_entropy, vendi_score

    rng = np.random.default_rng(0)
    gen = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    ref = rng.standard_normal((args.n, args.dim), dtype=np.float32) * 1.1
    mu, sigma = ref.mean(0, dtype=np.float64), np.cov(ref, rowvar=False)
    t, result = timed(lambda: fd_infinity(gen, mu, sigma, subset_sizes(args.n), seed=0))
    print(f"FD-infinity {args.n} x {args.dim}, 15 subsets {result.sizes[0]}..{result.sizes[-1]}: {t:.1f} s "
          f"(FD_inf {result.value:.4f}, FD_{args.n} {result.distances[-1]:.4f})")
    t, value = timed(lambda: vendi_score(gen))
    print(f"Vendi {args.n} x {args.dim} from the d x d matrix: {t:.2f} s (value {value:.3f})")
    small = min(args.n, 8000)

    def kernel_route():
        x = gen[:small].astype(np.float64)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return float(np.exp(renyi_entropy(scipy.linalg.eigvalsh(x @ x.T / small), 1.0)))

    kernel_t, kernel = timed(kernel_route)
    ours_t, ours = timed(lambda: vendi_score(gen[:small]))
    print(f"Vendi {small} x {args.dim}: d x d {ours_t:.2f} s vs n x n kernel (the authors' route) {kernel_t:.2f} s "
          f"({kernel_t / ours_t:.0f}x); relative difference {abs(ours - kernel) / kernel:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["cmmd", "cmmd-memory", "extractor", "fdinf-vendi"])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--dim", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", default="dinov2-vit-s14,dinov2-vit-l14")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--skip-reference", action="store_true", help="cmmd: time only ganbench (large n)")
    args = parser.parse_args()
    defaults = {"cmmd": (10_000, 768), "cmmd-memory": (50_000, 768), "extractor": (64, 0), "fdinf-vendi": (50_000, 1024)}
    args.n = args.n or defaults[args.what][0]
    args.dim = args.dim or defaults[args.what][1]
    {"cmmd": bench_cmmd, "cmmd-memory": bench_cmmd_memory, "extractor": bench_extractor, "fdinf-vendi": bench_fdinf_vendi}[
        args.what
    ](args)


if __name__ == "__main__":
    main()
