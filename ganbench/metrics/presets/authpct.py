"""`authpct`: AuthPct (Alaa et al. 2022) as dgm-eval computes it."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.memorization import authenticity
from ganbench.metrics.presets.common import features, gen_to_train, ratio_k
from ganbench.metrics.spec import MetricInputs, register_metric


@register_metric(
    "authpct",
    "AuthPct (Alaa et al. 2022): percent of generated samples farther from their nearest training sample than "
    "that sample is from its own nearest training sample",
    {"authpct": "higher"},
    needs={"gen_features", "ref_features"},
)
def authpct(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, train = features(inputs, "authpct")
    if len(train) < 2:
        raise GanbenchError("authpct needs at least 2 training samples")
    # reuse the ratio test's neighbours when memorization is scored too
    k = ratio_k(inputs, config) if "memorization" in inputs.requested else 1
    nearest = gen_to_train(inputs, config, k, gen, train)
    result = authenticity(gen, train, config.device, config.memorization.block_bytes, nearest=nearest)
    return {"authpct": result.authpct}
