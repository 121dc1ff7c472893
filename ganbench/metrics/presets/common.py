"""Input checks and shared passes used by several presets."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.knn import Neighbours, cross_nearest
from ganbench.metrics.manifold import ManifoldScores, manifold_scores
from ganbench.metrics.spec import MetricInputs


def need_neighbours(inputs: MetricInputs, k: int) -> None:
    """A GanbenchError unless both sides have more than `k` samples."""
    if min(inputs.n_gen, inputs.n_ref) <= k:
        raise GanbenchError(f"k-nearest-neighbour metrics with k={k} need more than {k} samples on each side")


def manifold(inputs: MetricInputs, config: MetricConfig) -> ManifoldScores:
    """Precision/recall and density/coverage from one shared k-NN pass over the requested ones."""
    pr_k = config.pr_k if "pr" in inputs.requested else None
    dc_k = config.dc_k if "dc" in inputs.requested else None
    return inputs.shared(
        ("manifold", pr_k, dc_k, config.device),
        lambda: manifold_scores(inputs.ref_features, inputs.gen_features, pr_k=pr_k, dc_k=dc_k, device=config.device),
    )


def features(inputs: MetricInputs, metric: str, heldout: bool = False) -> tuple[np.ndarray, ...]:
    """gen, ref (and held-out) features, checked for presence and matching widths."""
    named = [("generated", inputs.gen_features), ("training (reference)", inputs.ref_features)]
    if heldout:
        named.append(("held-out (test split)", inputs.heldout_features))
    for what, array in named:
        if array is None:
            raise GanbenchError(f"{metric} needs {what} features; score against a dataset with that split")
        if np.asarray(array).ndim != 2 or len(array) == 0:
            raise GanbenchError(f"{metric} needs {what} features (N, D) with N >= 1, got shape {np.shape(array)}")
    widths = {np.asarray(array).shape[1] for _, array in named}
    if len(widths) != 1:
        raise GanbenchError(f"{metric}: feature widths differ ({sorted(widths)}); extract all sides with one extractor")
    return tuple(np.asarray(array) for _, array in named)


def ratio_k(inputs: MetricInputs, config: MetricConfig) -> int:
    """Neighbours per generated sample of the ratio test (k + 1), checked against the training size."""
    k = config.memorization.ratio_neighbours
    if inputs.ref_features is not None and len(inputs.ref_features) < k + 1:
        raise GanbenchError(
            f"the memorization ratio test compares each sample's nearest training sample with the next {k}; "
            f"it needs at least {k + 1} training samples, got {len(inputs.ref_features)}"
        )
    return k + 1


def gen_to_train(inputs: MetricInputs, config: MetricConfig, k: int, gen: np.ndarray, train: np.ndarray) -> Neighbours:
    """The k nearest training samples of every generated sample, computed once per MetricInputs."""
    block_bytes = config.memorization.block_bytes
    return inputs.shared(
        ("gen_to_train", k, str(config.device), block_bytes),
        lambda: cross_nearest(gen, train, k, config.device, block_bytes),
    )
