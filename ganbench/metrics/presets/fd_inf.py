"""`fd_inf`: FD extrapolated to infinitely many generated samples (Chong & Forsyth, CVPR 2020)."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig, subset_sizes
from ganbench.metrics.fd_infinity import fd_infinity
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def fd_inf_settings(config: MetricConfig) -> dict:
    return {
        "fd_inf_points": config.fd_inf_points,
        "fd_inf_min_samples": config.fd_inf_min_samples,
        "fd_inf_sizes": list(config.fd_inf_sizes) if config.fd_inf_sizes is not None else None,
        "shuffle_seed": config.shuffle_seed,
    }


@register_metric(
    "fd_inf",
    "FD-infinity (Chong & Forsyth 2020): FD of generated subsets of 15 sizes against the reference statistics, "
    "least-squares line over 1/N, value at 1/N = 0",
    {"fd_inf": Key("lower", "FID-infinity", "squared feature distance")},
    needs={"gen_features", "ref_stats"},
    settings=fd_inf_settings,
)
def fd_inf(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_features is None or len(inputs.gen_features) < 2:
        raise GanbenchError("fd_inf needs the features of at least 2 generated samples")
    n = len(inputs.gen_features)
    sizes = config.fd_inf_sizes or subset_sizes(n, config.fd_inf_points, config.fd_inf_min_samples)
    if len(set(sizes)) < 2 or max(sizes) > n:
        raise GanbenchError(
            f"fd_inf cannot fit a line through subset sizes {list(sizes)} of {n} generated samples; "
            "score more samples or lower --fd-inf-min-samples"
        )
    result = fd_infinity(inputs.gen_features, inputs.ref_mean, inputs.ref_cov, tuple(sizes), config.shuffle_seed)
    return {"fd_inf": result.value}
