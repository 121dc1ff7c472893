"""Scoring generated samples against a reference: features, statistics, metrics, fingerprint.

The reference side is a dataset split (cached statistics and features), a
folder / .npz of images, or a saved statistics file. The generated side is any
stream of uint8 image batches (files here, a generator in ganbench.generate),
or an array of 2-D points for the point datasets.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from ganbench.config import ScoreConfig
from ganbench.data.base import DatasetSpec
from ganbench.data.image_files import open_images
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor, build_extractor
from ganbench.features.extract import ImageBatches
from ganbench.metrics.presets import METRICS, MetricInputs, MetricSpec
from ganbench.protocol import differences, fingerprint
from ganbench.stats import FeatureStats, ReferenceStats

DEFAULT_EXTRACTOR = "inception-v3-compat"
#: extractors whose `logits` are the dataset's class scores (used by class-coverage and stacked-MNIST modes)
CLASSIFIER_EXTRACTORS = {"mnist-classifier"}


@dataclass(frozen=True)
class ScoreResult:
    """Metric values by key (e.g. "fid", "is_mean") and the protocol fingerprint they were made under."""

    metrics: dict[str, float]
    protocol: dict

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "protocol": self.protocol}


@dataclass
class Reference:
    """The reference side, with only what the requested metrics need."""

    name: str
    split: str | None
    n: int
    mean: np.ndarray | None = None
    cov: np.ndarray | None = None
    features: np.ndarray | None = None
    labels: np.ndarray | None = None
    heldout_features: np.ndarray | None = None
    images: np.ndarray | None = None
    modes: np.ndarray | None = None
    mode_std: float | None = None
    num_classes: int | None = None
    extras: dict = field(default_factory=dict)


def metric_specs(names: tuple[str, ...]) -> list[MetricSpec]:
    """The registered presets for `names` (unknown names raise a GanbenchError listing valid ones)."""
    return [METRICS.get(name) for name in names]


def needs_of(specs: list[MetricSpec]) -> set[str]:
    return set().union(*(spec.needs for spec in specs)) if specs else set()


def dataset_spec(config: ScoreConfig) -> DatasetSpec | None:
    if config.dataset is None:
        return None
    import ganbench.data  # noqa: F401  (registers the datasets)
    from ganbench.data.resolve import resolve_dataset

    return resolve_dataset(config.dataset, config.data_config)


def extractor_name(config: ScoreConfig, spec: DatasetSpec | None) -> str:
    if config.extractor:
        return config.extractor
    if spec is not None and spec.info.default_extractor:
        return spec.info.default_extractor
    return DEFAULT_EXTRACTOR


def default_metrics(config: ScoreConfig) -> ScoreConfig:
    """`config` with the dataset protocol's metrics filled in when none were named."""
    if config.metrics:
        return config
    spec = dataset_spec(config)
    return replace(config, metrics=spec.info.protocol.metrics if spec else ("fid", "is", "kid", "pr", "dc"))


def open_checked(path: str, what: str) -> ImageBatches:
    """Open a folder / .npz of images and insist on at least two of them."""
    images = open_images(path)
    if len(images) < 2:
        raise GanbenchError(f"{what} {path} holds {len(images)} image(s); at least 2 are needed")
    return images


