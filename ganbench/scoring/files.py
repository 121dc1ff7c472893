"""Images on disk as scoring inputs: a checked reader, and the statistics or raw features of a folder / .npz."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.data.base import SampleBatches
from ganbench.data.image_files import open_images
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.extract import extract_stats
from ganbench.protocol import fingerprint
from ganbench.stats import ReferenceStats


def open_checked(path: str, what: str) -> SampleBatches:
    """Open a folder / .npz of images and insist on at least two of them (`what` names the option)."""
    images = open_images(path)
    if len(images) < 2:
        raise GanbenchError(f"{what} {path} holds {len(images)} image(s); at least 2 are needed")
    return images


def reference_stats(samples: str, extractor: FeatureExtractor, batch_size: int, progress: bool = True) -> ReferenceStats:
    """Mean and covariance of the pool features of a folder / .npz, with their fingerprint."""
    images = open_checked(samples, "--samples")
    pool = extract_stats(images.batches(batch_size), len(images), extractor, {"pool": False}, "reference", progress)["pool"]
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


def pool_features(samples: str, extractor: FeatureExtractor, batch_size: int, progress: bool = True) -> np.ndarray:
    """The raw float32 pool features (N, D) of a folder / .npz."""
    images = open_checked(samples, "--samples")
    stats = extract_stats(images.batches(batch_size), len(images), extractor, {"pool": True}, "features", progress)
    return stats["pool"].features()
