"""`modes`: modes covered, high-quality fraction and KL to uniform (VEEGAN / PacGAN), for point sets with known
modes or for stacked MNIST from per-channel digit labels."""

from __future__ import annotations

import math

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.modes import count_point_modes, stacked_mnist_modes
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def mode_settings(config: MetricConfig) -> dict:
    return {"mode_quality_stds": config.modes.mode_quality_stds, "mode_min_count": config.modes.mode_min_count}


def mode_ranges(num_modes: int | None) -> dict[str, tuple[float, float]]:
    """modes_covered in [0, M], mode_kl in [0, log M] (M modes), high_quality_fraction in [0, 1]."""
    ranges = {"high_quality_fraction": (0.0, 1.0)}
    if num_modes:
        ranges |= {"modes_covered": (0.0, float(num_modes)), "mode_kl": (0.0, math.log(num_modes))}
    return ranges


@register_metric(
    "modes",
    "Modes covered, high-quality fraction and KL to uniform (VEEGAN/PacGAN): point sets with known modes, or stacked "
    "MNIST from gen_channel_labels",
    {
        "modes_covered": Key("higher", "modes covered", "modes"),
        "high_quality_fraction": Key("higher", "high-quality fraction", "fraction"),
        "mode_kl": Key("lower", "mode KL", "nats"),
    },
    needs=({"gen_points", "modes"}, {"gen_channel_labels"}),
    settings=mode_settings,
    requires="points with known modes (ring8, grid25) or stacked_mnist",
    ranges=mode_ranges,
)
def modes(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    """Stacked MNIST when `gen_channel_labels` is filled (it then needs no points), else the point protocol."""
    settings = config.modes
    if inputs.gen_channel_labels is not None:
        return stacked_mnist_modes(inputs.gen_channel_labels, settings.mode_min_count).as_metrics()
    if inputs.gen_points is None or inputs.modes is None or inputs.mode_std is None:
        raise GanbenchError(
            "the modes metric needs a dataset with known modes (ring8, grid25) or stacked_mnist; "
            "score one of those, or drop modes from the metrics"
        )
    points, dim = np.asarray(inputs.gen_points), np.shape(inputs.modes)[1]
    if points.ndim != 2 or points.shape[1] != dim:
        raise GanbenchError(f"the modes metric needs generated {dim}-D points (N, {dim}), got shape {points.shape}")
    if len(points) == 0:
        raise GanbenchError("the modes metric got no generated points; pass at least one")
    return count_point_modes(
        points, inputs.modes, inputs.mode_std, settings.mode_quality_stds, settings.mode_min_count
    ).as_metrics()