def load_points(path: str) -> np.ndarray:
    """Generated 2-D points from an .npz with a `points` (N, 2) float array."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "points" not in archive:
                raise GanbenchError(f"{path} has no 'points' array; save generated 2-D points as points=(N, 2) floats")
            points = archive["points"].astype(np.float64)
    except GanbenchError:
        raise
    except Exception as error:
        raise GanbenchError(f"cannot read {path} as an .npz file ({error}); pass a file written by numpy.savez") from None
    if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
        raise GanbenchError(f"'points' in {path} must be finite floats of shape (N, 2), got {points.shape}")
    return points


# ---------------------------------------------------------------- reference side


def check_saved_protocol(path: str, saved: ReferenceStats, extractor: FeatureExtractor) -> None:
    mine = extractor.fingerprint()
    theirs = {key: saved.protocol.get(key) for key in mine}
    if theirs != mine:
        changed = ", ".join(differences(theirs, mine, tuple(mine)))
        raise GanbenchError(f"{path} was made under another feature protocol ({changed}); remake it with `ganbench stats`")


def reference_from_files(config: ScoreConfig, extractor: FeatureExtractor, needs: set[str]) -> Reference:
    if config.ref_stats is not None:
        saved = ReferenceStats.load(config.ref_stats)
        check_saved_protocol(config.ref_stats, saved, extractor)
        return Reference(saved.protocol.get("reference", str(Path(config.ref_stats).resolve())), saved.protocol.get("reference_split"), saved.n, saved.mean, saved.cov)
    images = open_checked(config.ref_samples, "--ref-samples")
    keep = {"pool": "ref_features" in needs}
    stats = run_extractor(images.batches(config.batch_size), len(images), extractor, keep, config, "reference")["pool"]
    return Reference(
        str(Path(config.ref_samples).resolve()), None, stats.n, stats.mean(), stats.cov(),
        stats.features() if keep["pool"] else None, images.labels(),
    )


def reference_from_dataset(config: ScoreConfig, spec: DatasetSpec, extractor: FeatureExtractor | None, needs: set[str]) -> Reference:
    from ganbench.reference import reference_features

    info = spec.info
    split = config.split or info.protocol.reference_split
    if info.kind == "points":
        data = spec.load(split, config.data_config)
        return Reference(info.name, split, len(data), modes=info.modes, mode_std=info.mode_std, labels=data.labels, num_classes=info.num_classes)
    ref = reference_features(
        spec, split, config.n_reference, extractor, config.data_config,
        need_features="ref_features" in needs, batch_size=config.batch_size, progress=config.progress,
    )
    reference = Reference(info.name, split, ref.n, ref.mean, ref.cov, ref.features, ref.labels, num_classes=info.num_classes)
    if "ref_labels" in needs and reference.labels is None:
        reference.labels = spec.load(split, config.data_config).labels
    if "heldout_features" in needs:
        heldout_split = next((s for s in info.splits if s != split), None)
        if heldout_split is None:
            raise GanbenchError(f"{info.name} has only the split {split!r}; the data-copying test needs a held-out split")
        heldout = reference_features(spec, heldout_split, None, extractor, config.data_config, True, config.batch_size, config.progress)
        reference.heldout_features = heldout.features
    if "ref_images" in needs:
        from ganbench.reference import subset_indices

        data = spec.load(split, config.data_config)
        reference.images = data.data[subset_indices(len(data), ref.n)]
    return reference


# ---------------------------------------------------------------- generated side


def run_extractor(
    batches: Iterable[np.ndarray | torch.Tensor], total: int, extractor: FeatureExtractor, keep_raw: dict[str, bool], config: ScoreConfig, desc: str
) -> dict[str, FeatureStats]:
    from ganbench.features.extract import extract_stats

    return extract_stats(batches, total, extractor, keep_raw, desc, config.progress)


def kept_images(batches: Iterable[np.ndarray | torch.Tensor], store: list[np.ndarray]) -> Iterable[np.ndarray | torch.Tensor]:
    """Pass batches through unchanged while keeping a uint8 copy of each in `store`."""
    for batch in batches:
        store.append(batch.cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch))
        yield batch


def generated_inputs(
    batches: Iterable[np.ndarray | torch.Tensor], total: int, extractor: FeatureExtractor, needs: set[str], config: ScoreConfig
) -> dict:
    """MetricInputs fields of the generated side, from one pass over the image batches."""
    if total < 2:
        raise GanbenchError(f"{total} generated sample(s); at least 2 are needed")
    want_logits = bool(needs & {"gen_logits", "gen_class_logits"})
    if want_logits and "gen_class_logits" in needs and extractor.name not in CLASSIFIER_EXTRACTORS:
        raise GanbenchError(f"class coverage needs a classifier extractor ({', '.join(sorted(CLASSIFIER_EXTRACTORS))}), not {extractor.name}")
    if want_logits and "logits" not in extractor.output_dims:
        raise GanbenchError(f"{extractor.name} has no logits; choose an extractor with logits for these metrics")
    keep_raw = {"pool": "gen_features" in needs}
    if want_logits:
        keep_raw["logits"] = True
    images: list[np.ndarray] = []
    keep_images = bool(needs & {"gen_images", "gen_channel_labels"})
    stream = kept_images(batches, images) if keep_images else batches
    stats = run_extractor(stream, total, extractor, keep_raw, config, "generated")
    pool = stats["pool"]
    fields = {"gen_mean": pool.mean(), "gen_cov": pool.cov(), "n_gen": pool.n}
    if keep_raw["pool"]:
        fields["gen_features"] = pool.features()
    if want_logits:
        logits = stats["logits"].features()
        fields["gen_logits" if extractor.name not in CLASSIFIER_EXTRACTORS else "gen_class_logits"] = logits
        fields["gen_logits"] = logits
    if keep_images:
        all_images = np.concatenate(images)
        fields["gen_images"] = all_images
        if "gen_channel_labels" in needs:
            from ganbench.features.mnist_classifier import classify_channels

            fields["gen_channel_labels"] = classify_channels(all_images, extractor if extractor.name == "mnist-classifier" else None)
    return fields


def warn_if_few_samples(n: int, dim: int, side: str) -> None:
    if n < dim:
        warnings.warn(
            f"{side} has {n} samples for {dim}-d features: the covariance is singular and FID is biased upwards; "
            "compare FIDs only at equal sample counts",
            stacklevel=3,
        )


# ---------------------------------------------------------------- putting it together


def compute_metrics(specs: list[MetricSpec], inputs: MetricInputs, config: ScoreConfig) -> dict[str, float]:
    values: dict[str, float] = {}
    for spec in specs:
        values.update(spec.compute(inputs, config.metric_config))
    return values


def score_batches(
    config: ScoreConfig,
    batches: Iterable[np.ndarray | torch.Tensor] | None,
    total: int,
    points: np.ndarray | None = None,
    extractor: FeatureExtractor | None = None,
) -> ScoreResult:
    """Score a stream of generated uint8 image batches (or 2-D `points`) under `config`'s reference and metrics."""
    config = default_metrics(config)
    specs = metric_specs(config.metrics)
    needs = needs_of(specs)
    spec = dataset_spec(config)
    if sum(x is not None for x in (config.dataset, config.ref_samples, config.ref_stats)) != 1:
        raise GanbenchError("give exactly one reference: --dataset NAME, --ref-samples PATH or --ref-stats FILE")
    if spec is not None and spec.info.kind == "points":
        return score_points(config, specs, needs, spec, points)
    if config.ref_stats is not None and "ref_features" in needs:
        wanting = ", ".join(s.name for s in specs if "ref_features" in s.needs)
        raise GanbenchError(
            f"{wanting} need the reference features, which a statistics file lacks; pass --ref-samples PATH or --dataset NAME"
        )
    if points is not None:
        raise GanbenchError("2-D points can only be scored against a point dataset such as ring8 or grid25")
    extractor = extractor or build_extractor(extractor_name(config, spec), config.extractor_config)
    reference = reference_from_dataset(config, spec, extractor, needs) if spec else reference_from_files(config, extractor, needs)
    generated = generated_inputs(batches, total, extractor, needs, config)
    if "fid" in config.metrics:
        warn_if_few_samples(generated["n_gen"], extractor.output_dims["pool"], "the generated set")
        warn_if_few_samples(reference.n, extractor.output_dims["pool"], "the reference set")
    config = replace(config, metric_config=config.metric_config.resolved(generated["n_gen"], reference.n))
    inputs = MetricInputs(
        ref_mean=reference.mean, ref_cov=reference.cov, n_ref=reference.n, ref_features=reference.features,
        ref_labels=reference.labels, num_classes=reference.num_classes, heldout_features=reference.heldout_features,
        ref_images=reference.images, requested=config.metrics, **generated,
    )
    protocol = fingerprint(
        extractor=extractor.fingerprint(), n_generated=generated["n_gen"], n_reference=reference.n,
        reference=reference.name, reference_split=reference.split, device=str(extractor.device),
        metric_settings=config.metric_config.fingerprint(config.metrics),
    )
    return ScoreResult(compute_metrics(specs, inputs, config), protocol)


