"""Inception Score (Salimans et al. 2016) from classifier logits."""

from __future__ import annotations

import numpy as np
import torch


def inception_score(logits, splits: int = 10, shuffle: bool = True, seed: int = 2020) -> tuple[float, float]:
    """Mean and standard deviation over `splits` of exp(E_x KL(p(y|x) || p(y))).

    Follows torch-fidelity exactly: rows are shuffled with numpy's RandomState(seed)
    before splitting, split boundaries are i*N//splits, arithmetic is float64 and the
    std is the population std (ddof 0).
    """
    logits = torch.as_tensor(np.asarray(logits) if not isinstance(logits, torch.Tensor) else logits)
    if logits.ndim != 2:
        raise ValueError(f"expected logits (N, classes), got shape {tuple(logits.shape)}")
    n = len(logits)
    if splits < 1 or n < splits:
        raise ValueError(f"need at least one sample per split: {n} samples, {splits} splits")
    if shuffle:
        logits = logits[torch.from_numpy(np.random.RandomState(seed).permutation(n))]
    logits = logits.double().cpu()
    p = logits.softmax(dim=1)
    log_p = logits.log_softmax(dim=1)
    scores = []
    for i in range(splits):
        part = slice(i * n // splits, (i + 1) * n // splits)
        p_part, log_p_part = p[part], log_p[part]
        log_marginal = p_part.mean(dim=0, keepdim=True).log()
        scores.append(float((p_part * (log_p_part - log_marginal)).sum(dim=1).mean().exp()))
    return float(np.mean(scores)), float(np.std(scores))
