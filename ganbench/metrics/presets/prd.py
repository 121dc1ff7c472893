"""`prd`: precision and recall for distributions (Sajjadi et al. 2018), summarised by F_8 and F_1/8."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.balanced import balanced
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.prd import PrdCurve, prd_from_features
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric

#: Sajjadi et al.: F_8 weighs recall, F_1/8 precision
PRD_BETA = 8.0


def prd_settings(config: MetricConfig) -> dict:
    settings = config.distribution
    return {
        "prd_clusters": settings.prd_clusters,
        "prd_angles": settings.prd_angles,
        "prd_runs": settings.prd_runs,
        "prd_kmeans_batch": settings.prd_kmeans_batch,
        "prd_seed": settings.prd_seed,
    }


def prd_curve(inputs: MetricInputs, config: MetricConfig) -> PrdCurve:
    """The averaged PRD curve of the inputs' generated against reference features, the larger side subsampled
    to the smaller's size (the authors' code refuses unequal sets: they bias the clustering)."""
    gen, ref = features(inputs, "prd")
    settings = config.distribution
    gen, ref = balanced(gen, ref, settings.prd_seed)
    if 2 * len(gen) < settings.prd_clusters:
        raise GanbenchError(
            f"prd clusters {2 * len(gen)} features into {settings.prd_clusters} clusters; score more samples or "
            "lower --prd-clusters"
        )
    return prd_from_features(
        gen,
        ref,
        clusters=settings.prd_clusters,
        angles=settings.prd_angles,
        runs=settings.prd_runs,
        seed=settings.prd_seed,
        batch_size=settings.prd_kmeans_batch,
    )


@register_metric(
    "prd",
    "PRD curves (Sajjadi et al. 2018): precision and recall for distributions from k-means histograms of the "
    "generated and reference features (20 clusters, averaged over 10 clusterings); F_8 weighs recall, F_1/8 precision",
    {"prd_f8": Key("higher", "PRD F8", "fraction"), "prd_f1_8": Key("higher", "PRD F1/8", "fraction")},
    needs={"gen_features", "ref_features"},
    settings=prd_settings,
)
def prd(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    curve = prd_curve(inputs, config)
    return {"prd_f8": curve.max_f_beta(PRD_BETA), "prd_f1_8": curve.max_f_beta(1 / PRD_BETA)}
