"""`pr`: improved precision and recall (Kynkaanniemi et al. 2019) on k-NN manifolds of the features."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.presets.common import manifold, need_neighbours
from ganbench.metrics.spec import MetricInputs, register_metric


@register_metric(
    "pr",
    "Improved precision and recall (Kynkaanniemi et al. 2019), k-NN manifolds",
    {"precision": "higher", "recall": "higher"},
    needs={"gen_features", "ref_features"},
    settings=lambda config: {"pr_k": config.pr_k},
)
def precision_recall(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    need_neighbours(inputs, config.pr_k)
    scores = manifold(inputs, config)
    return {"precision": scores.precision, "recall": scores.recall}
