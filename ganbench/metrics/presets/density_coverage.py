"""`dc`: density and coverage (Naeem et al. 2020) on the k-NN manifold of the reference features."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.manifold import manifold_from, manifold_request
from ganbench.metrics.presets.common import need_neighbours, neighbours
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "dc",
    "Density and coverage (Naeem et al. 2020), k-NN manifolds of the reference",
    {"density": Key("higher", "density", "ratio"), "coverage": Key("higher", "coverage", "fraction")},
    needs={"gen_features", "ref_features"},
    settings=lambda config: {"dc_k": config.dc_k},
    neighbours=lambda config: manifold_request(None, config.dc_k),
)
def density_coverage(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    need_neighbours(inputs, config.dc_k)
    scores = manifold_from(neighbours(inputs, config, "dc"), None, config.dc_k)
    return {"density": scores.density, "coverage": scores.coverage}
