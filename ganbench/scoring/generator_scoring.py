"""Scoring a generator under a dataset's protocol: samples streamed straight into the scoring pipeline.

On a GPU, generation, the uint8 conversion, feature extraction and the running statistics all stay on the
device, batch after batch; samples reach the disk only with `save_samples`.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from ganbench.data.sampling import SamplingConfig, sample_batches, sample_codes
from ganbench.errors import GanbenchError
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.generator_loading import GeneratorSource, load_generator_source
from ganbench.scoring.pipeline import ScoreResult, plan_with_extractors, score_batches
from ganbench.seeding import NOISE_PROVENANCE


def score_generator(
    config: ScoreConfig, source: GeneratorSource, sampling: SamplingConfig, save_samples: str | None = None
) -> ScoreResult:
    """Draw `sampling.n` seeded samples (None: the dataset protocol's count) and score them under `config`.

    Every protocol gains a `sampling` record: the generator, its checkpoint, the seed and how noise is drawn.
    """
    jobs, extractors = plan_with_extractors(config)
    job = jobs[0]
    if sampling.n is None:
        if job.info is None:
            raise GanbenchError("--n is needed when the reference is not a --dataset")
        sampling = replace(sampling, n=job.info.protocol.n_generated)
    generator = load_generator_source(source)
    batches = sample_batches(generator, sampling, job.info, source.device)
    if save_samples:
        batches = job.kind.write_samples(batches, Path(save_samples))
    result = score_batches(config, batches, sampling.n, extractors, gen_codes=sample_codes(generator, sampling.n))
    record = {
        "generator": source.spec,
        "checkpoint": source.checkpoint,
        "seed": sampling.seed,
        "noise": NOISE_PROVENANCE,
        **{k: v for k, v in asdict(sampling).items() if k in ("output_range", "z_dim")},
    }
    return result.with_protocol(sampling=record)
