"""The generated side of GAN-train / CAS: the mnist-classifier network trained on the generated samples with their
class inputs as labels, and its logits on the dataset's held-out split (real data the generator never saw)."""

from __future__ import annotations

import numpy as np

from ganbench.errors import GanbenchError
from ganbench.features.generated_classifier import network_logits, train_on_generated
from ganbench.scoring.job import ScoringJob
from ganbench.scoring.reference import heldout_split


def cas_fields(job: ScoringJob, images: np.ndarray, gen_codes: np.ndarray | None) -> dict:
    """{"cas_logits", "heldout_labels"} for `job`, or {} when the samples have no class input (sample files,
    unconditional generators). A GanbenchError for a dataset without the digit classifier or labels, for codes
    outside its classes, and when the held-out split is among the samples (the real-vs-real floor scores it)."""
    if gen_codes is None:
        return {}
    info = job.info
    if info is None or info.default_extractor != "mnist-classifier" or not info.num_classes:
        raise GanbenchError(
            "cas trains the mnist-classifier network on the samples, so it needs a labelled digit dataset "
            "(mnist5k, digits); score it with --dataset mnist5k or drop cas"
        )
    codes = np.asarray(gen_codes, dtype=np.int64)
    if len(codes) != len(images) or codes.min(initial=0) < 0 or codes.max(initial=0) >= info.num_classes:
        raise GanbenchError(
            f"cas needs one class label in 0..{info.num_classes - 1} per generated sample; the generator's class "
            f"input has {int(codes.max(initial=0)) + 1} values for {len(images)} samples"
        )
    reference_split = job.config.split or info.protocol.reference_split
    heldout = job.dataset.load(heldout_split(job.dataset, reference_split), job.config.data_config)
    if heldout.labels is None:
        raise GanbenchError(f"cas needs labels on {info.name}'s held-out split, which it lacks")
    if {row.tobytes() for row in heldout.data} & {row.tobytes() for row in images}:
        raise GanbenchError(
            "cas tests on the held-out split, and its images are among the generated ones (the real-vs-real floor "
            "scores the held-out split itself), so the classifier would be tested on what it was trained on; "
            "score other samples against the dataset"
        )
    settings = job.config.metric_config.classifier
    network = train_on_generated(images, codes, settings.cas_epochs, settings.cas_seed)
    return {"cas_logits": network_logits(network, heldout.data), "heldout_labels": np.asarray(heldout.labels)}
