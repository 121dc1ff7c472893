"""`vendi`: the Vendi score of the generated samples (Friedman & Dieng 2023), their effective number."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import Key, MetricInputs, register_metric
from ganbench.metrics.vendi import vendi_score


@register_metric(
    "vendi",
    "Vendi score (Friedman & Dieng 2023): exp of the entropy of the cosine-kernel spectrum of the generated "
    "features (from the d x d matrix), the effective number of distinct samples",
    {"vendi": Key("higher", "Vendi score", "effective samples")},
    needs={"gen_features"},
    settings=lambda config: {"vendi_order": config.vendi_order},
)
def vendi(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_features is None or len(inputs.gen_features) == 0:
        raise GanbenchError("vendi needs the features of at least 1 generated sample")
    return {"vendi": vendi_score(inputs.gen_features, config.vendi_order)}
