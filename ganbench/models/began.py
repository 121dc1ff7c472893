"""`began`: Berthelot et al. 2017, Boundary Equilibrium GAN — an auto-encoder discriminator whose loss is the
L1 reconstruction error L(v) = mean |v - D(v)| (eta = 1), balanced by a proportional controller:

    L_D = L(x) - k_t L(G(z_D))        L_G = L(G(z_G))        k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z_G))), 0, 1)

and its convergence measure M_global = L(x) + |gamma L(x) - L(G(z_G))|, logged every step as the training
curve `convergence` (beside `k`). Paper settings: gamma = 0.5 (the middle of the 0.3-0.7 range it shows),
lambda_k = 0.001, k_0 = 0, Adam at 1e-4 (the paper's initial rate; its halving when M_global stalls is not
applied), batch 16, z and embedding size 64. The paper's networks (3x3 ELU convs, nearest-neighbour
upsampling) are replaced by the benchmark's DCGAN-shaped nets without batch norm, as BEGAN has none, ending like
the paper's in a linear layer (generator and decoder; generated images are clipped to [-1, 1] when scored); Adam's
betas are DCGAN's (the paper does not give them). k_t lives in the discriminator as a buffer, so it is
checkpointed and resumed with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.models.ae_blocks import AutoEncoderDiscriminator, decoder
from ganbench.models.base import Family, ModelConfig, register
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, frozen, optimize


@dataclass(frozen=True)
class BeganConfig(ModelConfig):
    """Berthelot et al.'s BEGAN: `gamma` the diversity ratio E[L(G(z))] / E[L(x)] the controller aims at,
    `lambda_k` the controller's gain, `code_dim` the auto-encoder's embedding size N_h."""

    lr_g: float = 1e-4
    lr_d: float = 1e-4
    batch_size: int = 16
    z_dim: int = 64
    gamma: float = 0.5
    lambda_k: float = 0.001
    code_dim: int = 64


class BeganDiscriminator(AutoEncoderDiscriminator):
    """The auto-encoder (L1 energy, no normalisation, linear output like the paper's decoder) with the controller's
    k_t as a buffer, starting at 0."""

    def __init__(self, shape: DataShape, width: float, code_dim: int) -> None:
        super().__init__(shape, width, code_dim, "l1_mean", encoder_norm="none", decoder_norm="none", decoder_tanh=False)
        self.register_buffer("k", torch.zeros(()))


class BeganGenerator(nn.Module):
    """The paper's generator: the decoder's shape, ending in a linear layer (no tanh). A tanh there saturates on
    mnist5k: with k_t near 0 early on, the generator drifts to the blank image the auto-encoder reconstructs best,
    its pre-tanh outputs reach -8 and the gradient through tanh (1.6e-4 on average) no longer lets it leave (issue 26).
    Samples are clipped to the data range [-1, 1] outside training, as the paper's images are shown; training
    sees the linear output."""

    def __init__(self, shape: DataShape, z_dim: int, width: float) -> None:
        super().__init__()
        self.net = decoder(shape, z_dim, width, "none", tanh=False)
        self.z_dim, self.num_classes = z_dim, 0
        self.image = shape.kind == "image"

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = self.net(z)
        return x.clamp(-1.0, 1.0) if self.image and not self.training else x


def next_k(k: torch.Tensor, real_loss: torch.Tensor, fake_loss: torch.Tensor, gamma: float, gain: float) -> torch.Tensor:
    """k_{t+1} = clip(k_t + gain * (gamma L(x) - L(G(z))), 0, 1)."""
    return (k + gain * (gamma * real_loss - fake_loss)).clamp(0.0, 1.0)


def convergence(real_loss: torch.Tensor, fake_loss: torch.Tensor, gamma: float) -> torch.Tensor:
    """M_global = L(x) + |gamma L(x) - L(G(z))|."""
    return real_loss + (gamma * real_loss - fake_loss).abs()


def build_networks(shape: DataShape, config: BeganConfig) -> tuple[nn.Module, nn.Module]:
    """Generator shaped as the discriminator's decoder (no batch norm); auto-encoder discriminator."""
    return BeganGenerator(shape, config.z_dim, config.width), BeganDiscriminator(shape, config.width, config.code_dim)


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: BeganConfig, amp: bool):
    """n_critic discriminator updates with the current k_t, one generator update, then the k_t update.

    Logged: d_loss, g_loss (L(G(z_G))), real_loss (L(x) of the last batch), k (k_t used in the step) and
    convergence (M_global).
    """
    g, d = modules.generator, modules.discriminator
    k = d.k.detach().clone()
    for batch in batches:
        z = noise.normal(len(batch.x), config.z_dim)
        with torch.no_grad(), autocast(batch.x, amp):
            fake = g(z)
        with autocast(batch.x, amp):
            real_loss = d(batch.x).mean()
            d_loss = real_loss - k * d(fake).mean()
        optimize(modules.d_opt, d_loss)

    z = noise.normal(len(batches[-1].x), config.z_dim)
    with frozen(d):
        with autocast(z, amp):
            g_loss = d(g(z)).mean()
        optimize(modules.g_opt, g_loss)
    real_loss, g_loss = real_loss.detach(), g_loss.detach()
    with torch.no_grad():
        d.k.copy_(next_k(d.k, real_loss, g_loss, config.gamma, config.lambda_k))
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss,
        "real_loss": real_loss,
        "k": k,
        "convergence": convergence(real_loss, g_loss, config.gamma),
    }


register(
    Family(
        "began",
        "Berthelot et al. 2017, BEGAN: Boundary Equilibrium Generative Adversarial Networks",
        BeganConfig,
        build_networks,
        train_step,
    ),
)
