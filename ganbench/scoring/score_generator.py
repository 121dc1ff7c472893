"""Scoring a generator under a dataset's protocol: samples streamed straight into the scoring pipeline.

On a GPU, generation, the uint8 conversion, feature extraction and the running statistics all stay on the
device, batch after batch; samples reach the disk only with `save_samples`.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path

import torch

from ganbench.data.kinds import SampleKind
from ganbench.data.sampling import SamplingConfig, sample_batches, sample_codes
from ganbench.errors import GanbenchError
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.path_length import path_length_inputs
from ganbench.scoring.pipeline import ScoreResult, score_batches
from ganbench.scoring.plan import planned
from ganbench.scoring.user_generators import GeneratorSource, load_generator_source
from ganbench.seeding import NOISE_PROVENANCE


def check_samples_folder(folder: str | Path) -> Path:
    """--save-samples must name a new or empty folder: stale files would mix into later scores of the folder."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is a file" if not folder.is_dir() else "is not empty"
        raise GanbenchError(f"--save-samples {folder} {what}; give a new or empty folder so no stale sample mixes in")
    return folder


def saved_samples(batches: Iterable[torch.Tensor], kind: SampleKind, folder: Path) -> Iterator[torch.Tensor]:
    """Pass batches through while the kind stores them in a hidden `.NAME.partial` folder beside `folder`, renamed
    to `folder` once the last batch has passed: an interrupted save never leaves a folder that looks complete."""
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)  # left by an interrupted save
    yield from kind.write_samples(batches, partial)
    if folder.is_dir():
        folder.rmdir()  # empty: checked before sampling started
    partial.rename(folder)


def score_generator(
    config: ScoreConfig, source: GeneratorSource, sampling: SamplingConfig, save_samples: str | None = None
) -> ScoreResult:
    """Draw `sampling.n` seeded samples (None: the dataset protocol's count) and score them under `config`.

    Every protocol gains a `sampling` record: the generator, its checkpoint, the seed and how noise is drawn.
    `save_samples` must be a new or empty folder; it appears only once every sample is written.
    """
    plan = planned(config)
    job = plan.main
    if save_samples:
        save_samples = check_samples_folder(save_samples)
    if sampling.n is None:
        if job.info is None:
            raise GanbenchError("--n is needed when the reference is not a --dataset")
        sampling = replace(sampling, n=job.info.protocol.n_generated)
    generator = load_generator_source(source)
    batches = sample_batches(generator, sampling, job.info, source.device)
    first = next(batches)  # checked (shape, dtype, values) before the reference side is computed
    batches = itertools.chain([first], batches)
    if save_samples:
        batches = saved_samples(batches, job.kind, save_samples)
    generator_inputs, lpips_record = path_length_inputs(  # PPL walks the generator's latent space itself
        plan, generator, job.info, sampling.batch_size, source.device, sampling.z_dim, sampling.output_range
    )
    codes = sample_codes(generator, sampling.n)
    result = score_batches(plan, batches, sampling.n, gen_codes=codes, generator_inputs=generator_inputs)
    record = {
        "generator": source.spec,
        "checkpoint": source.checkpoint,
        "seed": sampling.seed,
        "noise": NOISE_PROVENANCE,
        **{k: v for k, v in asdict(sampling).items() if k in ("output_range", "z_dim")},
    }
    return result.with_protocol(sampling=record, **lpips_record)
