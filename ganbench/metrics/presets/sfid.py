"""`sfid`: sFID (Nash et al. 2021), the Frechet distance on InceptionV3's spatial features (guided-diffusion's)."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "sfid",
    "sFID (Nash et al. 2021): Frechet distance between Gaussian fits of the first 7 channels of InceptionV3's "
    "mixed_6/conv (17x17x7 = 2023 values), as guided-diffusion's evaluator; the maths of fid",
    {"sfid": Key("lower", "sFID", "squared feature distance")},
    needs={"gen_stats", "ref_stats"},
    extractors=("inception-v3-spatial",),
)
def sfid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    return {"sfid": frechet_distance(inputs.gen_mean, inputs.gen_cov, inputs.ref_mean, inputs.ref_cov)}
