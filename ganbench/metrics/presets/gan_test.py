"""`gan_test`: GAN-test (Shmelkov et al. 2018), the accuracy of a classifier trained on real data at predicting the
class input of a conditional generator's samples."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "gan_test",
    "GAN-test (Shmelkov et al. 2018): top-1 accuracy of the dataset's classifier (trained on real data) on the "
    "generated samples against the class input each was drawn with; for class-conditional generators, nothing for "
    "generators without a class input",
    {"gan_test_accuracy": Key("higher", "GAN-test accuracy", "fraction")},
    needs={"gen_class_logits", "ref_labels"},
    requires="a labelled dataset with a classifier extractor (e.g. mnist5k with mnist-classifier)",
    only_with={"gen_codes"},
)
def gan_test(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_codes is None:  # an unconditional generator, or sample files: no class per sample
        return {}
    logits, codes = np.asarray(inputs.gen_class_logits), np.asarray(inputs.gen_codes)
    if len(codes) != len(logits) or len(codes) == 0:
        raise GanbenchError(f"gan_test needs one class input per generated sample, got {len(codes)} for {len(logits)}")
    return {"gan_test_accuracy": float((logits.argmax(axis=1) == codes).mean())}
