"""`vae`: Kingma & Welling 2014, Auto-Encoding Variational Bayes — the non-adversarial baseline.

An encoder q(z | x) = N(mu(x), diag exp(logvar(x))) and a Gaussian decoder p(x | z) = N(G(z), sigma^2 I) are
trained together on the evidence lower bound (ELBO, nats per sample, one reparameterised z per sample):

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || N(0, I))

The decoder mean G is the benchmark's generator network at the data's resolution (the DCGAN generator with
batch norm; the point MLP for 2-D data) and it is what gets scored: a sample is G(z) for z ~ N(0, I), the
decoder mean, without pixel noise. The decoder's sigma, one for all coordinates, is set at each step to its
maximum-likelihood value, the root mean squared reconstruction error of the batch (the "optimal sigma" of
Rybkin et al. 2021's calibrated decoders): it weighs the reconstruction against the KL as a learned sigma would
once converged, without a hand-set weight, and its gradient term vanishes at the optimum, so it is not
back-propagated. The encoder, the family's extra network, is the discriminator trunk of the same resolution
plus a linear layer to (mu, logvar).

The ELBO, its reconstruction and KL terms and sigma are logged every step (losses.csv / TensorBoard: the
`elbo` training curve). Settings: batch 100 as in the paper; z of 128 dimensions like the GANs' noise;
Adam 1e-3 (the paper used Adagrad; Adam at its default betas is the usual modern choice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.ae_blocks import VaeEncoder, gan_generator, kl_to_prior, reparameterize
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, optimize


@dataclass(frozen=True)
class VaeConfig(ModelConfig):
    """Kingma & Welling's VAE with a Gaussian decoder; lr_g trains decoder and encoder (lr_d is unused: there is
    no discriminator). n_critic must stay 1."""

    lr_g: float = 1e-3
    lr_d: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    batch_size: int = 100

    def validate(self) -> None:
        super().validate()
        if self.n_critic != 1:
            raise GanbenchError("bad model setting: n_critic does not apply to a VAE (it has no critic); keep it 1")


def gaussian_nll(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """Per-sample -log N(x | mean, exp(log_scale)^2 I) in nats, (N,)."""
    error = (x.float() - mean.float()).flatten(1)
    dims = error.shape[1]
    return 0.5 * (error / log_scale.exp()).square().sum(1) + dims * (log_scale + 0.5 * math.log(2 * math.pi))


def calibrated_log_scale(x: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
    """log sigma* with sigma*^2 the mean squared error over the batch and coordinates (floored at 1e-6): the sigma
    that maximises the Gaussian likelihood of the batch; detached."""
    return 0.5 * torch.log((x.float() - mean.float()).square().mean().detach().clamp_min(1e-6))


def build_networks(shape: DataShape, config: VaeConfig) -> tuple[nn.Module, None]:
    """The decoder (the GANs' generator); no discriminator."""
    return gan_generator(shape, config.z_dim, config.width), None


def build_extras(shape: DataShape, config: VaeConfig) -> dict[str, nn.Module]:
    """The encoder."""
    return {"encoder": VaeEncoder(shape, config.width, config.z_dim)}


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: VaeConfig, amp: bool):
    """One joint update of decoder and encoder on the negative ELBO of the batch.

    Logged: elbo, reconstruction (E_q[-log p(x | z)]) and kl, all nats per sample, and sigma.
    """
    encoder, x = modules.extras["encoder"], batches[-1].x
    with autocast(x, amp):
        mu, logvar = encoder(x)
        mean = modules.generator(reparameterize(mu, logvar, noise))
    log_scale = calibrated_log_scale(x, mean)
    reconstruction = gaussian_nll(x, mean, log_scale)
    kl = kl_to_prior(mu, logvar)
    loss = (reconstruction + kl).mean()
    optimize(modules.g_opt, loss, modules.extra_opts["encoder"])
    return {
        "elbo": -loss.detach(),
        "reconstruction": reconstruction.detach().mean(),
        "kl": kl.detach().mean(),
        "sigma": log_scale.exp(),
    }


register(
    Family(
        "vae",
        "Kingma & Welling 2014, Auto-Encoding Variational Bayes",
        VaeConfig,
        build_networks,
        train_step,
        build_extras=build_extras,
    ),
)
