"""Scoring generated samples against a reference: features, statistics, metrics, fingerprint."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganbench.config import ScoreConfig
from ganbench.data.image_files import open_images
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor, build_extractor
from ganbench.features.extract import ImageBatches, extract_stats
from ganbench.metrics.presets import METRICS, MetricInputs, MetricSpec
from ganbench.protocol import differences, fingerprint
from ganbench.stats import FeatureStats, ReferenceStats


@dataclass(frozen=True)
class ScoreResult:
    """Metric values by key (e.g. "fid", "is_mean") and the protocol fingerprint they were made under."""

    metrics: dict[str, float]
    protocol: dict

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "protocol": self.protocol}


def metric_specs(names: tuple[str, ...]) -> list[MetricSpec]:
    """The registered presets for `names` (unknown names raise a GanbenchError listing valid ones)."""
    return [METRICS.get(name) for name in names]


def open_checked(path: str, what: str) -> ImageBatches:
    """Open a folder / .npz of images and insist on at least two of them."""
    images = open_images(path)
    if len(images) < 2:
        raise GanbenchError(f"{what} {path} holds {len(images)} image(s); at least 2 are needed")
    return images


def image_stats(
    images: ImageBatches, extractor: FeatureExtractor, keep_pool: bool, want_logits: bool, config: ScoreConfig, desc: str
) -> dict[str, FeatureStats]:
    """Pool (and optionally logits) statistics of every image in `images`."""
    keep_raw = {"pool": keep_pool}
    if want_logits:
        keep_raw["logits"] = True
    return extract_stats(images.batches(config.batch_size), len(images), extractor, keep_raw, desc, config.progress)


def load_reference_stats(path: str, extractor: FeatureExtractor) -> ReferenceStats:
    """Saved reference statistics, refused when they were made with another extractor or other weights."""
    reference = ReferenceStats.load(path)
    mine = extractor.fingerprint()
    theirs = {key: reference.protocol.get(key) for key in mine}
    if theirs != mine:
        changed = ", ".join(differences(theirs, mine, tuple(mine)))
        raise GanbenchError(f"{path} was made under another feature protocol ({changed}); remake it with `ganbench stats`")
    return reference


def warn_if_few_samples(n: int, dim: int, side: str) -> None:
    if n < dim:
        warnings.warn(
            f"{side} has {n} samples for {dim}-d features: the covariance is singular and FID is biased upwards; "
            "compare FIDs only at equal sample counts",
            stacklevel=3,
        )


def score(config: ScoreConfig) -> ScoreResult:
    """Score `config.samples` against `config.ref_samples` or `config.ref_stats` with `config.metrics`."""
    specs = metric_specs(config.metrics)
    needs = set().union(*(spec.needs for spec in specs))
    if (config.ref_samples is None) == (config.ref_stats is None):
        raise GanbenchError("give exactly one reference: --ref-samples PATH or --ref-stats FILE")
    if "ref_features" in needs and config.ref_samples is None:
        wanting = ", ".join(spec.name for spec in specs if "ref_features" in spec.needs)
        raise GanbenchError(f"{wanting} need the reference features, which a statistics file lacks; pass --ref-samples PATH")
    generated = open_checked(config.samples, "--samples")
    reference_images = open_checked(config.ref_samples, "--ref-samples") if config.ref_samples else None

    extractor = build_extractor(config.extractor, config.extractor_config)
    gen = image_stats(generated, extractor, "gen_features" in needs, "gen_logits" in needs, config, "generated")
    if reference_images is not None:
        ref_pool = image_stats(reference_images, extractor, "ref_features" in needs, False, config, "reference")["pool"]
        ref_mean, ref_cov, n_ref = ref_pool.mean(), ref_pool.cov(), ref_pool.n
        reference_name = str(Path(config.ref_samples).resolve())
    else:
        saved = load_reference_stats(config.ref_stats, extractor)
        ref_pool, (ref_mean, ref_cov, n_ref) = None, (saved.mean, saved.cov, saved.n)
        reference_name = saved.protocol.get("reference", str(Path(config.ref_stats).resolve()))

    gen_pool = gen["pool"]
    if "fid" in config.metrics:
        warn_if_few_samples(gen_pool.n, gen_pool.dim, "the generated set")
        warn_if_few_samples(n_ref, gen_pool.dim, "the reference set")
    inputs = MetricInputs(
        gen_mean=gen_pool.mean(),
        gen_cov=gen_pool.cov(),
        ref_mean=ref_mean,
        ref_cov=ref_cov,
        n_gen=gen_pool.n,
        n_ref=n_ref,
        gen_features=gen_pool.features() if gen_pool.keep_raw else None,
        ref_features=ref_pool.features() if ref_pool is not None and ref_pool.keep_raw else None,
        gen_logits=gen["logits"].features() if "logits" in gen else None,
        requested=config.metrics,
    )
    values: dict[str, float] = {}
    for spec in specs:
        values.update(spec.compute(inputs, config.metric_config))
    protocol = fingerprint(
        extractor=extractor.fingerprint(),
        n_generated=gen_pool.n,
        n_reference=n_ref,
        reference=reference_name,
        reference_split=None,
        device=str(extractor.device),
        metric_settings=config.metric_config.fingerprint(config.metrics),
    )
    return ScoreResult(values, protocol)


def reference_stats(samples: str, extractor: FeatureExtractor, config: ScoreConfig) -> ReferenceStats:
    """Mean and covariance of the pool features of a folder / .npz, with their fingerprint."""
    images = open_checked(samples, "--samples")
    pool = image_stats(images, extractor, False, False, config, "reference")["pool"]
    protocol = fingerprint(
        extractor=extractor.fingerprint(),
        n_generated=None,
        n_reference=pool.n,
        reference=str(Path(samples).resolve()),
        reference_split=None,
        device=str(extractor.device),
        metric_settings={},
    )
    return ReferenceStats.from_feature_stats(pool, protocol)


def pool_features(samples: str, extractor: FeatureExtractor, config: ScoreConfig) -> np.ndarray:
    """The raw float32 pool features (N, D) of a folder / .npz."""
    images = open_checked(samples, "--samples")
    return image_stats(images, extractor, True, False, config, "features")["pool"].features()
