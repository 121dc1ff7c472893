"""`vaegan`: Larsen et al. 2016, Autoencoding beyond pixels using a learned similarity metric — a VAE whose
decoder is also a GAN generator, with the reconstruction measured in the discriminator's features Dis_l:

    encoder:   L_prior + L_llike            (KL to N(0, I) + Gaussian NLL of Dis_l(x) given Dis_l(x~))
    decoder:   w L_llike - (1 - w) L_GAN    (x~ = Dec(Enc(x)) and x_p = Dec(z), z ~ N(0, I), both fool D)
    D:         L_GAN = r E[-log D(x)] + (1 - r) E[-log(1 - D(x~ or x_p))]

Settings from the paper and the authors' code (andersbll/autoencoding_beyond_pixels: aegan.py,
model/aegan.py, celeba_aegan.py): RMSProp for all three networks at the paper's 3e-4, batch 64, z of 128
dimensions, w = 1e-5 (`recon_weight`, their CelebA value), real weight r = 0.5, the GAN gradient kept from the
encoder, the decoder's GAN term in the minimax form (the code negates D's gradient), and their balance rule:
skip D's update while its real or fake cost is below 0.68 - 0.35, skip the decoder's while one is above
0.68 + 0.35 (both update when both would be skipped). Dis_l here is the last convolutional features of the
benchmark's DCGAN discriminator (the paper used its third conv layer); the decoder is the DCGAN generator, so
it is the GANs' network, and it is what is scored. The encoder is the family's extra network.

Logged every step: d_loss, g_loss, kl, feature_nll and their negative sum feature_elbo (the ELBO of the
feature-space likelihood model, nats per sample), and d_updated / g_updated (1 when that network stepped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models import optim
from ganbench.models.ae_blocks import VaeEncoder, kl_to_prior, reparameterize
from ganbench.models.aux_blocks import HeadedDiscriminator
from ganbench.models.base import DataShape, Family, ModelConfig, register
from ganbench.models.blocks import standard_networks
from ganbench.models.step import Batch, GanModules, StepNoise
from ganbench.models.updates import autocast


@dataclass(frozen=True)
class VaeganConfig(ModelConfig):
    """Larsen et al.'s VAE-GAN: `recon_weight` w of the feature reconstruction in the decoder's loss,
    `real_weight` r of real images in D's loss, `equilibrium` +- `balance_margin` the authors' update-skipping
    rule (margin 0 turns it off). Betas are unused (RMSProp); n_critic must stay 1."""

    lr_g: float = 3e-4
    lr_d: float = 3e-4
    recon_weight: float = 1e-5
    real_weight: float = 0.5
    equilibrium: float = 0.68
    balance_margin: float = 0.35

    def validate(self) -> None:
        super().validate()
        if self.n_critic != 1:
            raise GanbenchError("bad model setting: vaegan updates encoder, decoder and D together; keep n_critic 1")
        if not (0 <= self.recon_weight <= 1 and 0 < self.real_weight < 1 and self.balance_margin >= 0):
            raise GanbenchError("bad model setting: vaegan needs 0 <= recon_weight <= 1, 0 < real_weight < 1, balance_margin >= 0")


def build_networks(shape: DataShape, config: VaeganConfig) -> tuple[nn.Module, nn.Module]:
    """The DCGAN pair; D also returns its last features (both(x) -> (logit, Dis_l(x)))."""
    generator, discriminator = standard_networks(shape, config.z_dim, config.width, "batch", "batch")
    return generator, HeadedDiscriminator(discriminator, nn.Identity())


def build_extras(shape: DataShape, config: VaeganConfig) -> dict[str, nn.Module]:
    """The encoder."""
    return {"encoder": VaeEncoder(shape, config.width, config.z_dim)}


def make_optimizers(g: nn.Module, d: nn.Module, config: VaeganConfig, device: torch.device):
    """RMSProp for decoder and discriminator."""
    return optim.rmsprop(g.parameters(), config.lr_g, device), optim.rmsprop(d.parameters(), config.lr_d, device)


def make_extra_optimizers(extras: dict[str, nn.Module], config: VaeganConfig, device: torch.device):
    """RMSProp for the encoder, at the decoder's rate."""
    return {name: optim.rmsprop(net.parameters(), config.lr_g, device) for name, net in extras.items()}


