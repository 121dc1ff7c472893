"""The generated side of the perceptual path length: LPIPS distances between a generator's images at latent pairs
a small step apart, drawn as torch-fidelity's `calculate_ppl` draws them.

Latents: `np.random.RandomState(ppl_seed)` draws z0 (n x z_dim standard normal), then z1, then (conditional
generators) one class label per pair; z1 becomes interp(z0, z1, epsilon) (lerp or slerp, torch-fidelity's own
functions); both ends go through the generator in one call per batch with the same label. Every draw is made up
front, so the distances do not depend on the batch size. Images are converted to uint8 as every score converts
them (the output range decided from the first batch), gray repeated to RGB, and the distance / epsilon^2 kept.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from torch import nn

from ganbench.data.base import DatasetInfo
from ganbench.data.kinds import SAMPLE_KINDS, OutputRange, kind_of
from ganbench.data.sampling import generator_z_dim
from ganbench.errors import GanbenchError
from ganbench.features.lpips import Lpips, build_lpips
from ganbench.metrics.config import PathLengthConfig
from ganbench.scoring.plan import ScoringPlan

INTERPOLATIONS = ("lerp", "slerp_any", "slerp_unit")


def path_latents(n: int, z_dim: int, num_classes: int, settings: PathLengthConfig):
    """(z0, z1 moved epsilon towards its pair, labels or None), as torch-fidelity draws them."""
    from torch_fidelity.noise import batch_lerp, batch_slerp_any, batch_slerp_unit

    if settings.ppl_interpolation not in INTERPOLATIONS:
        raise GanbenchError(f"--ppl-interpolation {settings.ppl_interpolation!r} is unknown; use one of {', '.join(INTERPOLATIONS)}")
    if not 0 < settings.ppl_epsilon:
        raise GanbenchError("--ppl-epsilon must be above 0")
    interp = {"lerp": batch_lerp, "slerp_any": batch_slerp_any, "slerp_unit": batch_slerp_unit}[settings.ppl_interpolation]
    rng = np.random.RandomState(settings.ppl_seed)
    z0 = torch.from_numpy(rng.randn(n, z_dim)).float()
    z1 = torch.from_numpy(rng.randn(n, z_dim)).float()
    z1 = interp(z0, z1, settings.ppl_epsilon)
    labels = torch.from_numpy(rng.randint(0, num_classes, (n,))) if num_classes else None
    return z0, z1, labels


@torch.no_grad()
def ppl_distances(
    generator: nn.Module,
    lpips: Lpips,
    settings: PathLengthConfig,
    info: DatasetInfo | None,
    batch_size: int,
    device: torch.device | str,
    z_dim: int | None = None,
    output_range: OutputRange = "auto",
) -> np.ndarray:
    """LPIPS(G(z0), G(z1)) / epsilon^2 for `settings.ppl_samples` latent pairs, float32 (n,), in draw order."""
    kind = SAMPLE_KINDS.get("image") if info is None else kind_of(info)
    if not kind.extracted:
        raise GanbenchError("ppl measures image distances (LPIPS); it has no meaning on a point dataset, drop it")
    num_classes = int(getattr(generator, "num_classes", 0) or 0)
    z0, z1, labels = path_latents(settings.ppl_samples, generator_z_dim(generator, z_dim), num_classes, settings)
    out = []
    for start in range(0, len(z0), batch_size):
        stop = min(start + batch_size, len(z0))
        z = torch.cat((z0[start:stop], z1[start:stop])).to(device)
        try:
            if labels is None:
                batch = generator(z)
            else:
                batch = generator(z, torch.cat((labels[start:stop], labels[start:stop])).to(device))
        except Exception as error:
            raise GanbenchError(f"the generator failed on PPL's latents ({type(error).__name__}: {error})") from None
        seen = kind.check_batch(batch, info, 2 * (stop - start))
        if output_range == "auto":
            output_range = kind.resolve_range(batch, seen, output_range)
        images = kind.convert(batch, output_range, seen)
        if images.shape[1] == 1:
            images = images.repeat(1, 3, 1, 1)
        first, second = images.chunk(2)
        out.append((lpips(first, second) / settings.ppl_epsilon**2).float().cpu().numpy())
    return np.concatenate(out)


def path_length_inputs(
    plan: ScoringPlan,
    generator: nn.Module,
    info: DatasetInfo | None,
    batch_size: int,
    device: torch.device | str,
    z_dim: int | None = None,
    output_range: OutputRange = "auto",
) -> tuple[dict, dict]:
    """({"ppl_distances": ...}, {"lpips": the sha256 of its weight files}) when one of `plan`'s jobs computes ppl,
    else ({}, {}): the metric inputs measured on the generator itself, and the protocol record they add. The LPIPS
    network is the built plan's (one per cell, whatever its evaluations), else built here."""
    if "ppl" not in plan.metrics:
        return {}, {}
    settings = plan.config.metric_config.path_length
    lpips, files = plan.path_length_network or build_lpips(
        replace(plan.config.extractor_config, device=str(device)), settings.ppl_resize
    )
    distances = ppl_distances(generator, lpips.to(device), settings, info, batch_size, device, z_dim, output_range)
    return {"ppl_distances": distances}, {"lpips": files.record()}
