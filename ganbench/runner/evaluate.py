"""Evaluating one checkpoint of a benchmark cell under the dataset's protocol.

The generator draws the protocol's sample count from the evaluation noise of ganbench.seeding (fixed chunks,
so the samples do not depend on the batch size), checked and converted as any scored generator's output is,
and the samples stream into the scoring pipeline; the reference side comes from the reference cache. The
first samples are kept beside the checkpoint (an image grid, or the points) for the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from ganbench.data.base import DatasetInfo
from ganbench.data.kinds import kind_of
from ganbench.data.sampling import SamplingConfig, sample_batches, sample_codes
from ganbench.features.base import FeatureExtractor
from ganbench.models.loading import load_generator
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.path_length import path_length_inputs
from ganbench.scoring.pipeline import ScoreResult, plan_with_extractors, score_batches
from ganbench.scoring.reference import reference_for
from ganbench.seeding import NOISE_PROVENANCE

#: Samples per generator call while evaluating.
EVAL_BATCH = 250
#: Samples kept for the figures at each evaluation: an image grid of the first ones, or the first points.
KEPT_SAMPLES = {"image": 64, "points": 2500}


@dataclass(frozen=True)
class EvalSettings:
    """What every evaluation of a grid shares: the scoring config (dataset, metrics, reference count) and n."""

    score: ScoreConfig
    n_generated: int


def keeping_first(batches: Iterator[torch.Tensor], limit: int, kept: list[torch.Tensor]) -> Iterator[torch.Tensor]:
    """Pass batches through while keeping (on the CPU) the first `limit` samples in `kept`."""
    for batch in batches:
        have = sum(len(k) for k in kept)
        if have < limit:
            kept.append(batch[: limit - have].cpu())
        yield batch


def evaluation_extractors(settings: EvalSettings, info: DatasetInfo) -> dict[str, FeatureExtractor]:
    """The extractors every evaluation of a cell shares, by name (none for point datasets): built once per cell."""
    if not kind_of(info).extracted:
        return {}
    return plan_with_extractors(settings.score)[1]


def evaluate_checkpoint(
    checkpoint: Path,
    settings: EvalSettings,
    info: DatasetInfo,
    *,
    seed: int,
    device: str,
    samples_stem: Path,
    extractors: dict[str, FeatureExtractor] | None = None,
) -> ScoreResult:
    """Score the generator of `checkpoint` with `settings.n_generated` samples of evaluation seed `seed`.

    Writes the first samples to `samples_stem` + the kind's suffix for the figures. Every protocol of the
    result gains a `sampling` record (seed and noise); it is not part of the comparable keys.
    """
    generator = load_generator(checkpoint, device)
    kind = kind_of(info)
    sampling = SamplingConfig(n=settings.n_generated, seed=seed, batch_size=EVAL_BATCH, output_range="-1,1")
    kept: list[torch.Tensor] = []
    batches = keeping_first(sample_batches(generator, sampling, info, device), KEPT_SAMPLES[kind.name], kept)
    config = replace(settings.score, progress=False)
    codes = sample_codes(generator, settings.n_generated)
    measured, lpips_record = path_length_inputs(config, generator, info, EVAL_BATCH, device, output_range="-1,1")
    result = score_batches(
        config, batches, settings.n_generated, extractors=extractors, gen_codes=codes, generator_inputs=measured
    )
    kind.save_evaluation_samples(torch.cat(kept), samples_stem, info)
    return result.with_protocol(sampling={"seed": seed, "noise": NOISE_PROVENANCE}, **lpips_record)


def warm_reference(settings: EvalSettings) -> None:
    """Compute (or check) the cached reference statistics and features once, before any cell runs.

    Parallel cells then all read the same cache file instead of each computing it. A metric the extractor
    cannot feed is refused here, before any cell trains.
    """
    jobs, extractors = plan_with_extractors(settings.score)
    for job in jobs:
        if job.kind.extracted:
            reference_for(job, extractors[job.extractor])
