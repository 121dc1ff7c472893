"""The adversarial losses several families share, each on the discriminator's raw outputs (logits or critic
values): the cross-entropy pair of Goodfellow et al. 2014 (non-saturating generator form), the Wasserstein pair
of Arjovsky et al. 2017 and the hinge pair of Miyato et al. 2018. A family that owns its loss keeps it in its
own file; these live here so that no family file imports another."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator cross-entropy: -log D(x) - log(1 - D(G(z))), on logits."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def non_saturating_g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss -log D(G(z)), on logits."""
    return F.softplus(-fake).mean()


def wasserstein_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Critic loss E[f(G(z))] - E[f(x)] (minus the Wasserstein estimate)."""
    return fake.mean() - real.mean()


def wasserstein_g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Generator loss -E[f(G(z))]."""
    return -fake.mean()


def hinge_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Hinge loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def hinge_g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Generator hinge loss -E[D(G(z))]."""
    return -fake.mean()