def feature_nll(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample -log N(target | features, I) in nats, (N,)."""
    error = (features.float() - target.float()).flatten(1)
    return 0.5 * error.square().sum(1) + 0.5 * error.shape[1] * math.log(2 * math.pi)


def balance(real_cost: float, fake_cost: float, config: VaeganConfig) -> tuple[bool, bool]:
    """(update D, update decoder) under the authors' equilibrium rule."""
    low, high = config.equilibrium - config.balance_margin, config.equilibrium + config.balance_margin
    if config.balance_margin == 0:
        return True, True
    update_d = not (real_cost < low or fake_cost < low)
    update_g = not (real_cost > high or fake_cost > high)
    return (update_d, update_g) if (update_d or update_g) else (True, True)


def gradients(loss: torch.Tensor, network: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(parameter, gradient of `loss`) for `network`'s parameters, the graph kept for the other losses."""
    params = list(network.parameters())
    return list(zip(params, torch.autograd.grad(loss, params, retain_graph=True), strict=True))


def apply(optimizer: torch.optim.Optimizer, grads: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    for param, grad in grads:
        param.grad = grad
    optimizer.step()


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: VaeganConfig, amp: bool):
    """One pass over a batch: encode, decode, sample from the prior, then step the encoder, and D and the
    decoder as the balance rule allows, each on the gradient of its own loss only."""
    g, d, encoder = modules.generator, modules.discriminator, modules.extras["encoder"]
    x = batches[-1].x
    with autocast(x, amp):
        mu, logvar = encoder(x)
        reconstructed = g(reparameterize(mu, logvar, noise))
        prior = g(noise.normal(len(x), config.z_dim))
        real_logit, real_features = d.both(x)
        tilde_logit, tilde_features = d.both(reconstructed)
        prior_logit = d(prior)
    nll = feature_nll(tilde_features, real_features.detach())
    kl = kl_to_prior(mu, logvar)
    real_cost = F.softplus(-real_logit.float()).mean()
    fake_cost = F.softplus(torch.cat([tilde_logit, prior_logit]).float()).mean()
    d_loss = config.real_weight * real_cost + (1 - config.real_weight) * fake_cost
    g_loss = config.recon_weight * nll.mean() - (1 - config.recon_weight) * fake_cost
    encoder_loss = (kl + nll).mean()
    update_d, update_g = balance(real_cost.item(), fake_cost.item(), config)

    # every gradient is taken before any weight moves, each loss only into its own network
    steps = [(modules.extra_opts["encoder"], gradients(encoder_loss, encoder))]
    steps += [(modules.g_opt, gradients(g_loss, g))] if update_g else []
    steps += [(modules.d_opt, gradients(d_loss, d))] if update_d else []
    for optimizer, grads in steps:
        apply(optimizer, grads)
    flags = torch.tensor([update_d, update_g], dtype=torch.float32, device=x.device)
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "kl": kl.detach().mean(),
        "feature_nll": nll.detach().mean(),
        "feature_elbo": -encoder_loss.detach(),
        "d_updated": flags[0],
        "g_updated": flags[1],
    }


register(
    Family(
        "vaegan",
        "Larsen et al. 2016, Autoencoding beyond pixels using a learned similarity metric (VAE-GAN)",
        VaeganConfig,
        build_networks,
        train_step,
        make_optimizers=make_optimizers,
        build_extras=build_extras,
        make_extra_optimizers=make_extra_optimizers,
    ),
)
