"""The generated side of a score: one pass over the sample batches into the MetricInputs fields the requested
metrics need (features through the extractor for images, the points themselves for point sets)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.extract import extract_stats_many
from ganbench.features.mnist_classifier import MnistClassifier, classify_channels


def kept(batches: Iterable[np.ndarray | torch.Tensor], store: list[np.ndarray]) -> Iterator[np.ndarray | torch.Tensor]:
    """Pass batches through unchanged while keeping a numpy copy of each in `store`."""
    for batch in batches:
        store.append(batch.cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch))
        yield batch


def wanted_outputs(needs: frozenset[str]) -> dict[str, bool]:
    """The extractor outputs `needs` asks for, each with whether its raw features are kept.

    `needs` must be what the extractor can give (ganbench.scoring.plan.fit_extractor checked it).
    """
    keep_raw = {"pool": "gen_features" in needs}
    if needs & {"gen_logits", "gen_class_logits"}:
        keep_raw["logits"] = True
    return keep_raw


def extracted_inputs(
    batches: Iterable[np.ndarray | torch.Tensor],
    total: int,
    plans: Sequence[tuple[FeatureExtractor, frozenset[str]]],
    progress: bool = True,
) -> list[dict]:
    """For each (extractor, needs) of `plans`: n_gen, the Gaussian statistics and whatever else `needs` asks for,
    all from one pass over the uint8 images."""
    if total < 2:
        raise GanbenchError(f"{total} generated sample(s); at least 2 are needed")
    outputs = [wanted_outputs(needs) for _, needs in plans]
    images: list[np.ndarray] = []
    channel_labels = any("gen_channel_labels" in needs for _, needs in plans)
    stream = kept(batches, images) if channel_labels else batches
    all_stats = extract_stats_many(stream, total, [(e, o) for (e, _), o in zip(plans, outputs, strict=True)], "generated", progress)
    found = []
    for (extractor, needs), keep_raw, stats in zip(plans, outputs, all_stats, strict=True):
        pool = stats["pool"]
        fields = {"n_gen": pool.n, "gen_mean": pool.mean(), "gen_cov": pool.cov()}
        if keep_raw["pool"]:
            fields["gen_features"] = pool.features()
        if "logits" in keep_raw:
            logits = stats["logits"].features()
            if "gen_logits" in needs:
                fields["gen_logits"] = logits
            if "gen_class_logits" in needs:
                fields["gen_class_logits"] = logits
        if "gen_channel_labels" in needs:
            classifier = extractor if isinstance(extractor, MnistClassifier) else None
            fields["gen_channel_labels"] = classify_channels(np.concatenate(images), classifier)
        found.append(fields)
    return found


def point_inputs(batches: Iterable[np.ndarray | torch.Tensor]) -> dict:
    """n_gen and the generated points as float64 (N, D)."""
    parts = [batch.double().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch, np.float64) for batch in batches]
    points = np.concatenate(parts) if parts else np.zeros((0, 2))
    if len(points) == 0:
        raise GanbenchError("no generated points were given; pass at least one")
    return {"n_gen": len(points), "gen_points": points}
