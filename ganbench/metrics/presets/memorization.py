"""`memorization`: the nearest-neighbour ratio test (Carlini et al. 2023) and MiFID's memorization distance."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.exact_knn import Neighbours
from ganbench.metrics.memorization import ratios_from_neighbours
from ganbench.metrics.presets.common import features, neighbours, ratio_k
from ganbench.metrics.shared_neighbours import NeighbourRequest
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def memorization_settings(config: MetricConfig) -> dict:
    settings = config.memorization
    return {"ratio_neighbours": settings.ratio_neighbours, "ratio_threshold": settings.ratio_threshold}


@register_metric(
    "memorization",
    "Fraction of generated samples flagged by the nearest-neighbour ratio test (Carlini et al. 2023), and MiFID's "
    "memorization distance (mean min cosine distance to training features)",
    {
        "memorized_fraction": Key("lower", "memorized fraction", "fraction"),
        "memorization_distance": Key("higher", "memorization distance", "cosine distance"),
    },
    needs={"gen_features", "ref_features"},
    settings=memorization_settings,
    neighbours=lambda config: NeighbourRequest(nearest=config.memorization.ratio_neighbours + 1, cosine=True),
)
def memorization(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    settings = config.memorization
    features(inputs, "memorization")
    k = ratio_k(inputs, config)
    found = neighbours(inputs, config, "memorization")
    if found.cosine is None:
        raise GanbenchError(
            "memorization: every training feature row is zero: cosine distances are undefined; check the features"
        )
    nearest = Neighbours(found.nearest.distances[:, :k], found.nearest.indices[:, :k])
    ratios = ratios_from_neighbours(nearest, settings.ratio_threshold)
    return {"memorized_fraction": ratios.memorized_fraction, "memorization_distance": found.cosine.mean}
