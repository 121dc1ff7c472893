"""How well a generator's categorical input (a conditional generator's class, InfoGAN's code) determines the
class a classifier sees in its samples: accuracy under the best one-to-one matching of codes to classes."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def code_confusion(codes: np.ndarray, predicted: np.ndarray, n_codes: int, n_classes: int) -> np.ndarray:
    """Counts (n_codes, n_classes): how many samples drawn with code i were classified as class j."""
    codes, predicted = np.asarray(codes, np.int64), np.asarray(predicted, np.int64)
    if codes.shape != predicted.shape or codes.ndim != 1:
        raise ValueError(f"codes {codes.shape} and predictions {predicted.shape} must be two equal-length vectors")
    if len(codes) and (codes.min() < 0 or codes.max() >= n_codes or predicted.min() < 0 or predicted.max() >= n_classes):
        raise ValueError(f"codes must lie in 0..{n_codes - 1} and classes in 0..{n_classes - 1}")
    confusion = np.zeros((n_codes, n_classes), dtype=np.int64)
    np.add.at(confusion, (codes, predicted), 1)
    return confusion


def matched_accuracy(confusion: np.ndarray) -> tuple[float, np.ndarray]:
    """(fraction of samples whose class is the one matched to their code, the matched class of each code or -1).

    The matching is the one-to-one assignment of codes to classes that maximises the matched count (Hungarian
    algorithm, as for unsupervised clustering accuracy); with more codes than classes the unmatched codes count
    as wrong. For a conditional generator the best matching is normally the identity, and the score is its
    class accuracy; for InfoGAN it is how well the unsupervised code alone picks the class.
    """
    confusion = np.asarray(confusion)
    total = confusion.sum()
    if total == 0:
        raise ValueError("no samples to match")
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    matched = np.full(confusion.shape[0], -1, dtype=np.int64)
    matched[rows] = cols
    return float(confusion[rows, cols].sum() / total), matched
