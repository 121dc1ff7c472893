"""Frechet distance between two Gaussians, without scipy.linalg.sqrtm."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.linalg import blas, lapack


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr sqrt(sigma1 @ sigma2) for symmetric positive semi-definite matrices, in float64.

    sigma1 @ sigma2 is similar to L^T sigma2 L when sigma1 = L L^T, a symmetric PSD
    matrix, so the trace is the sum of square roots of its (real, non-negative)
    eigenvalues: one Cholesky, two triangular products and one symmetric
    eigenvalue solve, about 4x less work than sqrtm's Schur route. A singular
    matrix (fewer samples than dimensions) has no Cholesky factor: then the other
    one is factored, and when both are singular sigma1's eigendecomposition gives
    a low-rank factor and the eigenvalue solve shrinks to its rank.
    """
    sigma1 = np.asarray(sigma1, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    # tr sqrt(S1 S2) = tr sqrt(S2 S1): factor whichever is positive definite (often the large reference side).
    for first, second in ((sigma1, sigma2), (sigma2, sigma1)):
        factor, info = lapack.dpotrf(first, lower=1, clean=1, overwrite_a=0)
        if info == 0:
            right = blas.dtrmm(1.0, factor, second, side=1, lower=1)  # second @ L
            middle = blas.dtrmm(1.0, factor, right, side=0, lower=1, trans_a=1, overwrite_b=1)  # L^T @ second @ L
            break
    else:
        # Both singular: sigma1 = A A^T with A = V_r sqrt(L_r) over its r numerically non-zero eigenvalues, and
        # the non-zero eigenvalues of sqrt(S1) S2 sqrt(S1) are those of the small r x r matrix A^T S2 A.
        values, vectors = scipy.linalg.eigh(sigma1, check_finite=False, driver="evd")
        keep = values > max(values[-1], 0.0) * len(values) * np.finfo(np.float64).eps
        root = vectors[:, keep] * np.sqrt(values[keep])
        middle = root.T @ sigma2 @ root
    eigenvalues = scipy.linalg.eigvalsh(middle, check_finite=False, overwrite_a=True, driver="evd")
    return float(np.sqrt(np.clip(eigenvalues, 0, None)).sum())


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Frechet distance ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)) between N(mu1, S1) and N(mu2, S2).

    Inputs are array-likes; all arithmetic is float64. Singular covariances are
    handled exactly (no epsilon is added to the diagonal). The distance is never negative: a result within
    float64 rounding of 0 (|d| <= rounding_tolerance) is returned as exactly 0.0, so identical sets score 0,
    not -1.5e-09.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise ValueError(f"means must be vectors of one length, got {mu1.shape} and {mu2.shape}")
    if sigma1.shape != (len(mu1), len(mu1)) or sigma2.shape != sigma1.shape:
        raise ValueError(f"covariances must be {len(mu1)} x {len(mu1)}, got {sigma1.shape} and {sigma2.shape}")
    if not (
        np.isfinite(sigma1).all() and np.isfinite(sigma2).all() and np.isfinite(mu1).all() and np.isfinite(mu2).all()
    ):
        raise ValueError("means and covariances must be finite")
    diff = mu1 - mu2
    scale = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2))
    distance = scale - 2 * trace_sqrt_product(sigma1, sigma2)
    return 0.0 if abs(distance) <= rounding_tolerance(scale, len(mu1)) else float(distance)


def rounding_tolerance(scale: float, dim: int) -> float:
    """How far from 0 float64 rounding can put the distance of identical Gaussians: the terms are of size `scale`
    (the traces), and the trace of the square root sums `dim` eigenvalues, each with a few ulps of error."""
    return 64 * np.finfo(np.float64).eps * dim * max(abs(scale), 1.0)
