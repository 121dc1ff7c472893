"""Reference features of a dataset split: computed once, cached under a readable name plus a content hash.

Lookup order for Gaussian statistics: the statistics shipped in the package
(the top-level `reference_stats/`, installed as `ganbench.reference_stats`, checked against their manifest), then the user's
cache, then computing them. Raw features (for KID, precision/recall, ...) come
from the cache or are computed. A cache file that fails its checks is
reported, recomputed and replaced; it is never used.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ganbench import __version__
from ganbench.atomic import atomic_path
from ganbench.data.base import ArrayBatches, DataConfig, DatasetSpec
from ganbench.data.kinds import kind_of
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.extract import extract_stats
from ganbench.hashing import sha256_of
from ganbench.paths import cache_dir
from ganbench.protocol import fingerprint

#: Seed of the subset drawn when fewer reference images are asked for than the split holds.
SUBSET_SEED = 0


@dataclass(frozen=True)
class ReferenceFeatures:
    """A reference split seen through an extractor: Gaussian statistics, optionally raw features and labels."""

    mean: np.ndarray
    cov: np.ndarray
    n: int
    protocol: dict
    features: np.ndarray | None = None
    labels: np.ndarray | None = None


def subset_indices(total: int, n: int | None) -> np.ndarray:
    """Indices of the reference subset: all of the split, or `n` of them drawn with SUBSET_SEED (sorted)."""
    if n is None or n >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(SUBSET_SEED).choice(total, n, replace=False))


def cache_key(dataset: str, split: str, n: int, extractor: FeatureExtractor) -> dict:
    """Everything that affects the reference features."""
    return {
        "dataset": dataset,
        "split": split,
        "n": n,
        "subset_seed": SUBSET_SEED,
        **extractor.fingerprint(),
        "ganbench_version": __version__,
    }


def cache_path(key: dict, cache_override: str | None) -> Path:
    """<cache>/reference/{dataset}-{split}-{extractor}-n{n}-{hash}.npz"""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    name = f"{key['dataset']}-{key['split']}-{key['extractor']}-n{key['n']}-{digest}.npz"
    return cache_dir(cache_override) / "reference" / name.replace("/", "_").replace(":", "_")


def content_checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def write_cache(path: Path, key: dict, reference: ReferenceFeatures) -> None:
    arrays = {"mean": reference.mean, "cov": reference.cov}
    if reference.features is not None:
        arrays["features"] = reference.features
    if reference.labels is not None:
        arrays["labels"] = reference.labels
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            **arrays,
            key=json.dumps(key, sort_keys=True),
            protocol=json.dumps(reference.protocol, sort_keys=True),
            checksum=content_checksum(arrays),
        )


def read_cache(path: Path, key: dict, need_features: bool) -> ReferenceFeatures | None:
    """The cached reference, or None when absent, lacking raw features, or failing a check (then a warning)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in ("mean", "cov", "features", "labels") if name in archive}
            stored_key = json.loads(str(archive["key"]))
            protocol = json.loads(str(archive["protocol"]))
            checksum = str(archive["checksum"])
    except Exception as error:
        warnings.warn(f"reference cache {path} is unreadable ({type(error).__name__}); recomputing it", stacklevel=3)
        return None
    if stored_key != key:
        warnings.warn(f"reference cache {path} was made for other settings; recomputing it", stacklevel=3)
        return None
    if content_checksum(arrays) != checksum:
        warnings.warn(f"reference cache {path} is corrupt (checksum mismatch); recomputing it", stacklevel=3)
        return None
    if need_features and "features" not in arrays:
        return None
    return ReferenceFeatures(
        arrays["mean"], arrays["cov"], len(arrays["features"]) if "features" in arrays else int(protocol["n_reference"]),
        protocol, arrays.get("features"), arrays.get("labels"),
    )


#: The repository folder of the shipped statistics; installed as the package ganbench.reference_stats.
SOURCE_ROOT = Path(__file__).resolve().parents[2] / "reference_stats"


def shipped_root():
    """Where the shipped statistics and their manifest are: the installed ganbench.reference_stats (a wheel or
    an editable install), else the repository's top-level reference_stats/ (a source checkout on PYTHONPATH)."""
    try:
        root = resources.files("ganbench.reference_stats")
        if (root / "manifest.json").is_file():
            return root
    except ModuleNotFoundError:
        pass
    return SOURCE_ROOT


def shipped_statistics(key: dict) -> ReferenceFeatures | None:
    """Statistics shipped with the package for this key (ignoring the ganbench version), checked by sha256."""
    root = shipped_root()
    manifest_file = root / "manifest.json"
    if not manifest_file.is_file():
        return None
    wanted = {k: v for k, v in key.items() if k != "ganbench_version"}
    for entry in json.loads(manifest_file.read_text())["entries"]:
        if {k: entry["key"].get(k) for k in wanted} != wanted:
            continue
        with resources.as_file(root / entry["file"]) as path:
            if sha256_of(path) != entry["sha256"]:
                warnings.warn(f"shipped reference statistics {entry['file']} fail their sha256 check; recomputing", stacklevel=3)
                return None
            with np.load(path, allow_pickle=False) as archive:
                return ReferenceFeatures(archive["mean"], archive["cov"], int(entry["key"]["n"]), json.loads(str(archive["protocol"])))
    return None


def compute_reference(
    spec: DatasetSpec,
    split: str,
    n: int | None,
    extractor: FeatureExtractor,
    data_config: DataConfig,
    batch_size: int,
    progress: bool,
) -> ReferenceFeatures:
    """Extract pool features of the split (or its seeded subset of `n`) and their statistics."""
    data = spec.load(split, data_config)
    index = subset_indices(len(data), n)
    images = ArrayBatches(data.data[index], None if data.labels is None else data.labels[index])
    stats = extract_stats(images.batches(batch_size), len(images), extractor, {"pool": True}, f"{spec.info.name}/{split}", progress)["pool"]
    protocol = fingerprint(
        extractor=extractor.fingerprint(),
        n_generated=None,
        n_reference=stats.n,
        reference=spec.info.name,
        reference_split=split,
        device=str(extractor.device),
        metric_settings={},
    )
    return ReferenceFeatures(stats.mean(), stats.cov(), stats.n, protocol, stats.features(), images.labels())


def reference_features(
    spec: DatasetSpec,
    split: str,
    n: int | None,
    extractor: FeatureExtractor,
    data_config: DataConfig,
    need_features: bool,
    batch_size: int = 50,
    progress: bool = True,
) -> ReferenceFeatures:
    """Reference statistics (and raw features when `need_features`) of a dataset split, cached.

    `n` None means the dataset protocol's reference count, capped at the split size.
    """
    info = spec.info
    if not kind_of(info).extracted:
        raise GanbenchError(f"{info.name} holds {info.kind}, not images; feature statistics do not apply to it")
    if split not in info.splits:
        raise GanbenchError(f"{info.name} has no split {split!r}; choose one of: {', '.join(info.splits)}")
    size = len(spec.load(split, data_config))
    n = min(size, n if n is not None else info.protocol.n_reference)
    key = cache_key(info.name, split, n, extractor)
    if not need_features:
        shipped = shipped_statistics(key)
        if shipped is not None:
            return shipped
    path = cache_path(key, data_config.cache_dir)
    cached = read_cache(path, key, need_features)
    if cached is not None:
        return cached
    reference = compute_reference(spec, split, n, extractor, data_config, batch_size, progress)
    write_cache(path, key, reference)
    return reference
