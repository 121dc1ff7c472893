"""Registered presets for mode dropping (`modes`, `class_coverage`) and memorization (`memorization`,
`authpct`, `ct`). The maths and the meaning of every threshold live in `ganbench.metrics.modes` and
`ganbench.metrics.memorization`; this module checks the inputs and turns them into metric values.

Settings: the presets read `ModeMetricConfig` / `MemorizationConfig` from `MetricConfig.mode_metrics` /
`MetricConfig.memorization` when the MetricConfig carries such a field, and use their defaults otherwise.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from ganbench.config import MetricConfig
from ganbench.errors import GanbenchError
from ganbench.metrics.memorization import (
    MemorizationConfig,
    Neighbours,
    authenticity,
    cross_nearest,
    ct_test,
    memorization_distance,
    ratios_from_neighbours,
)
from ganbench.metrics.modes import ModeMetricConfig, class_coverage, count_point_modes, stacked_mnist_modes
from ganbench.metrics.presets import MetricInputs, register_metric


def mode_config(config: MetricConfig) -> ModeMetricConfig:
    """The mode-metric settings carried by `config`, or the defaults."""
    return getattr(config, "mode_metrics", None) or ModeMetricConfig()


def memorization_config(config: MetricConfig) -> MemorizationConfig:
    """The memorization settings carried by `config`, or the defaults."""
    return getattr(config, "memorization", None) or MemorizationConfig()


# Work shared between presets scored on the same MetricInputs (the generated-to-training neighbours of
# `memorization` and `authpct`), dropped when the MetricInputs object is garbage-collected.
_SHARED: dict[int, dict] = {}


def _shared(inputs: MetricInputs, key: tuple, compute: Callable[[], object]):
    store = _SHARED.get(id(inputs))
    if store is None:
        store = _SHARED[id(inputs)] = {}
        weakref.finalize(inputs, _SHARED.pop, id(inputs), None)
    if key not in store:
        store[key] = compute()
    return store[key]


@register_metric(
    "modes",
    "Modes covered, high-quality fraction and KL to uniform (VEEGAN/PacGAN): 2-D sets with known modes, or stacked "
    "MNIST from gen_channel_labels",
    {"modes_covered": "higher", "high_quality_fraction": "higher", "mode_kl": "lower"},
    {"gen_points", "modes"},
)
def _modes(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    """Stacked MNIST when `gen_channel_labels` is filled (it then needs no points), else the 2-D protocol."""
    settings = mode_config(config)
    if inputs.gen_channel_labels is not None:
        return stacked_mnist_modes(inputs.gen_channel_labels, settings.min_count).as_metrics()
    if inputs.gen_points is None or inputs.modes is None or inputs.mode_std is None:
        raise GanbenchError(
            "the modes metric needs a dataset with known modes (ring8, grid25) or stacked_mnist; "
            "score one of those, or drop modes from the metrics"
        )
    points = np.asarray(inputs.gen_points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise GanbenchError(
            f"the modes metric needs generated 2-D points (N, 2), got shape {points.shape}; pass points"
        )
    if len(points) == 0:
        raise GanbenchError("the modes metric got no generated points; pass at least one")
    return count_point_modes(
        points, inputs.modes, inputs.mode_std, settings.quality_stds, settings.min_count
    ).as_metrics()


@register_metric(
    "class_coverage",
    "Classes covered by the dataset classifier's predictions, and KL(generated || real class distribution)",
    {"classes_covered": "higher", "class_kl": "lower", "covered_mass": "higher"},
    {"gen_class_logits", "ref_labels"},
)
def _class_coverage(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_class_logits is None or inputs.ref_labels is None:
        raise GanbenchError(
            "class_coverage needs a labelled dataset with a classifier extractor (e.g. mnist5k with "
            "mnist-classifier); score one, or drop class_coverage from the metrics"
        )
    logits = np.asarray(inputs.gen_class_logits)
    if logits.ndim != 2 or len(logits) == 0:
        raise GanbenchError(
            f"class_coverage needs classifier logits (N, C) of at least one sample, got shape {logits.shape}"
        )
    if inputs.num_classes is not None and logits.shape[1] != inputs.num_classes:
        raise GanbenchError(
            f"the classifier gives {logits.shape[1]} classes but the dataset has {inputs.num_classes}; "
            "use the dataset's own classifier extractor"
        )
    ref_labels = np.asarray(inputs.ref_labels)
    if len(ref_labels) == 0 or ref_labels.min() < 0 or ref_labels.max() >= logits.shape[1]:
        raise GanbenchError(
            f"the reference labels must be class indices in 0..{logits.shape[1] - 1}; use the dataset's own classifier"
        )
    return class_coverage(logits, ref_labels, logits.shape[1], mode_config(config).class_min_share_ratio).as_metrics()


def _features(inputs: MetricInputs, metric: str, heldout: bool = False) -> tuple[np.ndarray, ...]:
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


def _gen_to_train(inputs: MetricInputs, config: MetricConfig, k: int, gen: np.ndarray, train: np.ndarray) -> Neighbours:
    """The k nearest training samples of every generated sample, computed once per MetricInputs."""
    settings = memorization_config(config)
    return _shared(
        inputs,
        ("gen_to_train", k, str(config.device), settings.block_bytes),
        lambda: cross_nearest(gen, train, k, config.device, settings.block_bytes),
    )


def _ratio_k(inputs: MetricInputs, config: MetricConfig) -> int:
    """Neighbours per generated sample of the ratio test (k + 1), checked against the training size."""
    k = memorization_config(config).ratio_neighbours
    if inputs.ref_features is not None and len(inputs.ref_features) < k + 1:
        raise GanbenchError(
            f"the memorization ratio test compares each sample's nearest training sample with the next {k}; "
            f"it needs at least {k + 1} training samples, got {len(inputs.ref_features)}"
        )
    return k + 1


@register_metric(
    "memorization",
    "Fraction of generated samples flagged by the nearest-neighbour ratio test (Carlini et al. 2023), and MiFID's "
    "memorization distance (mean min cosine distance to training features)",
    {"memorized_fraction": "lower", "memorization_distance": "higher"},
    {"gen_features", "ref_features"},
)
def _memorization(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    settings = memorization_config(config)
    gen, train = _features(inputs, "memorization")
    neighbours = _gen_to_train(inputs, config, _ratio_k(inputs, config), gen, train)
    ratios = ratios_from_neighbours(neighbours, settings.ratio_threshold)
    try:
        distance = memorization_distance(gen, train, config.device, settings.block_bytes)
    except ValueError as error:
        raise GanbenchError(f"memorization: {error}; check the features") from None
    return {"memorized_fraction": ratios.memorized_fraction, "memorization_distance": distance}


@register_metric(
    "authpct",
    "AuthPct (Alaa et al. 2022): percent of generated samples farther from their nearest training sample than "
    "that sample is from its own nearest training sample",
    {"authpct": "higher"},
    {"gen_features", "ref_features"},
)
def _authpct(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, train = _features(inputs, "authpct")
    if len(train) < 2:
        raise GanbenchError("authpct needs at least 2 training samples")
    # reuse the ratio test's neighbours when memorization is scored too
    k = _ratio_k(inputs, config) if "memorization" in inputs.requested else 1
    nearest = _gen_to_train(inputs, config, k, gen, train)
    result = authenticity(gen, train, config.device, memorization_config(config).block_bytes, nearest=nearest)
    return {"authpct": result.authpct}


@register_metric(
    "ct",
    "C_T data-copying test (Meehan et al. 2020): cell-wise Mann-Whitney Z of generated vs held-out distances to "
    "the training set; strongly negative means copying",
    # 0 is ideal and negative means copying; "higher" because the failure this test exists for is copying,
    # and a positive C_T (generated samples farther from the training set than fresh data) is underfitting
    # that FID and precision already show.
    {"ct_score": "higher"},
    {"gen_features", "ref_features", "heldout_features"},
)
def _ct(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, train, heldout = _features(inputs, "ct", heldout=True)
    settings = memorization_config(config)
    result = ct_test(
        train,
        heldout,
        gen,
        cells=settings.ct_cells,
        min_generated=settings.ct_min_generated,
        seed=settings.ct_seed,
        kmeans_init=settings.ct_kmeans_init,
        kmeans_fit_samples=settings.ct_kmeans_fit_samples,
        device=config.device,
        block_bytes=settings.block_bytes,
    )
    return {"ct_score": result.score}
