"""`c2st`: the 1-nearest-neighbour classifier two-sample test (Lopez-Paz & Oquab 2017; Xu et al. 2018)."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.balanced import balanced
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric
from ganbench.metrics.two_sample import one_nn_test


def c2st_settings(config: MetricConfig) -> dict:
    settings = config.distribution
    return {"c2st_permutations": settings.c2st_permutations, "c2st_seed": settings.c2st_seed}


@register_metric(
    "c2st",
    "1-NN classifier two-sample test (Lopez-Paz & Oquab 2017; Xu et al. 2018): leave-one-out 1-NN accuracy of "
    "real vs generated features (equal counts; 0.5 = indistinguishable, below 0.5 = copies), on the real and "
    "generated sides, and its permutation p-value",
    {
        "nn1_accuracy": Key("lower", "1-NN accuracy", "fraction"),
        "nn1_accuracy_real": Key("lower", "1-NN accuracy on real", "fraction"),
        "nn1_accuracy_fake": Key("lower", "1-NN accuracy on generated", "fraction"),
        "nn1_p_value": Key("higher", "1-NN p-value", "probability"),
    },
    needs={"gen_features", "ref_features"},
    settings=c2st_settings,
)
def c2st(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    gen, ref = features(inputs, "c2st")
    settings = config.distribution
    gen, ref = balanced(gen, ref, settings.c2st_seed)
    if len(gen) < 2:
        raise GanbenchError("c2st needs at least 2 generated and 2 reference samples")
    test = one_nn_test(ref, gen, settings.c2st_permutations, settings.c2st_seed)
    return {
        "nn1_accuracy": test.accuracy,
        "nn1_accuracy_real": test.accuracy_real,
        "nn1_accuracy_fake": test.accuracy_fake,
        "nn1_p_value": test.p_value,
    }
