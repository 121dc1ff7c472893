"""Running an extractor over a stream of image batches into FeatureStats."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
from tqdm.auto import tqdm

from ganbench.features.base import FeatureExtractor
from ganbench.stats import FeatureStats


def extract_stats(
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    extractor: FeatureExtractor,
    keep_raw: dict[str, bool],
    desc: str = "features",
    progress: bool = True,
) -> dict[str, FeatureStats]:
    """Feed every batch through `extractor`; return one FeatureStats per requested output.

    `keep_raw` maps each wanted output ("pool", "logits") to whether its raw
    features are kept (metrics such as KID and IS need them; FID does not).
    """
    outputs = tuple(keep_raw)
    stats = {name: FeatureStats(extractor.output_dims[name], keep_raw=keep_raw[name]) for name in outputs}
    with tqdm(total=total, desc=desc, unit="img", disable=not progress, leave=False) as bar:
        for batch in batches:
            images = torch.from_numpy(np.ascontiguousarray(batch)) if isinstance(batch, np.ndarray) else batch
            features = extractor.extract(images, outputs)
            for name in outputs:
                stats[name].update(features[name])
            bar.update(len(images))
    return stats
