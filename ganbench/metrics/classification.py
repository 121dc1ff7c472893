"""Accuracy of a classifier's logits against labels (GAN-test, GAN-train / the Classification Accuracy Score)."""

from __future__ import annotations

import numpy as np


def top1_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose arg-max logit is the label; ValueError for no rows or mismatched lengths."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or len(logits) != len(labels) or len(labels) == 0:
        raise ValueError(f"need (N, K) logits and N labels, N > 0; got {logits.shape} and {labels.shape}")
    return float((logits.argmax(axis=1) == labels).mean())
