"""`cmmd`: CLIP maximum mean discrepancy (Jayasumana et al., CVPR 2024), the reference code's estimator."""

from __future__ import annotations

from ganbench.metrics.cmmd import cmmd
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "cmmd",
    "CMMD: 1000 x biased MMD^2 with a Gaussian RBF kernel (sigma 10) between L2-normalised CLIP ViT-L/14@336 "
    "embeddings of generated and reference images",
    {"cmmd": Key("lower", "CMMD", "1000 x squared kernel distance")},
    needs={"gen_features", "ref_features"},
    settings=lambda config: {"cmmd_sigma": config.cmmd_sigma},
    extractors=("clip-vit-l14-336",),
)
def cmmd_preset(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, ref = features(inputs, "cmmd")
    return {"cmmd": cmmd(gen, ref, config.cmmd_sigma, config.device)}
