"""`vae`: Kingma & Welling 2014, Auto-Encoding Variational Bayes — the non-adversarial baseline.

An encoder q(z | x) = N(mu(x), diag exp(logvar(x))) and a decoder p(x | z) are trained together on the evidence
lower bound (ELBO, nats per sample, one reparameterised z per sample):

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || N(0, I))

The decoder is the benchmark's generator network at the data's resolution (the DCGAN generator with batch norm;
the point MLP for 2-D data), and its mean is what gets scored: a sample is the decoder mean at z ~ N(0, I),
without pixel noise. Its likelihood (`likelihood`):

- "bernoulli", the paper's choice for MNIST (Kingma & Welling, Section 5 and Appendix C.1): each pixel's intensity
  (x + 1) / 2 in [0, 1] under a Bernoulli whose logit is the generator's last layer (no tanh), i.e. the binary
  cross-entropy; the decoder mean mapped back to the data range is 2 sigmoid(logit) - 1 = tanh(logit / 2).
- "gaussian", the paper's choice for real-valued data (its Frey Face experiments): N(G(z), sigma^2 I) with one
  sigma for all coordinates, set at each step to its maximum-likelihood value, the root mean squared
  reconstruction error of the batch (the "optimal sigma" of Rybkin et al. 2021's calibrated decoders), not
  back-propagated (its gradient term vanishes at the optimum).
- "auto" (default): bernoulli on grey images, gaussian on colour images and points. On mnist5k the calibrated
  Gaussian drives sigma to 0.08 and the KL to ~230 nats by step 2,000 (width 0.25): the posterior no longer
  overlaps the prior and samples from N(0, I) are stroke textures, not digits (mnist-classifier FID 936, recall
  0.04, 6 classes covered, 3 seeds; issue 26); the Bernoulli decoder keeps the KL near the paper's.

The encoder, the family's extra network, is the discriminator trunk of the same resolution plus a linear layer
to (mu, logvar).

The ELBO, its reconstruction and KL terms and sigma are logged every step (losses.csv / TensorBoard: the
`elbo` training curve). Settings: batch 100 as in the paper; z of 128 dimensions like the GANs' noise;
Adam 1e-3 (the paper used Adagrad; Adam at its default betas is the usual modern choice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.ae_blocks import VaeEncoder, gan_generator, kl_to_prior, reparameterize
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import ConvGenerator, dcgan_init
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast, optimize


@dataclass(frozen=True)
class VaeConfig(ModelConfig):
    """Kingma & Welling's VAE; `likelihood` the decoder's (see the module); lr_g trains decoder and encoder (lr_d is
    unused: there is no discriminator). n_critic must stay 1."""

    lr_g: float = 1e-3
    lr_d: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    batch_size: int = 100
    likelihood: Literal["auto", "bernoulli", "gaussian"] = "auto"

    #: configs stored before `likelihood` existed trained the calibrated Gaussian on every shape
    ABSENT_MEANS: ClassVar[dict[str, str]] = {"likelihood": "gaussian"}

    def validate(self) -> None:
        super().validate()
        if self.n_critic != 1:
            raise GanbenchError("bad model setting: n_critic does not apply to a VAE (it has no critic); keep it 1")

    def resolved_likelihood(self, shape: DataShape) -> str:
        """`likelihood` with "auto" replaced by what it stands for on `shape`: bernoulli on grey images."""
        if self.likelihood != "auto":
            return self.likelihood
        return "bernoulli" if shape.kind == "image" and shape.channels == 1 else "gaussian"

    def unsupported(self, shape: DataShape) -> str | None:
        if self.resolved_likelihood(shape) == "bernoulli" and shape.kind != "image":
            return "likelihood bernoulli models pixel intensities, and this data is points; use likelihood=gaussian"
        return None


class BernoulliDecoder(ConvGenerator):
    """The GANs' generator whose last layer gives each pixel's Bernoulli logit (no tanh); calling it gives the
    decoder mean in the data range, 2 sigmoid(logit) - 1 = tanh(logit / 2), which is what gets scored."""

    def __init__(self, shape: DataShape, z_dim: int, width: float) -> None:
        super().__init__(shape, z_dim, width, "batch", tanh=False)

    def logits(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return super().forward(z, labels)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return torch.tanh(0.5 * self.logits(z, labels))


def gaussian_nll(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """Per-sample -log N(x | mean, exp(log_scale)^2 I) in nats, (N,)."""
    error = (x.float() - mean.float()).flatten(1)
    dims = error.shape[1]
    return 0.5 * (error / log_scale.exp()).square().sum(1) + dims * (log_scale + 0.5 * math.log(2 * math.pi))


def bernoulli_nll(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Per-sample -log p(x | z) in nats, (N,), of intensities (x + 1) / 2 under Bernoulli(sigmoid(logits)): the
    binary cross-entropy summed over pixels."""
    target = ((x.float() + 1.0) / 2.0).clamp(0.0, 1.0)
    return F.binary_cross_entropy_with_logits(logits.float(), target, reduction="none").flatten(1).sum(1)


def calibrated_log_scale(x: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
    """log sigma* with sigma*^2 the mean squared error over the batch and coordinates (floored at 1e-6): the sigma
    that maximises the Gaussian likelihood of the batch; detached."""
    return 0.5 * torch.log((x.float() - mean.float()).square().mean().detach().clamp_min(1e-6))


def build_networks(shape: DataShape, config: VaeConfig) -> tuple[nn.Module, None]:
    """The decoder (the GANs' generator, its last layer the logits for a Bernoulli likelihood); no discriminator."""
    if config.resolved_likelihood(shape) == "bernoulli":
        return dcgan_init(BernoulliDecoder(shape, config.z_dim, config.width)), None
    return gan_generator(shape, config.z_dim, config.width), None


def build_extras(shape: DataShape, config: VaeConfig) -> dict[str, nn.Module]:
    """The encoder."""
    return {"encoder": VaeEncoder(shape, config.width, config.z_dim)}


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: VaeConfig, amp: bool):
    """One joint update of decoder and encoder on the negative ELBO of the batch.

    Logged: elbo, reconstruction (E_q[-log p(x | z)]) and kl, all nats per sample, and the Gaussian's sigma.
    """
    encoder, decoder, x = modules.extras["encoder"], modules.generator, batches[-1].x
    bernoulli = isinstance(decoder, BernoulliDecoder)
    with autocast(x, amp):
        mu, logvar = encoder(x)
        z = reparameterize(mu, logvar, noise)
        out = decoder.logits(z) if bernoulli else decoder(z)
    logged = {}
    if bernoulli:
        reconstruction = bernoulli_nll(x, out)
    else:
        log_scale = calibrated_log_scale(x, out)
        reconstruction = gaussian_nll(x, out, log_scale)
        logged["sigma"] = log_scale.exp()
    kl = kl_to_prior(mu, logvar)
    loss = (reconstruction + kl).mean()
    optimize(modules.g_opt, loss, modules.extra_opts["encoder"])
    return {
        "elbo": -loss.detach(),
        "reconstruction": reconstruction.detach().mean(),
        "kl": kl.detach().mean(),
        **logged,
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
