"""`memorization`: the nearest-neighbour ratio test (Carlini et al. 2023) and MiFID's memorization distance."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.memorization import memorization_distance, ratios_from_neighbours
from ganbench.metrics.presets.common import features, gen_to_train, ratio_k
from ganbench.metrics.spec import MetricInputs, register_metric


def memorization_settings(config: MetricConfig) -> dict:
    settings = config.memorization
    return {"ratio_neighbours": settings.ratio_neighbours, "ratio_threshold": settings.ratio_threshold}


@register_metric(
    "memorization",
    "Fraction of generated samples flagged by the nearest-neighbour ratio test (Carlini et al. 2023), and MiFID's "
    "memorization distance (mean min cosine distance to training features)",
    {"memorized_fraction": "lower", "memorization_distance": "higher"},
    needs={"gen_features", "ref_features"},
    settings=memorization_settings,
)
def memorization(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    settings = config.memorization
    gen, train = features(inputs, "memorization")
    neighbours = gen_to_train(inputs, config, ratio_k(inputs, config), gen, train)
    ratios = ratios_from_neighbours(neighbours, settings.ratio_threshold)
    try:
        distance = memorization_distance(gen, train, config.device, settings.block_bytes)
    except ValueError as error:
        raise GanbenchError(f"memorization: {error}; check the features") from None
    return {"memorized_fraction": ratios.memorized_fraction, "memorization_distance": distance}
