"""`ndb`: number of statistically different bins and JS divergence (Richardson & Weiss 2018)."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.ndb import ndb_js
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def ndb_settings(config: MetricConfig) -> dict:
    settings = config.distribution
    return {"ndb_bins": settings.ndb_bins, "ndb_significance": settings.ndb_significance, "ndb_seed": settings.ndb_seed}


@register_metric(
    "ndb",
    "NDB and JS (Richardson & Weiss 2018): k-means bins (100) of the reference features, a two-proportion z-test "
    "per bin against the generated shares; the number of different bins (p < 0.05) and the JS divergence",
    {"ndb": Key("lower", "NDB", "bins"), "ndb_js": Key("lower", "NDB JS divergence", "nats")},
    needs={"gen_features", "ref_features"},
    settings=ndb_settings,
)
def ndb(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, ref = features(inputs, "ndb")
    settings = config.distribution
    if len(ref) < settings.ndb_bins:
        raise GanbenchError(
            f"ndb bins {len(ref)} reference samples into {settings.ndb_bins} bins; lower --ndb-bins or use more "
            "reference samples (the authors suggest hundreds per bin)"
        )
    if not 0 < settings.ndb_significance < 1:
        raise GanbenchError(f"--ndb-significance must lie between 0 and 1, got {settings.ndb_significance}")
    try:
        result = ndb_js(gen, ref, settings.ndb_bins, settings.ndb_significance, seed=settings.ndb_seed)
    except ValueError as error:  # k-means left a bin empty
        raise GanbenchError(f"ndb: {error}") from None
    return {"ndb": float(result.ndb), "ndb_js": result.js}
