"""`cas`: GAN-train (Shmelkov et al. 2018) / the Classification Accuracy Score (Ravuri & Vinyals 2019), the
real test accuracy of a classifier trained on a conditional generator's samples labelled by their class input."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.classification import top1_accuracy
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def cas_settings(config: MetricConfig) -> dict:
    settings = config.classifier
    return {"cas_epochs": settings.cas_epochs, "cas_seed": settings.cas_seed}


@register_metric(
    "cas",
    "Classification Accuracy Score / GAN-train (Ravuri & Vinyals 2019; Shmelkov et al. 2018): top-1 accuracy on "
    "the real held-out split of the mnist-classifier network trained with its own recipe on the generated samples, "
    "each labelled with the class input it was drawn with; for class-conditional generators, nothing for "
    "generators without a class input",
    {"cas_accuracy": Key("higher", "CAS (GAN-train accuracy)", "accuracy")},
    needs={"cas_logits"},
    only_with={"gen_codes"},
    settings=cas_settings,
    requires="a labelled dataset with a held-out split whose classifier is mnist-classifier (mnist5k, digits)",
    ranges=lambda num_classes: {"cas_accuracy": (0.0, 1.0)},
)
def cas(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.cas_logits is None or inputs.gen_codes is None:  # unconditional, or sample files: no labels
        return {}
    try:
        return {"cas_accuracy": top1_accuracy(inputs.cas_logits, inputs.heldout_labels)}
    except ValueError as error:
        raise GanbenchError(f"cas: {error}") from None
