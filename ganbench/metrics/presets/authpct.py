"""`authpct`: AuthPct (Alaa et al. 2022) as dgm-eval computes it."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.memorization import authenticity
from ganbench.metrics.presets.common import features, neighbours
from ganbench.metrics.shared_neighbours import NeighbourRequest
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "authpct",
    "AuthPct (Alaa et al. 2022): percent of generated samples farther from their nearest training sample than "
    "that sample is from its own nearest training sample",
    {"authpct": Key("higher", "AuthPct", "percent")},
    needs={"gen_features", "ref_features"},
    neighbours=lambda config: NeighbourRequest(nearest=1, ref_radii=(1,)),
)
def authpct(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, train = features(inputs, "authpct")
    if len(train) < 2:
        raise GanbenchError("authpct needs at least 2 training samples")
    found = neighbours(inputs, config, "authpct")
    result = authenticity(gen, train, nearest=found.nearest, train_radius=found.ref_radii[1])
    return {"authpct": result.authpct}
