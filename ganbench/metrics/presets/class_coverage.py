"""`class_coverage`: classes covered by the dataset classifier's predictions, and KL to the real class mix."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.modes import class_coverage
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "class_coverage",
    "Classes covered by the dataset classifier's predictions, and KL(generated || real class distribution)",
    {
        "classes_covered": Key("higher", "classes covered", "classes"),
        "class_kl": Key("lower", "class KL", "nats"),
        "covered_mass": Key("higher", "covered mass", "fraction"),
    },
    needs={"gen_class_logits", "ref_labels"},
    settings=lambda config: {"class_min_share_ratio": config.modes.class_min_share_ratio},
)
def class_coverage_preset(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_class_logits is None or inputs.ref_labels is None:
        raise GanbenchError(
            "class_coverage needs a labelled dataset with a classifier extractor (e.g. mnist5k with "
            "mnist-classifier); score one, or drop class_coverage from the metrics"
        )
    logits = np.asarray(inputs.gen_class_logits)
    if logits.ndim != 2 or len(logits) == 0:
        raise GanbenchError(
            f"class_coverage needs classifier logits (N, C) of at least one sample, got shape {logits.shape}"
        )
    if inputs.num_classes is not None and logits.shape[1] != inputs.num_classes:
        raise GanbenchError(
            f"the classifier gives {logits.shape[1]} classes but the dataset has {inputs.num_classes}; "
            "use the dataset's own classifier extractor"
        )
    ref_labels = np.asarray(inputs.ref_labels)
    if len(ref_labels) == 0 or ref_labels.min() < 0 or ref_labels.max() >= logits.shape[1]:
        raise GanbenchError(
            f"the reference labels must be class indices in 0..{logits.shape[1] - 1}; use the dataset's own classifier"
        )
    return class_coverage(logits, ref_labels, logits.shape[1], config.modes.class_min_share_ratio).as_metrics()
