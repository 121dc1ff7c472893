"""`pr`: improved precision and recall (Kynkaanniemi et al. 2019) on k-NN manifolds of the features."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.manifold import manifold_from, manifold_request
from ganbench.metrics.presets.common import need_neighbours, neighbours
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "pr",
    "Improved precision and recall (Kynkaanniemi et al. 2019), k-NN manifolds",
    {"precision": Key("higher", "precision", "fraction"), "recall": Key("higher", "recall", "fraction")},
    needs={"gen_features", "ref_features"},
    settings=lambda config: {"pr_k": config.pr_k},
    neighbours=lambda config: manifold_request(config.pr_k, None),
)
def precision_recall(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    need_neighbours(inputs, config.pr_k)
    scores = manifold_from(neighbours(inputs, config, "pr"), config.pr_k, None)
    return {"precision": scores.precision, "recall": scores.recall}
