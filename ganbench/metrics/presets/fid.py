"""`fid`: Frechet distance between Gaussian fits of the generated and reference features (Heusel et al. 2017)."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "fid",
    "Frechet distance between Gaussian fits of the pool features",
    {"fid": Key("lower", "FID", "squared feature distance")},
    needs={"gen_stats", "ref_stats"},
    covariance=True,
)
def fid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    return {"fid": frechet_distance(inputs.gen_mean, inputs.gen_cov, inputs.ref_mean, inputs.ref_cov)}
