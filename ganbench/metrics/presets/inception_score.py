"""`is`: the Inception Score of the generated samples' logits (Salimans et al. 2016), torch-fidelity's way."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "is",
    "Inception Score over splits (generated logits only)",
    {"is_mean": Key("higher", "IS", "effective classes"), "is_std": Key("spread", "IS std", "effective classes")},
    needs={"gen_logits"},
    settings=lambda config: {"is_splits": config.is_splits, "shuffle_seed": config.shuffle_seed},
)
def inception_score_preset(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.n_gen < config.is_splits:
        raise GanbenchError(
            f"the Inception Score needs at least {config.is_splits} samples (one per split); "
            "pass more samples or fewer --is-splits"
        )
    mean, std = inception_score(inputs.gen_logits, splits=config.is_splits, seed=config.shuffle_seed)
    return {"is_mean": mean, "is_std": std}
