"""Parzen-window log-likelihood (Breuleux et al. 2011; Goodfellow et al. 2014, Table 1), the GAN paper's
parzen_ll.py protocol (goodfeli/adversarial).

A Gaussian kernel density with one isotropic bandwidth sigma is centred on the generated samples; the log-density
of a point x is log mean_j exp(-|x - g_j|^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi)). Sigma is the value of a
log-spaced grid that maximises the mean log-likelihood of a validation set; the result is the mean log-likelihood
of a test set with its standard error (std / sqrt(n), numpy's std). The reference's grid (10^-1 to 10^0, 10 points)
is in pixel units of [0, 1] images; on features the grid is in units of the reference features' scale (the root
mean per-coordinate variance), so one grid serves every extractor, and a sigma on the grid's edge is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

#: rows of test points whose distances to all kernel centres are computed at once
BLOCK_ROWS = 256


@dataclass(frozen=True)
class ParzenResult:
    """Mean test log-likelihood, its standard error, the chosen sigma and the grid's mean validation LLs."""

    mean: float
    standard_error: float
    sigma: float
    sigmas: tuple[float, ...]
    validation: tuple[float, ...]


def parzen_log_likelihoods(points: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """Log-density of each of `points` (n, d) under the isotropic Gaussian kernel density on `centres` (m, d)."""
    x, mu = np.asarray(points, np.float64), np.asarray(centres, np.float64)
    mu_norms = (mu**2).sum(1)
    out = np.empty(len(x))
    for start in range(0, len(x), BLOCK_ROWS):
        block = x[start : start + BLOCK_ROWS]
        squared = np.maximum((block**2).sum(1)[:, None] - 2 * block @ mu.T + mu_norms[None, :], 0.0)
        out[start : start + len(block)] = logsumexp(-0.5 * squared / sigma**2, axis=1) - np.log(len(mu))
    return out - mu.shape[1] * np.log(sigma * np.sqrt(2 * np.pi))


def parzen_window(
    centres: np.ndarray, validation: np.ndarray, test: np.ndarray, sigmas: np.ndarray
) -> ParzenResult:
    """Choose sigma among `sigmas` by the mean validation log-likelihood, then the test log-likelihood with it."""
    sigmas = np.asarray(sigmas, np.float64)
    scores = [float(parzen_log_likelihoods(validation, centres, s).mean()) for s in sigmas]
    sigma = float(sigmas[int(np.argmax(scores))])
    ll = parzen_log_likelihoods(test, centres, sigma)
    return ParzenResult(float(ll.mean()), float(ll.std() / np.sqrt(len(ll))), sigma, tuple(sigmas.tolist()), tuple(scores))


def feature_scale(features: np.ndarray) -> float:
    """sqrt of the mean per-coordinate variance: the unit of the sigma grid."""
    return float(np.sqrt(np.asarray(features, np.float64).var(0).mean()))
