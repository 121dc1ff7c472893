"""Mode dropping: mode counts for known-mode 2-D sets and stacked MNIST, and class coverage for labelled sets.

Known-mode 2-D sets (ring8, grid25), the VEEGAN / PacGAN protocol (`count_point_modes`): each generated
point is assigned to its nearest mode centre; it is *high quality* when that distance is at most
`quality_stds` (3) mode standard deviations; a mode is *covered* when it is the nearest mode of at least
`min_count` (1) high-quality points (settings: `ganbench.metrics.config.ModeMetricConfig`). A real sample is
high quality with probability 1 - exp(-9/2) = 0.989
(the radius of a 2-D isotropic Gaussian is Rayleigh distributed).

Stacked MNIST (`stacked_mnist_modes`): the mode of a sample is 100 R + 10 G + B from the per-channel digit
labels of the dataset's classifier, over 1,000 modes; a mode is covered when at least `min_count` samples
carry it. The channel labels carry no confidence, so every sample counts as high quality and
`high_quality_fraction` is reported as 1.0.

`mode_kl` is KL(p || uniform) = sum_m p_m log(p_m M), p the histogram of the high-quality samples over the
M modes (PacGAN's "KL" for stacked MNIST and its reverse KL for the grid). Empty bins contribute
0 log 0 = 0, so it is finite with dropped modes: 0 for a perfectly balanced cover, log M when everything
falls in one mode. With no high-quality sample at all it is defined as log M, its supremum.

Labelled datasets (`class_coverage`): the classifier's predicted class (argmax of its logits) of every
generated sample gives the generated class distribution q; the reference labels give the real one p.
A class is covered when it receives at least one sample and q_c >= `min_share_ratio` x p_c (default 0.5:
at least half its real share; 0 counts every class with at least one sample). The ratio keeps a
collapsed generator's classifier confusions (a few percent of the samples, all in one look-alike class)
from counting as covered classes. `class_kl` = KL(q || p) = sum_c q_c log(q_c / p_c): this direction
stays finite when the generator drops classes (KL(p || q) is infinite then); it is infinite only when the
generator's samples are classified into a class absent from the reference labels. `covered_mass` is the
real probability mass of the covered classes, sum of p_c over covered c.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: stacked MNIST: mode = channel_labels @ STACKED_WEIGHTS over 1,000 modes
STACKED_WEIGHTS = np.array([100, 10, 1], dtype=np.int64)
STACKED_MODES = 1_000
POINT_CHUNK = 65_536


def kl_from_uniform(counts) -> float:
    """KL(p || uniform over len(counts) bins) = sum p log(p M) with 0 log 0 = 0; log M when counts are all 0."""
    counts = np.asarray(counts, dtype=np.float64)
    bins = len(counts)
    if bins == 0:
        raise ValueError("need at least one mode")
    total = counts.sum()
    if total == 0:
        return math.log(bins)
    p = counts[counts > 0] / total
    return float(max(0.0, np.sum(p * np.log(p * bins))))


@dataclass(frozen=True)
class ModeCounts:
    """Mode statistics and their per-sample parts.

    counts: high-quality samples per mode (M,); nearest: each sample's mode (N,); high_quality: (N,) bool.
    """

    modes_covered: int
    high_quality_fraction: float
    mode_kl: float
    counts: np.ndarray
    nearest: np.ndarray
    high_quality: np.ndarray

    def as_metrics(self) -> dict[str, float]:
        return {
            "modes_covered": float(self.modes_covered),
            "high_quality_fraction": self.high_quality_fraction,
            "mode_kl": self.mode_kl,
        }


def _summarise(nearest: np.ndarray, high_quality: np.ndarray, num_modes: int, min_count: int) -> ModeCounts:
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    counts = np.bincount(nearest[high_quality], minlength=num_modes)
    return ModeCounts(
        modes_covered=int((counts >= min_count).sum()),
        high_quality_fraction=float(high_quality.mean()) if len(high_quality) else 0.0,
        mode_kl=kl_from_uniform(counts),
        counts=counts,
        nearest=nearest,
        high_quality=high_quality,
    )


def count_point_modes(points, modes, mode_std: float, quality_stds: float = 3.0, min_count: int = 1) -> ModeCounts:
    """VEEGAN / PacGAN mode statistics of 2-D `points` (N, 2) for known `modes` (M, 2) with std `mode_std`."""
    points = np.asarray(points, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    if points.ndim != 2 or modes.ndim != 2 or points.shape[1] != modes.shape[1]:
        raise ValueError(f"expected points (N, D) and modes (M, D), got {points.shape} and {modes.shape}")
    if len(modes) == 0 or not mode_std > 0:
        raise ValueError(f"need at least one mode and a positive mode_std, got {len(modes)} modes, std {mode_std}")
    nearest = np.empty(len(points), dtype=np.int64)
    distance = np.empty(len(points), dtype=np.float64)
    for start in range(0, len(points), POINT_CHUNK):
        chunk = points[start : start + POINT_CHUNK]
        d = np.sqrt(((chunk[:, None, :] - modes[None, :, :]) ** 2).sum(-1))
        nearest[start : start + len(chunk)] = d.argmin(1)
        distance[start : start + len(chunk)] = d.min(1)
    # non-finite points (a diverged generator) are never high quality
    high_quality = np.isfinite(distance) & (distance <= quality_stds * mode_std)
    return _summarise(nearest, high_quality, len(modes), min_count)


def count_label_modes(labels, num_modes: int, min_count: int = 1) -> ModeCounts:
    """Mode statistics of integer mode labels (N,) in [0, num_modes): every sample counts as high quality."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or (len(labels) and not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(f"expected integer labels (N,), got {labels.shape} {labels.dtype}")
    labels = labels.astype(np.int64)
    if len(labels) and (labels.min() < 0 or labels.max() >= num_modes):
        raise ValueError(f"mode labels must lie in [0, {num_modes}), got {labels.min()}..{labels.max()}")
    return _summarise(labels, np.ones(len(labels), dtype=bool), num_modes, min_count)


