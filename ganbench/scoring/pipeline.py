"""Scoring generated samples against a reference: plan, reference side, generated side, metrics, fingerprint.

Whatever the samples come from (files, a user's generator, a benchmark checkpoint, a dataset's held-out split)
they arrive here as a stream of batches in the dataset kind's form (uint8 images, float points).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.metrics.spec import MetricInputs, metric_settings
from ganbench.protocol import fingerprint
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.generated import extracted_inputs, point_inputs
from ganbench.scoring.job import ScoringJob, job_extractor, plan_scoring
from ganbench.scoring.reference import reference_for


@dataclass(frozen=True)
class ScoreResult:
    """Metric values by key (e.g. "fid", "is_mean") and the protocol fingerprint they were made under."""

    metrics: dict[str, float]
    protocol: dict

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "protocol": self.protocol}


def warn_if_few_samples(n: int, dim: int, side: str) -> None:
    """FID from fewer samples than feature dimensions is biased upwards: say so."""
    if n < dim:
        warnings.warn(
            f"{side} has {n} samples for {dim}-d features: the covariance is singular and FID is biased upwards; "
            "compare FIDs only at equal sample counts",
            stacklevel=3,
        )


def compute_metrics(job: ScoringJob, inputs: MetricInputs) -> dict[str, float]:
    """Every requested preset's values, in the order the presets were named."""
    values: dict[str, float] = {}
    for spec in job.specs:
        values.update(spec.compute(inputs, job.config.metric_config))
    return values


def score_batches(
    config: ScoreConfig,
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    extractor: FeatureExtractor | None = None,
    resized_from: tuple[int, int] | None = None,
) -> ScoreResult:
    """Score a stream of `total` generated samples (uint8 NCHW images, or float points for point datasets)
    against `config`'s reference with its metrics. `extractor` reuses one already built for this config.
    `resized_from`: the samples' (height, width) when it differs from the dataset's (recorded in the protocol)."""
    job = plan_scoring(config)
    config = job.config
    if job.kind.extracted:
        extractor = extractor or job_extractor(job)
        reference = reference_for(job, extractor)
        generated = extracted_inputs(batches, total, extractor, job.needs, config.progress)
        if "fid" in config.metrics:
            warn_if_few_samples(generated["n_gen"], extractor.output_dims["pool"], "the generated set")
            warn_if_few_samples(reference.n, extractor.output_dims["pool"], "the reference set")
        extractor_record, device, dtype = extractor.fingerprint(), str(extractor.device), "float32"
        if resized_from is not None:
            height, width = resized_from
            resize = f"samples {height}x{width}, not the dataset's resolution, resized by the extractor (--allow-resize)"
            extractor_record = {**extractor_record, "preprocessing": f"{extractor_record['preprocessing']}; {resize}"}
    else:
        reference = reference_for(job, None)
        generated = point_inputs(batches)
        extractor_record, device, dtype = job.kind.fingerprint, "cpu", job.kind.feature_dtype
    metric_config = config.metric_config.resolved(generated["n_gen"], reference.n)
    job = replace(job, config=replace(config, metric_config=metric_config))
    inputs = MetricInputs(n_ref=reference.n, requested=config.metrics, **reference.fields, **generated)
    protocol = fingerprint(
        extractor=extractor_record,
        n_generated=generated["n_gen"],
        n_reference=reference.n,
        reference=reference.name,
        reference_split=reference.split,
        device=device,
        metric_settings=metric_settings(metric_config, config.metrics),
        feature_dtype=dtype,
    )
    return ScoreResult(compute_metrics(job, inputs), protocol)


def score(config: ScoreConfig) -> ScoreResult:
    """Score `config.samples` (a folder / .npz of images, or an .npz of points) against the configured reference."""
    job = plan_scoring(config)
    samples = job.kind.read_samples(config.samples)
    if job.kind.extracted and len(samples) < 2:
        raise GanbenchError(f"--samples {config.samples} holds {len(samples)} image(s); at least 2 are needed")
    resized_from = check_resolution(samples, job, config) if job.kind.extracted else None
    return score_batches(config, samples.batches(config.batch_size), len(samples), resized_from=resized_from)


def sample_resolution(samples) -> tuple[int, int]:
    """(height, width) of a folder of images or an in-memory NCHW array."""
    if hasattr(samples, "height"):
        return samples.height, samples.width
    return tuple(samples.data.shape[2:4])


def check_resolution(samples, job: ScoringJob, config: ScoreConfig) -> tuple[int, int] | None:
    """None when the images have the dataset's resolution (or there is no dataset); with --allow-resize their
    (height, width) to record; otherwise a GanbenchError: a silent resize makes numbers that look comparable."""
    if job.info is None:
        return None
    size = sample_resolution(samples)
    expected = (job.info.resolution, job.info.resolution)
    if size == expected:
        return None
    if not config.allow_resize:
        raise GanbenchError(
            f"--samples {config.samples} holds {size[0]}x{size[1]} images but {job.info.name} is "
            f"{expected[0]}x{expected[1]}; generate at the dataset's resolution, or pass --allow-resize to let the "
            "extractor resize them (recorded in the protocol)"
        )
    return size
