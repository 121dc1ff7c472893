"""`intra_fid`: intra-class FID of a class-conditional generator (StudioGAN's protocol)."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.intra_fid import intra_class_fid
from ganbench.metrics.presets.common import features
from ganbench.metrics.spec import Key, MetricInputs, register_metric


@register_metric(
    "intra_fid",
    "Intra-class FID (StudioGAN's protocol): FID of each class's generated samples (by the class input they were "
    "drawn with) against that class's reference samples, averaged over the classes; for class-conditional "
    "generators on labelled datasets, nothing for generators without a class input",
    {"intra_fid": Key("lower", "intra-FID", "squared feature distance")},
    needs={"gen_features", "ref_features", "ref_labels"},
    requires="a labelled dataset (e.g. mnist5k)",
    only_with={"gen_codes"},
)
def intra_fid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.gen_codes is None:  # an unconditional generator, or sample files: no class per sample
        return {}
    gen, ref = features(inputs, "intra_fid")
    if inputs.ref_labels is None:
        raise GanbenchError("intra_fid needs the reference labels; score against a labelled dataset")
    codes, labels = np.asarray(inputs.gen_codes), np.asarray(inputs.ref_labels)
    num_classes = int(inputs.num_classes or labels.max() + 1)
    if len(codes) != len(gen) or codes.min(initial=0) < 0 or codes.max(initial=0) >= num_classes:
        raise GanbenchError(
            f"intra_fid needs one class label in 0..{num_classes - 1} per generated sample; the generator's class "
            f"input has {int(codes.max(initial=0)) + 1} values for {len(gen)} samples"
        )
    try:
        mean, _ = intra_class_fid(gen, codes, ref, labels, num_classes)
    except ValueError as error:
        raise GanbenchError(f"intra_fid: {error}; score more samples") from None
    return {"intra_fid": mean}
