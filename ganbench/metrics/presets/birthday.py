"""`birthday`: the birthday-paradox support estimate (Arora & Zhang 2017), duplicates judged against real data."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.birthday import BirthdayEstimate, birthday_support
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def birthday_settings(config: MetricConfig) -> dict:
    settings = config.distribution
    return {
        "birthday_quantile": settings.birthday_quantile,
        "birthday_min_batch": settings.birthday_min_batch,
        "birthday_batches": settings.birthday_batches,
        "birthday_seed": settings.birthday_seed,
    }


def birthday_estimate(inputs: MetricInputs, config: MetricConfig) -> BirthdayEstimate:
    gen, ref = features(inputs, "birthday")
    settings = config.distribution
    if not 0 < settings.birthday_quantile < 1:
        raise GanbenchError(f"--birthday-quantile must lie between 0 and 1, got {settings.birthday_quantile}")
    if len(gen) < 2 * settings.birthday_min_batch:
        raise GanbenchError(
            f"the birthday test draws batches of at least {settings.birthday_min_batch} from half the generated set; "
            f"score {2 * settings.birthday_min_batch} or more samples, or lower --birthday-min-batch"
        )
    if len(ref) < 2:
        raise GanbenchError("the birthday test calibrates its threshold on at least 2 reference samples")
    return birthday_support(
        gen, ref, settings.birthday_quantile, settings.birthday_min_batch, settings.birthday_batches, settings.birthday_seed
    )


@register_metric(
    "birthday",
    "Birthday-paradox support estimate (Arora & Zhang 2017): duplicate rate of generated batches of doubling size, "
    "a duplicate being a pair closer than 99% of reference samples are to their nearest reference sample; "
    "N = s(s-1) / (2 ln 1/(1-P)) at the size nearest P = 1/2, with its 95% lower bound",
    {
        "birthday_support": Key("higher", "birthday support", "samples"),
        "birthday_support_low": Key("spread", "birthday support, low end", "samples"),
    },
    needs={"gen_features", "ref_features"},
    settings=birthday_settings,
)
def birthday(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    estimate = birthday_estimate(inputs, config)
    return {"birthday_support": estimate.support, "birthday_support_low": estimate.support_low}
