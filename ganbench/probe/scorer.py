"""The metrics of a damaged set against a dataset's reference, through the existing scoring pipeline.

Images go through `ganbench.scoring.pipeline.score_batches` (the dataset's extractor, the cached reference
statistics). Point sets are their own features here: the pipeline scores points only against their known modes,
while the probe also asks the feature metrics (FID, precision / recall, density / coverage, ...) what they see in
the plane, as the toy experiments of Kynkaenniemi et al. 2019 and Naeem et al. 2020 do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ganbench.data.base import ArrayBatches, ArraySplit, DatasetSpec
from ganbench.data.kinds import kind_of
from ganbench.data.resolve import resolve_dataset
from ganbench.errors import GanbenchError
from ganbench.features.extract import extract_stats
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.job import ScoringJob, plan_jobs
from ganbench.scoring.pipeline import compute_metrics, score_batches
from ganbench.scoring.plan import planned
from ganbench.scoring.reference import heldout_split, reference_for
from ganbench.scoring.reference_cache import subset_indices
from ganbench.stats import FeatureStats

#: What a point set gives the metrics in the probe: the points, their modes and labels, and the points as features.
POINT_INPUTS = frozenset(
    {"gen_points", "modes", "ref_labels", "gen_stats", "ref_stats", "gen_features", "ref_features", "heldout_features"}
)


@dataclass
class ProbeTarget:
    """A dataset ready to probe: its held-out `pool` (damaged sets are drawn from it), the `reference` samples (what
    memorization copies), the metrics with their result keys' directions, the metrics left out (with why),
    `typicality` of each pool sample (distance to the reference mean in feature space, or to its mode centre),
    `protocol` (how the numbers were made) and `score(samples) -> {key: value}`."""

    spec: DatasetSpec
    kind: str
    pool: ArraySplit
    reference: np.ndarray
    metrics: tuple[str, ...]
    directions: dict[str, str]
    left_out: list[str]
    typicality: np.ndarray
    protocol: dict
    score: Callable[[np.ndarray], dict[str, float]]


def quality_directions(metrics: tuple[str, ...]) -> dict[str, str]:
    """Result key -> "higher" / "lower" of the named presets (spread keys such as kid_std are not probed)."""
    return {k: d for name in metrics for k, d in METRICS.get(name).directions.items() if d != "spread"}


def feature_stats(features: np.ndarray) -> FeatureStats:
    stats = FeatureStats(features.shape[1], keep_raw=True)
    stats.update(np.asarray(features, np.float32))
    return stats


def usable_image_metrics(config: ScoreConfig) -> tuple[tuple[str, ...], list[str]]:
    """Every registered metric that the dataset and its main extractor can give alone, and a sentence for each
    one left out (metrics defined on other extractors, or needing inputs this dataset lacks)."""
    main = plan_jobs(replace(config, metrics=("fid",)))[0].extractor
    usable, left_out, built = [], [], {}
    for name in METRICS:
        spec = METRICS.get(name)
        if spec.extractors and main not in spec.extractors:
            left_out.append(f"{name}: defined on {', '.join(spec.extractors)}, not {main} (name it in --metrics to add it)")
            continue
        try:
            planned(replace(config, metrics=(name,)), built)
        except GanbenchError as why:
            left_out.append(f"{name}: {why}")
            continue
        usable.append(name)
    return tuple(usable), left_out


def image_target(config: ScoreConfig, spec: DatasetSpec) -> ProbeTarget:
    metrics, left_out = (config.metrics, []) if config.metrics else usable_image_metrics(config)
    config = replace(config, metrics=metrics, progress=False)
    plan = planned(config)
    main = plan.main
    extractor = plan.extractors[main.extractor]
    split = config.split or spec.info.protocol.reference_split
    reference = reference_for(main, extractor)
    pool = spec.load(heldout_split(spec, split), config.data_config)
    pool_features = extract_stats(
        ArrayBatches(pool.data).batches(config.batch_size), len(pool), extractor, {"pool": True}, progress=False
    )["pool"].features()
    typicality = np.linalg.norm(pool_features - reference.fields["ref_mean"], axis=1)
    train = spec.load(split, config.data_config).data
    train = train[subset_indices(len(train), config.n_reference or spec.info.protocol.n_reference)]

    def score(samples: np.ndarray) -> dict[str, float]:
        result = score_batches(plan, ArrayBatches(samples).batches(config.batch_size), len(samples))
        return {key: value for part in result.parts() for key, value in part.metrics.items()}

    protocol = {"extractor": extractor.fingerprint(), "reference": spec.info.name, "reference_split": split, "n_reference": reference.n}
    return ProbeTarget(spec, "image", pool, train, metrics, quality_directions(metrics), left_out, typicality, protocol, score)


def usable_point_metrics(requested: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """The requested metrics (default: every registered one a point set can give with the points as features),
    and a sentence for each registered metric left out; a requested metric points cannot give is an error."""
    usable, left_out = [], []
    for name in requested or METRICS.names():
        spec = METRICS.get(name)
        if spec.extractors or spec.needs_given(POINT_INPUTS) is None:
            why = f"defined on {', '.join(spec.extractors)}" if spec.extractors else f"needs {spec.requires or 'images'}"
            if requested:
                raise GanbenchError(f"{name} cannot be probed on a point dataset ({why}); leave it out of --metrics")
            left_out.append(f"{name}: {why}")
            continue
        usable.append(name)
    return tuple(usable), left_out


def point_target(config: ScoreConfig, spec: DatasetSpec) -> ProbeTarget:
    info = spec.info
    metrics, left_out = usable_point_metrics(config.metrics)
    split = config.split or info.protocol.reference_split
    reference_split = spec.load(split, config.data_config)
    # the protocol's reference is the whole training split (the mode metric reads the known modes); the k-NN and
    # Frechet metrics the probe adds are scored against a subset as large as the protocol's sample count
    chosen = subset_indices(len(reference_split), config.n_reference or min(info.protocol.n_reference, info.protocol.n_generated))
    reference_points = np.asarray(reference_split.data[chosen], np.float64)
    pool = spec.load(heldout_split(spec, split), config.data_config)
    ref = feature_stats(reference_points)
    fixed = {
        "n_ref": len(reference_points),
        "ref_mean": ref.mean(),
        "ref_cov": ref.cov(),
        "ref_features": ref.features(),
        "heldout_features": np.asarray(pool.data, np.float32),
        "modes": info.modes,
        "mode_std": info.mode_std,
        "ref_labels": None if reference_split.labels is None else reference_split.labels[chosen],
        "num_classes": info.num_classes,
    }
    specs = tuple(METRICS.get(name) for name in metrics)
    kind = kind_of(info)
    needs = frozenset().union(*(s.needs_given(POINT_INPUTS) for s in specs))

    def score(samples: np.ndarray) -> dict[str, float]:
        points = np.asarray(samples, np.float64)
        gen = feature_stats(points)
        metric_config = config.metric_config.resolved(len(points), len(reference_points))
        inputs = MetricInputs(
            n_gen=len(points), gen_points=points, gen_features=gen.features(), gen_mean=gen.mean(), gen_cov=gen.cov(),
            requested=metrics, **fixed,
        )
        scoring = ScoringJob(replace(config, metrics=metrics, metric_config=metric_config), spec, kind, specs, needs)
        return compute_metrics(scoring, inputs)

    typicality = np.linalg.norm(pool.data - nearest_centres(pool.data, info.modes), axis=1)
    protocol = {"extractor": "none (2-d points as their own features)", "reference": info.name, "reference_split": split,
                "n_reference": len(reference_points)}
    return ProbeTarget(spec, "points", pool, reference_points.astype(pool.data.dtype), metrics,
                       quality_directions(metrics), left_out, typicality, protocol, score)


def nearest_centres(points: np.ndarray, modes: np.ndarray) -> np.ndarray:
    return modes[np.linalg.norm(points[:, None] - modes[None], axis=-1).argmin(axis=1)]


def probe_target(config: ScoreConfig) -> ProbeTarget:
    """The dataset of `config` (a dataset name is required) ready to probe, with its metrics checked."""
    if config.dataset is None:
        raise GanbenchError("probe-metrics needs --dataset NAME (it damages that dataset's held-out split)")
    spec = resolve_dataset(config.dataset)
    if kind_of(spec.info).extracted:
        return image_target(config, spec)
    return point_target(config, spec)
