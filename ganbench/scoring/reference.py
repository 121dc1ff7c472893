"""The reference side of a score: a dataset split (through the reference cache), a folder / .npz of images,
or a saved statistics file, turned into the MetricInputs fields the requested metrics need."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ganbench.data.base import DatasetSpec
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.extract import extract_stats
from ganbench.protocol import differences
from ganbench.scoring.files import open_checked
from ganbench.scoring.job import ScoringJob
from ganbench.scoring.reference_cache import reference_features, subset_indices
from ganbench.stats import ReferenceStats


@dataclass
class Reference:
    """Where the reference came from (`name`, `split`), its sample count, and its MetricInputs fields."""

    name: str
    split: str | None
    n: int
    fields: dict = field(default_factory=dict)


def check_saved_protocol(path: str, saved: ReferenceStats, extractor: FeatureExtractor) -> None:
    """A GanbenchError unless a statistics file was made with this extractor, weights and preprocessing."""
    mine = extractor.fingerprint()
    theirs = {key: saved.protocol.get(key) for key in mine}
    if theirs != mine:
        changed = ", ".join(differences(theirs, mine, tuple(mine)))
        raise GanbenchError(
            f"{path} was made under another feature protocol ({changed}); remake it with `ganbench stats`"
        )


def reference_from_files(job: ScoringJob, extractor: FeatureExtractor) -> Reference:
    """A statistics file (`--ref-stats`) or the features of a folder / .npz of images (`--ref-samples`)."""
    config = job.config
    if config.ref_stats is not None:
        saved = ReferenceStats.load(config.ref_stats)
        check_saved_protocol(config.ref_stats, saved, extractor)
        name = saved.protocol.get("reference", str(Path(config.ref_stats).resolve()))
        return Reference(
            name, saved.protocol.get("reference_split"), saved.n, {"ref_mean": saved.mean, "ref_cov": saved.cov}
        )
    images = open_checked(config.ref_samples, "--ref-samples")
    keep = "ref_features" in job.needs
    stats = extract_stats(
        images.batches(config.batch_size), len(images), extractor, {"pool": keep}, "reference", config.progress
    )["pool"]
    fields = {"ref_mean": stats.mean(), "ref_cov": stats.cov(), "ref_labels": images.labels()}
    if keep:
        fields["ref_features"] = stats.features()
    return Reference(str(Path(config.ref_samples).resolve()), None, stats.n, fields)


def heldout_split(spec: DatasetSpec, reference_split: str) -> str:
    """The dataset's other split, the held-out yardstick of data-copying tests and the real-vs-real floor."""
    info = spec.info
    heldout = next((s for s in info.splits if s != reference_split), None)
    if heldout is None:
        raise GanbenchError(
            f"{info.name} has only the split {reference_split!r}; a held-out split is needed (data-copying tests, floor)"
        )
    return heldout


def reference_from_dataset(job: ScoringJob, extractor: FeatureExtractor | None) -> Reference:
    """The dataset's reference split: known modes for point sets, cached features for image sets."""
    config, spec = job.config, job.dataset
    info = spec.info
    split = config.split or info.protocol.reference_split
    if not job.kind.extracted:
        data = spec.load(split, config.data_config)
        fields = {"modes": info.modes, "mode_std": info.mode_std, "ref_labels": data.labels, "num_classes": info.num_classes}
        return Reference(info.name, split, len(data), fields)
    cached = reference_features(
        spec,
        split,
        config.n_reference,
        extractor,
        config.data_config,
        need_features="ref_features" in job.needs,
        batch_size=config.batch_size,
        progress=config.progress,
    )
    fields = {
        "ref_mean": cached.mean,
        "ref_cov": cached.cov,
        "ref_features": cached.features,
        "ref_labels": cached.labels,
        "num_classes": info.num_classes,
    }
    if "ref_labels" in job.needs and cached.labels is None:
        labels = spec.load(split, config.data_config).labels
        fields["ref_labels"] = None if labels is None else labels[subset_indices(len(labels), cached.n)]
    if "heldout_features" in job.needs:
        heldout = reference_features(
            spec,
            heldout_split(spec, split),
            None,
            extractor,
            config.data_config,
            need_features=True,
            batch_size=config.batch_size,
            progress=config.progress,
        )
        fields["heldout_features"] = heldout.features
    return Reference(info.name, split, cached.n, fields)


def reference_for(job: ScoringJob, extractor: FeatureExtractor | None) -> Reference:
    """The reference side of `job` (a dataset split, or files)."""
    if job.dataset is not None:
        return reference_from_dataset(job, extractor)
    return reference_from_files(job, extractor)
