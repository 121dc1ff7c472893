"""Running an extractor over a stream of image batches into FeatureStats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from ganbench.features.base import FeatureExtractor
from ganbench.progress import progress_bar
from ganbench.stats import FeatureStats


def extract_stats_many(
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    plans: Sequence[tuple[FeatureExtractor, dict[str, bool]]],
    desc: str = "features",
    progress: bool = True,
) -> list[dict[str, FeatureStats]]:
    """Feed every batch through each extractor of `plans` in one pass; one {output: FeatureStats} per plan.

    Each plan's `keep_raw` maps the wanted outputs ("pool", "logits") to whether their raw features are kept
    (metrics such as KID and IS need them; FID does not).
    """
    stats = [
        {name: FeatureStats(extractor.output_dims[name], keep_raw=keep) for name, keep in keep_raw.items()}
        for extractor, keep_raw in plans
    ]
    with progress_bar(total, enabled=progress, desc=desc, unit="img", plain=False, leave=False) as bar:
        for batch in batches:
            images = torch.from_numpy(np.ascontiguousarray(batch)) if isinstance(batch, np.ndarray) else batch
            for (extractor, keep_raw), found in zip(plans, stats, strict=True):
                features = extractor.extract(images, tuple(keep_raw))
                for name in keep_raw:
                    found[name].update(features[name])
            bar.update(len(images))
    return stats


def extract_stats(
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    extractor: FeatureExtractor,
    keep_raw: dict[str, bool],
    desc: str = "features",
    progress: bool = True,
) -> dict[str, FeatureStats]:
    """Feed every batch through `extractor`; return one FeatureStats per requested output (see extract_stats_many)."""
    return extract_stats_many(batches, total, [(extractor, keep_raw)], desc, progress)[0]
