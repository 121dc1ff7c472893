"""`fd_dinov2`: Frechet distance on DINOv2 features (Stein et al., NeurIPS 2023; dgm-eval's default, ViT-L/14)."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.spec import Key, MetricInputs, register_metric

#: dgm-eval's default DINOv2 first; the smaller ones give other (separately ranked) protocols
DINOV2_EXTRACTORS = ("dinov2-vit-l14", "dinov2-vit-b14", "dinov2-vit-s14")


@register_metric(
    "fd_dinov2",
    "Frechet distance between Gaussian fits of DINOv2 CLS features (Stein et al. 2023), the maths of fid",
    {"fd_dinov2": Key("lower", "FD_DINOv2", "squared feature distance")},
    needs={"gen_stats", "ref_stats"},
    covariance=True,
    extractors=DINOV2_EXTRACTORS,
)
def fd_dinov2(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    return {"fd_dinov2": frechet_distance(inputs.gen_mean, inputs.gen_cov, inputs.ref_mean, inputs.ref_cov)}
