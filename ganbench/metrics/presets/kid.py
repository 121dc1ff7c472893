"""`kid`: Kernel Inception Distance (Binkowski et al. 2018), torch-fidelity's subsets and kernel."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.kid import kernel_inception_distance
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def kid_settings(config: MetricConfig) -> dict:
    return {
        "kid_subsets": config.kid_subsets,
        "kid_subset_size": config.kid_subset_size,
        "kid_kernel": f"poly(d={config.kid_degree}, gamma=1/D, c={config.kid_coef0})",
        "shuffle_seed": config.shuffle_seed,
    }


@register_metric(
    "kid",
    "Kernel Inception Distance: unbiased MMD^2, cubic polynomial kernel, over random subsets",
    {
        "kid_mean": Key("lower", "KID", "squared kernel distance"),
        "kid_std": Key("spread", "KID std", "squared kernel distance"),
    },
    needs={"gen_features", "ref_features"},
    settings=kid_settings,
)
def kid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    smallest = min(inputs.n_gen, inputs.n_ref)
    if config.kid_subset_size > smallest:
        raise GanbenchError(
            f"KID subset size {config.kid_subset_size} is larger than the smaller sample set ({smallest}); "
            f"pass --kid-subset-size {smallest} or fewer"
        )
    mean, std = kernel_inception_distance(
        inputs.gen_features,
        inputs.ref_features,
        subsets=config.kid_subsets,
        subset_size=config.kid_subset_size,
        degree=config.kid_degree,
        coef0=config.kid_coef0,
        seed=config.shuffle_seed,
        device=config.device,
    )
    return {"kid_mean": mean, "kid_std": std}
