"""f-GAN: Nowozin et al. 2016 — a GAN for any f-divergence through its variational (Fenchel) lower bound.

The discriminator's raw output v is mapped by the divergence's output activation g_f into the domain of the
conjugate f*, giving T = g_f(v), and the two networks play

    F(G, T) = E_data[g_f(v(x))] - E_G[f*(g_f(v(G(z))))],

which T maximises (at the optimum F equals D_f(P_data || P_G)). The generator maximises E_G[g_f(v(G(z)))]
instead of minimising F, the variant the paper trains with (its Section 3.2). The activations and conjugates
are the paper's Table 2 / Table 6; f*(g_f(v)) is written in closed form so it is exact where the two separate
functions would overflow (JS: -log(2 - 2 sigmoid(v)) = softplus(v) - log 2).

Registered once per divergence: fgan_kl, fgan_rkl, fgan_js, fgan_pearson, fgan_hellinger, fgan_tv.
Two rows do not train the benchmark's DCGAN pair on mnist5k although they are the paper's (issue 26, tests in
tests/test_zoo.py): KL's critic is rewarded without bound on real samples while its penalty on rejected samples
vanishes, so its output runs away and then blows up through exp(v - 1); TV's bounded activation saturates, so the
generator's gradient vanishes once the critic separates (its Section 3.2 objective is the same function for TV).
Networks and optimiser are DCGAN's (the paper's LSUN experiments used the DCGAN architecture and Adam 2e-4,
beta1 0.5); batch norm is dropped for 2-D points as for every family.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step

Divergence = Literal["kl", "rkl", "js", "pearson", "hellinger", "tv"]
LOG2 = math.log(2.0)


@dataclass(frozen=True)
class FDivergence:
    """One row of Nowozin et al.'s table: generator f(u) (u = p/q), activation g_f, conjugate f*, and
    f*(g_f(v)) in a numerically safe closed form; `derivative` is f', so f'(p/q) is the optimal T. As in the
    table, the polynomial f of Pearson chi-square is taken on the whole real line, so f*(t) = t^2/4 + t for all t."""

    name: str
    f: Callable[[torch.Tensor], torch.Tensor]
    derivative: Callable[[torch.Tensor], torch.Tensor]
    activation: Callable[[torch.Tensor], torch.Tensor]
    conjugate: Callable[[torch.Tensor], torch.Tensor]
    conjugate_of_activation: Callable[[torch.Tensor], torch.Tensor]


DIVERGENCES: dict[str, FDivergence] = {
    "kl": FDivergence(
        "Kullback-Leibler",
        f=lambda u: u * torch.log(u),
        derivative=lambda u: 1 + torch.log(u),
        activation=lambda v: v,
        conjugate=lambda t: torch.exp(t - 1),
        conjugate_of_activation=lambda v: torch.exp(v - 1),
    ),
    "rkl": FDivergence(
        "reverse Kullback-Leibler",
        f=lambda u: -torch.log(u),
        derivative=lambda u: -1 / u,
        activation=lambda v: -torch.exp(-v),
        conjugate=lambda t: -1 - torch.log(-t),
        conjugate_of_activation=lambda v: v - 1,
    ),
    "js": FDivergence(
        "Jensen-Shannon",
        f=lambda u: -(u + 1) * torch.log((1 + u) / 2) + u * torch.log(u),
        derivative=lambda u: torch.log(2 * u / (1 + u)),
        activation=lambda v: LOG2 - F.softplus(-v),
        conjugate=lambda t: -torch.log(2 - torch.exp(t)),
        conjugate_of_activation=lambda v: F.softplus(v) - LOG2,
    ),
    "pearson": FDivergence(
        "Pearson chi-square",
        f=lambda u: (u - 1) ** 2,
        derivative=lambda u: 2 * (u - 1),
        activation=lambda v: v,
        conjugate=lambda t: t**2 / 4 + t,
        conjugate_of_activation=lambda v: v**2 / 4 + v,
    ),
    "hellinger": FDivergence(
        "squared Hellinger",
        f=lambda u: (torch.sqrt(u) - 1) ** 2,
        derivative=lambda u: 1 - 1 / torch.sqrt(u),
        activation=lambda v: 1 - torch.exp(-v),
        conjugate=lambda t: t / (1 - t),
        conjugate_of_activation=lambda v: torch.exp(v) - 1,
    ),
    "tv": FDivergence(
        "total variation",
        f=lambda u: 0.5 * (u - 1).abs(),
        derivative=lambda u: 0.5 * torch.sign(u - 1),
        activation=lambda v: 0.5 * torch.tanh(v),
        conjugate=lambda t: t,
        conjugate_of_activation=lambda v: 0.5 * torch.tanh(v),
    ),
}


@dataclass(frozen=True)
class FganConfig(ModelConfig):
    """Nowozin et al.'s f-GAN; `divergence` picks the row of their table (fixed by each registered name)."""

    divergence: Divergence = "js"


def objective(divergence: str) -> Objective:
    """The discriminator loss -F (so minimising it maximises the bound) and the generator's -E_G[g_f(v)]."""
    row = DIVERGENCES[divergence]

    def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return -(row.activation(real).mean() - row.conjugate_of_activation(fake).mean())

    def g_loss(fake: torch.Tensor) -> torch.Tensor:
        return -row.activation(fake).mean()

    return Objective(d_loss, g_loss)


def build_networks(shape: DataShape, config: FganConfig) -> tuple[nn.Module, nn.Module]:
    """DCGAN networks; the discriminator's logit is the variational function's raw output v."""
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: FganConfig, amp: bool):
    """n_critic updates of the variational function, then one generator update.

    Logged: d_loss (-F, so -d_loss is the current divergence estimate) and g_loss.
    """
    return alternating_step(modules, batches, noise, objective(config.divergence), config.z_dim, amp)


register(
    Family(
        "fgan",
        "Nowozin et al. 2016, f-GAN: Training Generative Neural Samplers using Variational Divergence Minimization",
        FganConfig,
        build_networks,
        train_step,
    ),
    *(variant(f"fgan_{divergence}", divergence=divergence) for divergence in DIVERGENCES),
    own_name=False,
)
