"""`code_recovery`: how well the generator's categorical input (a class, or InfoGAN's code) recovers the class
the dataset's classifier sees, under the best one-to-one matching of codes to classes."""

from __future__ import annotations

import numpy as np

from ganbench.metrics.codes import code_confusion, matched_accuracy
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "code_recovery",
    "Accuracy of the generator's categorical code (InfoGAN) or class input (conditional GANs) at predicting the "
    "classifier's class of its samples, under the best one-to-one code-to-class matching; nothing for generators "
    "without such an input",
    {"code_accuracy": Key("higher", "code -> class accuracy", "fraction")},
    needs={"gen_class_logits", "ref_labels"},
    requires="a labelled dataset with a classifier extractor (e.g. mnist5k with mnist-classifier)",
    only_with={"gen_codes"},
)
def code_recovery_preset(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_codes is None:  # an unconditional generator, or sample files: nothing to recover
        return {}
    logits = np.asarray(inputs.gen_class_logits)
    codes = np.asarray(inputs.gen_codes)
    n_codes = int(codes.max()) + 1 if len(codes) else 1
    confusion = code_confusion(codes, logits.argmax(axis=1), n_codes, logits.shape[1])
    return {"code_accuracy": matched_accuracy(confusion)[0]}
