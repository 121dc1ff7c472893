"""`parzen`: Parzen-window log-likelihood of held-out samples under a kernel density of the generated ones."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.parzen import ParzenResult, feature_scale, parzen_window
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def parzen_settings(config: MetricConfig) -> dict:
    settings = config.distribution
    return {
        "parzen_sigma_min": settings.parzen_sigma_min,
        "parzen_sigma_max": settings.parzen_sigma_max,
        "parzen_sigmas": settings.parzen_sigmas,
        "parzen_validation": settings.parzen_validation,
        "parzen_seed": settings.parzen_seed,
    }


def parzen_result(inputs: MetricInputs, config: MetricConfig) -> ParzenResult:
    """The held-out split cut (seeded) into validation (at most half) and test samples; the sigma grid scaled by
    the reference features; a sigma chosen on the grid's edge is refused (the best one may lie beyond it)."""
    gen, ref, heldout = features(inputs, "parzen", heldout=True)
    settings = config.distribution
    if {row.tobytes() for row in np.asarray(heldout)} & {row.tobytes() for row in np.asarray(gen)}:
        raise GanbenchError(
            "parzen's held-out samples are among the generated ones (the real-vs-real floor scores the held-out split "
            "itself), so the likelihood would be of its own kernel centres; score other samples against the dataset"
        )
    if len(heldout) < 2:
        raise GanbenchError("parzen needs at least 2 held-out samples: one to choose sigma, one to test")
    if not 0 < settings.parzen_sigma_min < settings.parzen_sigma_max:
        raise GanbenchError("--parzen-sigma-min must be above 0 and below --parzen-sigma-max")
    order = np.random.default_rng(settings.parzen_seed).permutation(len(heldout))
    n_valid = min(settings.parzen_validation, len(heldout) // 2)
    validation, test = heldout[np.sort(order[:n_valid])], heldout[np.sort(order[n_valid:])]
    scale = feature_scale(ref)
    if scale == 0:
        raise GanbenchError("parzen: the reference features are all equal, so they give no scale for sigma")
    sigmas = scale * np.logspace(np.log10(settings.parzen_sigma_min), np.log10(settings.parzen_sigma_max), settings.parzen_sigmas)
    result = parzen_window(gen, validation, test, sigmas)
    if result.sigma in (sigmas[0], sigmas[-1]):
        edge = "smallest" if result.sigma == sigmas[0] else "largest"
        raise GanbenchError(
            f"parzen chose the {edge} sigma of its grid ({result.sigma:.4g}), so the best one may lie beyond it; "
            "widen the grid with --parzen-sigma-min / --parzen-sigma-max"
        )
    return result


@register_metric(
    "parzen",
    "Parzen-window log-likelihood (Goodfellow et al. 2014, parzen_ll.py): Gaussian kernel density on the generated "
    "features, sigma by grid search on held-out validation samples, mean log-likelihood of the other held-out "
    "samples with its standard error",
    {
        "parzen_ll": Key("higher", "Parzen log-likelihood", "nats"),
        "parzen_ll_se": Key("spread", "Parzen log-likelihood SE", "nats"),
    },
    needs={"gen_features", "ref_features", "heldout_features"},
    settings=parzen_settings,
    requires="a dataset with a held-out split",
)
def parzen(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    result = parzen_result(inputs, config)
    return {"parzen_ll": result.mean, "parzen_ll_se": result.standard_error}
