"""Scoring generated samples against a reference: plan, reference side, generated side, metrics, fingerprint.

Whatever the samples come from (files, a user's generator, a benchmark checkpoint, a dataset's held-out split)
they arrive here as a stream of batches in the dataset kind's form (uint8 images, float points). When the
metrics are seen through several extractors (Inception's FID and FD_DINOv2, say) every batch goes through each
of them in the same pass, and each extractor's numbers get their own protocol fingerprint.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import torch

from ganbench.errors import GanbenchError
from ganbench.metrics.spec import MetricInputs, metric_settings
from ganbench.protocol import fingerprint
from ganbench.scoring.cas_inputs import cas_fields
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.generated_inputs import extracted_inputs, kept, point_inputs
from ganbench.scoring.job import ScoringJob
from ganbench.scoring.plan import ScoringPlan, planned
from ganbench.scoring.reference import Reference


@dataclass(frozen=True)
class ScoreResult:
    """Metric values by key (e.g. "fid", "is_mean") and the protocol fingerprint they were made under; `also`
    holds the results of further extractors' protocols on the same samples (each with its own fingerprint)."""

    metrics: dict[str, float]
    protocol: dict
    also: tuple[ScoreResult, ...] = ()

    def parts(self) -> tuple[ScoreResult, ...]:
        """One result per protocol, the main one first, none with `also`."""
        return (replace(self, also=()), *self.also)

    def with_protocol(self, **extra) -> ScoreResult:
        """This result with `extra` added to the protocol record of every part."""
        return ScoreResult(
            self.metrics, {**self.protocol, **extra}, tuple(part.with_protocol(**extra) for part in self.also)
        )

    def to_json(self) -> dict:
        record = {"metrics": self.metrics, "protocol": self.protocol}
        if self.also:
            record["also"] = [part.to_json() for part in self.also]
        return record


def warn_if_few_samples(job: ScoringJob, n: int, dim: int, side: str) -> None:
    """A metric that fits a covariance to the features (MetricSpec.covariance: FID) is biased upwards from fewer
    samples than feature dimensions: say so."""
    if n < dim and any(spec.covariance for spec in job.specs):
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


def finish(
    job: ScoringJob,
    reference: Reference,
    generated: dict,
    record: dict,
    device: str,
    dtype: str,
    gen_codes: np.ndarray | None = None,
) -> ScoreResult:
    """The metrics of one job from its reference and generated inputs (and the generator's codes, if any), with
    the job's protocol fingerprint."""
    config = job.config
    metric_config = config.metric_config.resolved(generated["n_gen"], reference.n)
    job = replace(job, config=replace(config, metric_config=metric_config))
    inputs = MetricInputs(n_ref=reference.n, requested=config.metrics, gen_codes=gen_codes, **reference.fields, **generated)
    protocol = fingerprint(
        extractor=record,
        n_generated=generated["n_gen"],
        n_reference=reference.n,
        reference=reference.name,
        reference_split=reference.split,
        device=device,
        metric_settings=metric_settings(metric_config, config.metrics),
        feature_dtype=dtype,
    )
    return ScoreResult(compute_metrics(job, inputs), protocol)


def score_batches(
    plan: ScoringPlan,
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    gen_codes: np.ndarray | None = None,
    resized_from: tuple[int, int] | None = None,
    generator_inputs: dict | None = None,
) -> ScoreResult:
    """Score a stream of `total` generated samples (uint8 NCHW images, or float points for point datasets)
    against the reference of `plan` with its metrics (its extractors are built here unless they were already);
    `gen_codes` are the labels a generator with a class or code input drew the samples with (code_recovery);
    `resized_from`: the samples' (height, width) when it differs from the dataset's (recorded in the protocol);
    `generator_inputs`: metric inputs measured on the generator itself (PPL's path lengths), for every job."""
    plan = plan.built()
    references = plan.references()
    if not plan.kind.extracted:
        job = plan.main
        return finish(job, references[0], point_inputs(batches), job.kind.fingerprint, "cpu", job.kind.feature_dtype, gen_codes)
    passes = [(plan.extractors[job.extractor], job.needs) for job in plan.jobs]
    images: list[np.ndarray] = []
    if gen_codes is not None and any("cas_logits" in job.needs for job in plan.jobs):
        batches = kept(batches, images)  # CAS trains on the samples themselves
    results = []
    generated_sides = extracted_inputs(batches, total, passes, plan.config.progress)
    for job, reference, generated in zip(plan.jobs, references, generated_sides, strict=True):
        generated = {**generated, **(generator_inputs or {})}
        if "cas_logits" in job.needs and images:
            generated = {**generated, **cas_fields(job, np.concatenate(images), gen_codes)}
        extractor = plan.extractors[job.extractor]
        warn_if_few_samples(job, generated["n_gen"], extractor.output_dims["pool"], "the generated set")
        warn_if_few_samples(job, reference.n, extractor.output_dims["pool"], "the reference set")
        record = resized_record(extractor.fingerprint(), resized_from)
        results.append(finish(job, reference, generated, record, str(extractor.device), "float32", gen_codes))
    return replace(results[0], also=tuple(results[1:]))


def resized_record(record: dict, resized_from: tuple[int, int] | None) -> dict:
    """The extractor's fingerprint, noting a resize from another resolution (--allow-resize) in its preprocessing."""
    if resized_from is None:
        return record
    height, width = resized_from
    resize = f"samples {height}x{width}, not the dataset's resolution, resized by the extractor (--allow-resize)"
    return {**record, "preprocessing": f"{record['preprocessing']}; {resize}"}


def score(config: ScoreConfig) -> ScoreResult:
    """Score `config.samples` (a folder / .npz of images, or an .npz of points) against the configured reference."""
    plan = planned(config)
    job = plan.main
    samples = job.kind.read_samples(config.samples)
    if job.kind.extracted and len(samples) < 2:
        raise GanbenchError(f"--samples {config.samples} holds {len(samples)} image(s); at least 2 are needed")
    if job.kind.extracted:
        check_channels(samples, job, config)  # before any feature is extracted: a metric may need every channel
    resized_from = check_resolution(samples, job, config) if job.kind.extracted else None
    return score_batches(plan, samples.batches(config.batch_size), len(samples), resized_from=resized_from)


def sample_resolution(samples) -> tuple[int, int]:
    """(height, width) of a folder of images or an in-memory NCHW array."""
    if hasattr(samples, "height"):
        return samples.height, samples.width
    return tuple(samples.data.shape[2:4])


def check_channels(samples, job: ScoringJob, config: ScoreConfig) -> None:
    """A GanbenchError unless the images have the dataset's channels (1-channel images against stacked_mnist's
    three stacked digits, say), said before any work rather than by a metric after the features are made."""
    if job.info is None or not job.info.channels:
        return
    channels = samples.channels if hasattr(samples, "channels") else int(samples.data.shape[1])
    if channels != job.info.channels:
        raise GanbenchError(
            f"--samples {config.samples} holds {channels}-channel images but {job.info.name} has "
            f"{job.info.channels}-channel images; save the samples with {job.info.channels} channels"
        )


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
