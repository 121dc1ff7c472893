"""Kernel Inception Distance (Binkowski et al. 2018): unbiased MMD^2 with a polynomial kernel over subsets."""

from __future__ import annotations

import numpy as np
import torch


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor, degree: int, gamma: float, coef0: float) -> torch.Tensor:
    """(gamma <x, y> + coef0)^degree; the inner products in float32, the rest in float64."""
    return ((x @ y.T).double() * gamma + coef0) ** degree


def mmd2_unbiased(k_xx: torch.Tensor, k_xy: torch.Tensor, k_yy: torch.Tensor) -> float:
    """The unbiased MMD^2 estimate from the three kernel matrices of two m-sample sets."""
    m = k_xx.shape[0]
    within = (k_xx.sum() - k_xx.diagonal().sum() + k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return float(within - 2 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    features1,
    features2,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
    seed: int = 2020,
    device: str | torch.device = "cpu",
) -> tuple[float, float]:
    """Mean and std (ddof 0) of the unbiased MMD^2 over `subsets` random subsets of `subset_size`.

    Subsets are drawn exactly as torch-fidelity draws them (numpy RandomState(seed),
    choice without replacement, set 1 then set 2 for each subset), so results match it.
    gamma defaults to 1 / feature dimension.
    """
    f1 = torch.as_tensor(np.asarray(features1, dtype=np.float32)).to(device)
    f2 = torch.as_tensor(np.asarray(features2, dtype=np.float32)).to(device)
    if f1.ndim != 2 or f2.ndim != 2 or f1.shape[1] != f2.shape[1]:
        raise ValueError(f"features must be (N, D) with one D, got {tuple(f1.shape)} and {tuple(f2.shape)}")
    n1, n2 = len(f1), len(f2)
    if subset_size < 2 or n1 < subset_size or n2 < subset_size:
        raise ValueError(
            f"KID subset size {subset_size} needs at least that many samples in each set (got {n1} and {n2})"
        )
    gamma = 1.0 / f1.shape[1] if gamma is None else gamma
    rng = np.random.RandomState(seed)
    values = np.zeros(subsets)
    for i in range(subsets):
        x = f1[torch.from_numpy(rng.choice(n1, subset_size, replace=False)).to(f1.device)]
        y = f2[torch.from_numpy(rng.choice(n2, subset_size, replace=False)).to(f2.device)]
        values[i] = mmd2_unbiased(
            polynomial_kernel(x, x, degree, gamma, coef0),
            polynomial_kernel(x, y, degree, gamma, coef0),
            polynomial_kernel(y, y, degree, gamma, coef0),
        )
    return float(values.mean()), float(values.std())
