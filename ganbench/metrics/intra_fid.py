"""Intra-class FID (Miyato & Koyama 2018; StudioGAN's `calculate_intra_class_fid`): the FID of each class's
generated samples against that class's reference samples, averaged over the classes.

StudioGAN generates as many samples per class as the reference split holds of that class; here each class's
generated samples are those the scoring drew with that class label (a conditional generator's samples cycle
through the classes, so about n / K each). FID's small-sample bias grows as the per-class counts shrink, so
compare intra-class FIDs only at equal sample counts.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.frechet import frechet_distance


def intra_class_fid(
    gen: np.ndarray, gen_labels: np.ndarray, ref: np.ndarray, ref_labels: np.ndarray, num_classes: int
) -> tuple[float, np.ndarray]:
    """(mean over classes, per-class FIDs (num_classes,)) of generated features with their class labels against
    reference features with theirs; each side's Gaussian from its float64 mean and unbiased covariance."""
    gen, ref = np.asarray(gen, np.float64), np.asarray(ref, np.float64)
    gen_labels, ref_labels = np.asarray(gen_labels), np.asarray(ref_labels)
    fids = np.empty(num_classes)
    for c in range(num_classes):
        g, r = gen[gen_labels == c], ref[ref_labels == c]
        if len(g) < 2 or len(r) < 2:
            raise ValueError(
                f"class {c} has {len(g)} generated and {len(r)} reference samples; intra-class FID needs 2 or more of each"
            )
        fids[c] = frechet_distance(g.mean(0), np.cov(g, rowvar=False), r.mean(0), np.cov(r, rowvar=False))
    return float(fids.mean()), fids
