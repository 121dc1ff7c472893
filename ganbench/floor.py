"""The real-versus-real floor: a dataset's held-out split scored against its reference split.

It shows what a perfect generator would score under the same protocol (same
extractor, sample counts capped by the held-out split, same metrics).
"""

from __future__ import annotations

from dataclasses import replace

from ganbench.config import ScoreConfig
from ganbench.data.image_files import ArrayImages
from ganbench.errors import GanbenchError
from ganbench.reference import subset_indices
from ganbench.score import ScoreResult, dataset_spec, default_metrics, score_batches


def floor(config: ScoreConfig) -> ScoreResult:
    """Score the held-out split (as if generated) against the reference split of `config.dataset`."""
    config = default_metrics(config)
    spec = dataset_spec(config)
    if spec is None:
        raise GanbenchError("--floor needs --dataset NAME")
    info = spec.info
    reference_split = config.split or info.protocol.reference_split
    heldout = next((s for s in info.splits if s != reference_split), None)
    if heldout is None:
        raise GanbenchError(f"{info.name} has only the split {reference_split!r}; a floor needs a second, held-out split")
    data = spec.load(heldout, config.data_config)
    chosen = subset_indices(len(data), info.protocol.n_generated)
    config = replace(config, split=reference_split)
    if info.kind == "points":
        return score_batches(config, None, 0, points=data.data[chosen].astype("float64"))
    images = ArrayImages(data.data[chosen])
    return score_batches(config, images.batches(config.batch_size), len(images))