def score_points(config: ScoreConfig, specs: list[MetricSpec], needs: set[str], spec: DatasetSpec, points: np.ndarray | None) -> ScoreResult:
    if points is None:
        raise GanbenchError(f"{spec.info.name} is a 2-D point dataset; pass generated points as an .npz with a 'points' (N, 2) array")
    image_metrics = [s.name for s in specs if s.needs & {"gen_features", "gen_logits", "ref_features"} or s.name in ("fid",)]
    if image_metrics:
        raise GanbenchError(f"{', '.join(image_metrics)} need images; for {spec.info.name} use --metrics modes")
    reference = reference_from_dataset(config, spec, None, needs)
    inputs = MetricInputs(
        gen_mean=None, gen_cov=None, ref_mean=None, ref_cov=None, n_gen=len(points), n_ref=reference.n,
        gen_points=points, modes=reference.modes, mode_std=reference.mode_std, ref_labels=reference.labels,
        num_classes=reference.num_classes, requested=config.metrics,
    )
    protocol = fingerprint(
        extractor={"extractor": "none (2-d points)", "extractor_weights_sha256": "", "preprocessing": ""},
        n_generated=len(points), n_reference=reference.n, reference=reference.name, reference_split=reference.split,
        device="cpu", metric_settings=config.metric_config.fingerprint(config.metrics), feature_dtype="float64",
    )
    return ScoreResult(compute_metrics(specs, inputs, config), protocol)


def score(config: ScoreConfig) -> ScoreResult:
    """Score `config.samples` (a folder / .npz of images, or an .npz of points) against the configured reference."""
    spec = dataset_spec(config)
    if spec is not None and spec.info.kind == "points":
        return score_batches(config, None, 0, points=load_points(config.samples))
    generated = open_checked(config.samples, "--samples")
    return score_batches(config, generated.batches(config.batch_size), len(generated))


# ---------------------------------------------------------------- statistics and features of files


def reference_stats(samples: str, extractor: FeatureExtractor, config: ScoreConfig) -> ReferenceStats:
    """Mean and covariance of the pool features of a folder / .npz, with their fingerprint."""
    images = open_checked(samples, "--samples")
    pool = run_extractor(images.batches(config.batch_size), len(images), extractor, {"pool": False}, config, "reference")["pool"]
    protocol = fingerprint(
        extractor=extractor.fingerprint(), n_generated=None, n_reference=pool.n, reference=str(Path(samples).resolve()),
        reference_split=None, device=str(extractor.device), metric_settings={},
    )
    return ReferenceStats.from_feature_stats(pool, protocol)


def pool_features(samples: str, extractor: FeatureExtractor, config: ScoreConfig) -> np.ndarray:
    """The raw float32 pool features (N, D) of a folder / .npz."""
    images = open_checked(samples, "--samples")
    return run_extractor(images.batches(config.batch_size), len(images), extractor, {"pool": True}, config, "features")["pool"].features()
