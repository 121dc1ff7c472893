"""Evaluating one checkpoint of a benchmark cell under the dataset's protocol.

The generator draws the protocol's sample count from the evaluation noise of ganbench.seeding (fixed chunks,
so the samples do not depend on the batch size), checked and converted as any scored generator's output is,
and the samples stream into the scoring pipeline; the reference side comes from the reference cache. The
first samples are kept beside the checkpoint (an image grid, or the points) for the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from ganbench.data.base import DatasetInfo
from ganbench.data.kinds import kind_of
from ganbench.data.sampling import SamplingConfig, sample_batches, sample_codes
from ganbench.models.checkpoint_generator import load_generator
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.path_length import path_length_inputs
from ganbench.scoring.pipeline import ScoreResult, score_batches
from ganbench.scoring.plan import ScoringPlan
from ganbench.seeding import NOISE_PROVENANCE

#: Samples per generator call while evaluating.
EVAL_BATCH = 250
#: Samples kept for the figures at each evaluation: an image grid of the first ones, or the first points.
KEPT_SAMPLES = {"image": 64, "points": 2500}


@dataclass(frozen=True)
class EvalSettings:
    """What every evaluation of a grid shares: its scoring, planned once by the grid (dataset, metrics, extractors,
    reference count), and the number of samples generated."""

    scoring: ScoringPlan
    n_generated: int

    @property
    def score(self) -> ScoreConfig:
        """The scoring request (its dataset, data and extractor settings)."""
        return self.scoring.config

    def configured(self, change: Callable[[ScoreConfig], ScoreConfig]) -> EvalSettings:
        """These settings with `change` applied to every config of the scoring (ScoringPlan.configured)."""
        return replace(self, scoring=self.scoring.configured(change))


def keeping_first(batches: Iterator[torch.Tensor], limit: int, kept: list[torch.Tensor]) -> Iterator[torch.Tensor]:
    """Pass batches through while keeping (on the CPU) the first `limit` samples in `kept`."""
    for batch in batches:
        have = sum(len(k) for k in kept)
        if have < limit:
            kept.append(batch[: limit - have].cpu())
        yield batch


def evaluate_checkpoint(
    checkpoint: Path,
    settings: EvalSettings,
    info: DatasetInfo,
    *,
    seed: int,
    device: str,
    samples_stem: Path,
    scoring: ScoringPlan | None = None,
) -> ScoreResult:
    """Score the generator of `checkpoint` with `settings.n_generated` samples of evaluation seed `seed`;
    `scoring`: the settings' plan with its extractors built, which every evaluation of a cell shares.

    Writes the first samples to `samples_stem` + the kind's suffix for the figures. Every protocol of the
    result gains a `sampling` record (seed and noise); it is not part of the comparable keys.
    """
    generator = load_generator(checkpoint, device)
    kind = kind_of(info)
    sampling = SamplingConfig(n=settings.n_generated, seed=seed, batch_size=EVAL_BATCH, output_range="-1,1")
    kept: list[torch.Tensor] = []
    batches = keeping_first(sample_batches(generator, sampling, info, device), KEPT_SAMPLES[kind.name], kept)
    codes = sample_codes(generator, settings.n_generated)
    plan = scoring or settings.scoring
    measured, lpips_record = path_length_inputs(plan, generator, info, EVAL_BATCH, device, output_range="-1,1")
    result = score_batches(plan, batches, settings.n_generated, gen_codes=codes, generator_inputs=measured)
    kind.save_evaluation_samples(torch.cat(kept), samples_stem, info)
    return result.with_protocol(sampling={"seed": seed, "noise": NOISE_PROVENANCE}, **lpips_record)


def warm_reference(settings: EvalSettings) -> None:
    """Compute (or check) the cached reference statistics and features once, before any cell runs.

    Parallel cells then all read the same cache file instead of each computing it. A metric the extractor
    cannot feed is refused here, before any cell trains.
    """
    if settings.scoring.kind.extracted:
        settings.scoring.built().references()
