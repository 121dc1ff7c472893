"""`began`: Berthelot et al. 2017, Boundary Equilibrium GAN — an auto-encoder discriminator whose loss is the
L1 reconstruction error L(v) = mean |v - D(v)| (eta = 1), balanced by a proportional controller:

    L_D = L(x) - k_t L(G(z_D))        L_G = L(G(z_G))        k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z_G))), 0, 1)

and its convergence measure M_global = L(x) + |gamma L(x) - L(G(z_G))|, logged every step as the training
curve `convergence` (beside `k`). Paper settings: gamma = 0.5 (the middle of the 0.3-0.7 range it shows),
lambda_k = 0.001, k_0 = 0, Adam at 1e-4 (the paper's initial rate; its halving when M_global stalls is not
applied), batch 16, z and embedding size 64, z uniform on [-1, 1]. Adam's betas 0.5 / 0.999 are those of
carpedm20/BEGAN-tensorflow (the paper does not give them). k_t lives in the discriminator as a buffer, so it is
checkpointed and resumed with it.

Networks (`arch`): on images the paper's own ("paper", ganbench.models.began_networks: 3x3 convolutions with ELUs,
two per scale, filters growing linearly in the encoder, nearest-neighbour upsampling, linear layers to and from
the embedding, a linear output); "standard" builds the benchmark's DCGAN-shaped pair without normalisation (BEGAN
has none), ending in a linear layer, which is also what points get (the paper has no 2-D setting). Generated
images are clipped to [-1, 1] when scored.

On mnist5k BEGAN does not learn on either pair (issue 26; tests/test_zoo.py, tests/test_zoo_causes.py): the
generator settles on what an L1 auto-encoder reconstructs most cheaply, thin 1s, and once the auto-encoder has
learned the data the controller sits at its equilibrium (L(G(z)) about gamma L(x), k_t near 0.05) with them. On the
paper's networks the samples are more varied while k_t is high (around steps 3,000-6,000) and then collapse onto
1s (FID 1710 at 6,000 steps, 2247 at 8,000, width 0.25, against 2131 untrained; at reference MNIST code's gamma 1,
958 at 4,000 and 2123 at 8,000); the DCGAN-shaped pair never leaves one thin digit (1902-2204 from 4,000 to 20,000
steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.models.ae_blocks import Encoder, ReconstructionDiscriminator, decoder
from ganbench.models.aux_blocks import uniform_codes
from ganbench.models.base import Family, ModelConfig, register
from ganbench.models.began_networks import BeganDecoder, BeganEncoder
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
    arch: Literal["auto", "paper", "standard"] = "auto"

    #: configs stored before `arch` existed trained the standard networks
    ABSENT_MEANS: ClassVar[dict[str, str]] = {"arch": "standard"}

    def resolved_arch(self, shape: DataShape) -> str:
        """`arch` with "auto" replaced by what it stands for on `shape`: the paper's networks on images, the
        standard MLP auto-encoder on points (the paper has no setting for points)."""
        if self.arch != "auto":
            return self.arch
        return "paper" if shape.kind == "image" else "standard"

    def unsupported(self, shape: DataShape) -> str | None:
        if self.arch == "paper" and shape.kind != "image":
            return "arch paper builds BEGAN's convolutional networks for images only; use arch=standard (or auto) for points"
        return None


class BeganDiscriminator(ReconstructionDiscriminator):
    """The L1 auto-encoder (energy mean |v - D(v)|, linear output like the paper's decoder) with the controller's
    k_t as a buffer, starting at 0: the paper's encoder and decoder (ganbench.models.began_networks), or the
    benchmark's DCGAN-shaped pair without normalisation (arch "standard", and points)."""

    def __init__(self, shape: DataShape, width: float, code_dim: int, arch: str = "standard") -> None:
        if arch == "paper":
            super().__init__(BeganEncoder(shape, code_dim, width), BeganDecoder(shape, code_dim, width), "l1_mean")
        else:
            super().__init__(Encoder(shape, width, code_dim, "none"), decoder(shape, code_dim, width, "none", tanh=False), "l1_mean")
        self.register_buffer("k", torch.zeros(()))


class BeganGenerator(nn.Module):
    """The generator: the decoder's shape (the paper's, or the standard one), ending in a linear layer (no tanh). A
    tanh there saturates on mnist5k: with k_t near 0 early on, the generator drifted to the blank image the
    auto-encoder reconstructs best, its pre-tanh outputs reached -8 and the gradient through tanh (1.6e-4 on
    average) no longer let it leave (issue 26). Samples are clipped to the data range [-1, 1] outside training, as
    the paper's images are shown; training sees the linear output. With the paper's networks the noise is the
    paper's, uniform on [-1, 1]: erf(z / sqrt 2) of the run's Gaussian z (exactly uniform)."""

    def __init__(self, shape: DataShape, z_dim: int, width: float, arch: str = "standard") -> None:
        super().__init__()
        self.uniform_noise = arch == "paper"
        self.net = BeganDecoder(shape, z_dim, width) if self.uniform_noise else decoder(shape, z_dim, width, "none", tanh=False)
        self.z_dim, self.num_classes = z_dim, 0
        self.image = shape.kind == "image"

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = self.net(uniform_codes(z) if self.uniform_noise else z)
        return x.clamp(-1.0, 1.0) if self.image and not self.training else x


def next_k(k: torch.Tensor, real_loss: torch.Tensor, fake_loss: torch.Tensor, gamma: float, gain: float) -> torch.Tensor:
    """k_{t+1} = clip(k_t + gain * (gamma L(x) - L(G(z))), 0, 1)."""
    return (k + gain * (gamma * real_loss - fake_loss)).clamp(0.0, 1.0)


def convergence(real_loss: torch.Tensor, fake_loss: torch.Tensor, gamma: float) -> torch.Tensor:
    """M_global = L(x) + |gamma L(x) - L(G(z))|."""
    return real_loss + (gamma * real_loss - fake_loss).abs()


def build_networks(shape: DataShape, config: BeganConfig) -> tuple[nn.Module, nn.Module]:
    """The `arch`'s generator (the decoder's shape, not its weights) and auto-encoder discriminator."""
    arch = config.resolved_arch(shape)
    return (
        BeganGenerator(shape, config.z_dim, config.width, arch),
        BeganDiscriminator(shape, config.width, config.code_dim, arch),
    )


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
