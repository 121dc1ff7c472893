"""Encoders and auto-encoder discriminators, built from the same trunks as the GAN networks.

An encoder is a discriminator's trunk (the strided convs of `ConvDiscriminator`, or the hidden layers of
`MlpDiscriminator` for points) followed by a linear layer to a vector; a decoder is the generator of the same
resolution (`ConvGenerator` / `MlpGenerator`). So a VAE's decoder is exactly the GANs' generator, and an
auto-encoder discriminator (EBGAN, BEGAN) is made of the networks the other families use. The VAE's encoder and
its two closed forms (reparameterised sample, KL to the prior) are shared by `vae` and `vaegan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import torch
from torch import nn

from ganbench.data.base import DataShape
from ganbench.models.blocks import (
    ConvDiscriminator,
    ConvGenerator,
    DiscNorm,
    GenNorm,
    MlpDiscriminator,
    MlpGenerator,
    dcgan_init,
    points_hidden,
)

if TYPE_CHECKING:
    from ganbench.models.step import StepNoise

Energy = Literal["l2_norm", "l1_mean"]


def trunk(shape: DataShape, width: float, norm: DiscNorm, slope: float = 0.2) -> tuple[nn.Module, int, bool]:
    """(the feature layers of the family-standard discriminator, their flattened width, whether inputs are
    flattened first) for `shape`: conv layers for images, the three hidden layers for points."""
    if shape.kind == "image":
        body = ConvDiscriminator(shape, width, norm, slope)
        return body.features, body.head.linear.in_features, False
    hidden = points_hidden(width)
    return MlpDiscriminator(shape.channels, hidden, spectral=norm == "spectral", slope=slope).features, hidden[-1], True


def decoder(shape: DataShape, code_dim: int, width: float, norm: GenNorm, tanh: bool = True) -> nn.Module:
    """The generator of `shape` with a `code_dim` input: tanh images (linear ones when `tanh` is False), or linear
    points."""
    if shape.kind == "image":
        return ConvGenerator(shape, code_dim, width, norm, tanh=tanh)
    return MlpGenerator(code_dim, points_hidden(width), shape.sample_shape)


def gan_generator(shape: DataShape, z_dim: int, width: float) -> nn.Module:
    """The generator of the DCGAN-based families (`standard_networks` with batch norm): DCGAN-initialised
    transposed convs for images, the point MLP for points."""
    if shape.kind == "image":
        return dcgan_init(ConvGenerator(shape, z_dim, width, "batch"))
    return MlpGenerator(z_dim, points_hidden(width), shape.sample_shape)


class Encoder(nn.Module):
    """x -> (N, out_dim): a discriminator trunk and one linear layer."""

    def __init__(self, shape: DataShape, width: float, out_dim: int, norm: DiscNorm = "batch") -> None:
        super().__init__()
        self.features, flat, self.flatten_input = trunk(shape, width, norm)
        self.out = nn.Linear(flat, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x.flatten(1) if self.flatten_input else x)
        return self.out(h.flatten(1))


def reconstruction_energy(x: torch.Tensor, reconstruction: torch.Tensor, kind: Energy) -> torch.Tensor:
    """Per-sample energy (N,): the Euclidean norm of the error (EBGAN's ||Dec(Enc(x)) - x||) or the mean
    absolute error per coordinate (BEGAN's L1 loss, eta = 1)."""
    error = (x.float() - reconstruction.float()).flatten(1)
    if kind == "l2_norm":
        # the norm's gradient is undefined at 0; a tiny floor keeps a perfect reconstruction finite
        return (error.square().sum(1) + 1e-12).sqrt()
    return error.abs().mean(1)


class ReconstructionDiscriminator(nn.Module):
    """An auto-encoder as discriminator: forward(x) is the per-sample reconstruction energy (N,) of
    decoder(encoder(x)).

    `reconstruct(x)` returns (reconstruction, code); the code is the encoder output (EBGAN's pulling-away
    term reads it).
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module, energy: Energy) -> None:
        super().__init__()
        self.energy_kind = energy
        self.encoder = encoder
        self.decoder = decoder

    def reconstruct(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        code = self.encoder(x)
        return self.decoder(code), code

    def energy(self, x: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
        return reconstruction_energy(x, reconstruction, self.energy_kind)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.energy(x, self.reconstruct(x)[0])


class AutoEncoderDiscriminator(ReconstructionDiscriminator):
    """The reconstruction discriminator made of the family-standard networks: the discriminator trunk with a
    linear layer to `code_dim` as encoder, the generator of the same resolution as decoder."""

    def __init__(
        self,
        shape: DataShape,
        width: float,
        code_dim: int,
        energy: Energy,
        encoder_norm: DiscNorm = "batch",
        decoder_norm: GenNorm = "batch",
        decoder_tanh: bool = True,
    ) -> None:
        super().__init__(
            Encoder(shape, width, code_dim, encoder_norm), decoder(shape, code_dim, width, decoder_norm, decoder_tanh), energy
        )


class VaeEncoder(nn.Module):
    """x -> (mu, logvar) of q(z | x), each (N, z_dim)."""

    def __init__(self, shape: DataShape, width: float, z_dim: int) -> None:
        super().__init__()
        self.net = Encoder(shape, width, 2 * z_dim)
        if shape.kind == "image":
            dcgan_init(self.net)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.net(x).float().chunk(2, dim=1)
        return mu, logvar


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, noise: StepNoise) -> torch.Tensor:
    """z = mu + exp(logvar / 2) * eps, eps from the run's training noise."""
    return mu + torch.exp(0.5 * logvar) * noise.normal(*mu.shape)


def kl_to_prior(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Per-sample KL(N(mu, diag exp(logvar)) || N(0, I)) in nats, (N,)."""
    return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).sum(1)