def stacked_mnist_modes(channel_labels, min_count: int = 1) -> ModeCounts:
    """Stacked-MNIST mode statistics from per-channel digit labels (N, 3): mode 100 R + 10 G + B of 1,000."""
    channel_labels = np.asarray(channel_labels)
    if channel_labels.ndim != 2 or channel_labels.shape[1] != 3:
        raise ValueError(f"expected per-channel digit labels (N, 3), got shape {channel_labels.shape}")
    if len(channel_labels) and (channel_labels.min() < 0 or channel_labels.max() > 9):
        raise ValueError("per-channel digit labels must lie in 0..9")
    return count_label_modes(channel_labels.astype(np.int64) @ STACKED_WEIGHTS, STACKED_MODES, min_count)


@dataclass(frozen=True)
class ClassCoverage:
    """Class coverage and its parts: generated and reference class counts (C,), and the covered mask."""

    classes_covered: int
    class_kl: float
    covered_mass: float
    gen_counts: np.ndarray
    ref_counts: np.ndarray
    covered: np.ndarray

    def as_metrics(self) -> dict[str, float]:
        return {
            "classes_covered": float(self.classes_covered),
            "class_kl": self.class_kl,
            "covered_mass": self.covered_mass,
        }


def _check_labels(labels: np.ndarray, num_classes: int, what: str) -> np.ndarray:
    if labels.ndim != 1 or (len(labels) and not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(f"{what}: expected integer labels (N,), got {labels.shape} {labels.dtype}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{what}: labels must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}")
    return labels.astype(np.int64)


def class_coverage(gen, ref_labels, num_classes: int | None = None, min_share_ratio: float = 0.5) -> ClassCoverage:
    """Class coverage of generated samples against reference labels.

    `gen` is either classifier logits (N, C), whose argmax is the predicted class, or predicted labels (N,).
    `num_classes` defaults to C of the logits (or 1 + the largest label seen).
    """
    gen = np.asarray(gen)
    ref_labels = np.asarray(ref_labels)
    if gen.ndim == 2:
        if num_classes is not None and gen.shape[1] != num_classes:
            raise ValueError(f"logits have {gen.shape[1]} classes, expected {num_classes}")
        num_classes = gen.shape[1]
        predicted = gen.argmax(axis=1).astype(np.int64)
    elif gen.ndim == 1:
        predicted = gen
        if num_classes is None:
            num_classes = int(max(predicted.max(initial=-1), ref_labels.max(initial=-1))) + 1
    else:
        raise ValueError(f"expected logits (N, C) or labels (N,), got shape {gen.shape}")
    predicted = _check_labels(predicted, num_classes, "generated")
    ref_labels = _check_labels(ref_labels, num_classes, "reference")
    if len(predicted) == 0 or len(ref_labels) == 0:
        raise ValueError("class coverage needs at least one generated and one reference sample")
    gen_counts = np.bincount(predicted, minlength=num_classes)
    ref_counts = np.bincount(ref_labels, minlength=num_classes)
    q, p = gen_counts / gen_counts.sum(), ref_counts / ref_counts.sum()
    covered = (gen_counts > 0) & (q >= min_share_ratio * p)
    present = q > 0
    if np.any(present & (p == 0)):
        kl = math.inf
    else:
        kl = float(max(0.0, np.sum(q[present] * np.log(q[present] / p[present]))))
    return ClassCoverage(int(covered.sum()), kl, float(p[covered].sum()), gen_counts, ref_counts, covered)
