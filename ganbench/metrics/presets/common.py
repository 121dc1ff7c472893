"""Input checks and shared passes used by several presets."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.shared_neighbours import NeighbourRequest, SharedNeighbours, shared_neighbours
from ganbench.metrics.spec import METRICS, MetricInputs


def need_neighbours(inputs: MetricInputs, k: int) -> None:
    """A GanbenchError unless both sides have more than `k` samples."""
    if min(inputs.n_gen, inputs.n_ref) <= k:
        raise GanbenchError(f"k-nearest-neighbour metrics with k={k} need more than {k} samples on each side")


def neighbours(inputs: MetricInputs, config: MetricConfig, metric: str) -> SharedNeighbours | None:
    """The one k-NN pass over generated and reference features, for everything that `metric` and the other
    requested presets read of it (`MetricSpec.neighbours`), computed the first time a preset asks for it on
    these inputs; None when none of them reads anything. Parts the sample counts cannot give (a k-th
    neighbour radius needs more than k rows) are left out, for the preset that needs them to refuse."""
    request = NeighbourRequest()
    for name in dict.fromkeys((*inputs.requested, metric)):
        wants = METRICS.get(name).neighbours
        if wants is not None:
            request |= wants(config)
    gen, ref = inputs.gen_features, inputs.ref_features
    request = request.within(len(gen), len(ref))
    if request == NeighbourRequest():
        return None
    block_bytes = config.memorization.block_bytes
    return inputs.shared(
        ("neighbours", request, str(config.device), block_bytes),
        lambda: shared_neighbours(ref, gen, request, config.device, block_bytes),
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
