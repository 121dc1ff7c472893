"""Evaluating one checkpoint of a benchmark cell under the dataset's protocol.

The generator draws the protocol's sample count from the evaluation noise of ganbench.seeding
(fixed chunks, so the samples do not depend on the batch size), the samples stream into the
scoring pipeline of ganbench.score, and the reference side comes from the reference cache.
A small sample file (an image grid, or 2-D points) is written next to the checkpoint for the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from ganbench.config import ScoreConfig
from ganbench.data.base import DatasetInfo
from ganbench.errors import GanbenchError
from ganbench.score import ScoreResult, score_batches
from ganbench.seeding import NOISE_CHUNK

#: Samples per generator call while evaluating.
EVAL_BATCH = 250
#: Images in the sample grid written at each evaluation (points: all generated points up to this many).
GRID_IMAGES = 64
SCATTER_POINTS = 2500


@dataclass(frozen=True)
class EvalSettings:
    """What every evaluation of a grid shares: the scoring config (dataset, metrics, reference count) and n."""

    score: ScoreConfig
    n_generated: int


def _image_batches(
    generator: torch.nn.Module, n: int, seed: int, info: DatasetInfo, keep: list[torch.Tensor]
) -> Iterator[torch.Tensor]:
    """uint8 NCHW batches of samples 0 .. n-1 of evaluation seed `seed` (checked as any scored generator's
    output is: shape, NaN, range [-1, 1]); the first GRID_IMAGES are kept in [-1, 1] for the grid."""
    from ganbench.sampling import SamplingConfig, sample_batches

    device = next(generator.parameters()).device
    sampling = SamplingConfig(n=n, seed=seed, batch_size=EVAL_BATCH, output_range="-1,1")
    for batch in sample_batches(generator, sampling, info, device):
        if sum(len(k) for k in keep) < GRID_IMAGES:
            keep.append(batch[: GRID_IMAGES - sum(len(k) for k in keep)].cpu().float() / 127.5 - 1.0)
        yield batch


def evaluate_checkpoint(
    checkpoint: Path,
    settings: EvalSettings,
    info: DatasetInfo,
    seed: int,
    device: str,
    samples_stem: Path,
    extractor=None,
) -> ScoreResult:
    """Score the generator of `checkpoint` with `settings.n_generated` samples of evaluation seed `seed`.

    Writes `samples_stem`.png (a grid of the first images) or .npz (`points`, `modes`, `dataset`) for the
    figures. The protocol gains a `sampling` record (seed and noise); it is not part of the comparable keys.
    """
    from ganbench.checkpoint import load_generator

    generator = load_generator(checkpoint, device)
    n = settings.n_generated
    config = replace(settings.score, progress=False)
    if info.kind == "points":
        from ganbench.models import generate

        points = generate(generator, n, seed, batch_size=EVAL_BATCH).double().cpu().numpy()
        if not np.isfinite(points).all():
            raise GanbenchError("the generator produced NaN or inf points; the checkpoint's weights are broken")
        extra = {"modes": np.asarray(info.modes)} if info.modes is not None else {}
        np.savez(samples_stem.with_suffix(".npz"), points=points[:SCATTER_POINTS], dataset=info.name, **extra)
        result = score_batches(config, None, 0, points=points)
    else:
        from ganbench.train_log import save_image_grid

        kept: list[torch.Tensor] = []
        result = score_batches(config, _image_batches(generator, n, seed, info, kept), n, extractor=extractor)
        save_image_grid(torch.cat(kept), samples_stem.with_suffix(".png"))
    sampling = {"seed": seed, "noise": f"ganbench.seeding eval_noise, standard normal, chunks of {NOISE_CHUNK}"}
    return ScoreResult(result.metrics, {**result.protocol, "sampling": sampling})


def warm_reference(settings: EvalSettings, info: DatasetInfo) -> None:
    """Compute (or check) the cached reference statistics and features once, before any cell runs.

    Parallel cells then all read the same cache file instead of each computing it.
    """
    if info.kind == "points":
        return
    from ganbench.data.resolve import resolve_dataset
    from ganbench.features.base import build_extractor
    from ganbench.score import default_metrics, extractor_name, metric_specs, needs_of, reference_from_dataset

    config = default_metrics(settings.score)
    spec = resolve_dataset(config.dataset, config.data_config)
    extractor = build_extractor(extractor_name(config, spec), config.extractor_config)
    reference_from_dataset(config, spec, extractor, needs_of(metric_specs(config.metrics)))
