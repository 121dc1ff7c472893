"""`ct`: the C_T data-copying test (Meehan et al. 2020) against a held-out split."""

from __future__ import annotations

from ganbench.metrics.config import MetricConfig
from ganbench.metrics.memorization import ct_test
from ganbench.metrics.presets.common import features, neighbours
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def ct_settings(config: MetricConfig) -> dict:
    settings = config.memorization
    return {
        "ct_cells": settings.ct_cells,
        "ct_min_generated": settings.ct_min_generated,
        "ct_seed": settings.ct_seed,
        "ct_kmeans_init": settings.ct_kmeans_init,
        "ct_kmeans_fit_samples": settings.ct_kmeans_fit_samples,
    }


@register_metric(
    "ct",
    "C_T data-copying test (Meehan et al. 2020): cell-wise Mann-Whitney Z of generated vs held-out distances to "
    "the training set; strongly negative means copying",
    # 0 is ideal and negative means copying; "higher" because the failure this test exists for is copying,
    # and a positive C_T (generated samples farther from the training set than fresh data) is underfitting
    # that FID and precision already show.
    {"ct_score": Key("higher", "C_T", "z-score")},
    needs={"gen_features", "ref_features", "heldout_features"},
    settings=ct_settings,
    requires="a dataset with a held-out split",
)
def ct(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, train, heldout = features(inputs, "ct", heldout=True)
    settings = config.memorization
    # ct reads the generated rows' nearest training rows when the other requested presets' pass has them
    # (memorization, authpct); alone it measures within the cells, which costs less than a full pass
    found = neighbours(inputs, config, "ct")
    result = ct_test(
        train,
        heldout,
        gen,
        cells=settings.ct_cells,
        min_generated=settings.ct_min_generated,
        seed=settings.ct_seed,
        kmeans_init=settings.ct_kmeans_init,
        kmeans_fit_samples=settings.ct_kmeans_fit_samples,
        device=config.device,
        block_bytes=settings.block_bytes,
        gen_nearest=found.nearest if found is not None else None,
    )
    return {"ct_score": result.score}
