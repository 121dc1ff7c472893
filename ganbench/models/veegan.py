"""`veegan`: VEEGAN (Srivastava et al., NeurIPS 2017) — a generator, a reconstructor network F from data back to
noise, and a discriminator on (noise, data) pairs, trained with Algorithm 1 of the paper.

Objective (the authors' notebook `akashgit/VEEGAN` VEEGAN_2D_RING.ipynb, as its Python exports read; the
notebook's own blob is missing from the stored snapshot). The discriminator D(z, x) labels the generator's pairs
(z, G(z)) 1 and the data's pairs (z_g ~ N(F(x), I), x) 0 and minimises the cross-entropy
    d_loss = mean softplus(-D(z, G(z))) + mean softplus(D(z_g, x)).
Generator and reconstructor minimise together (one loss, one Adam over both) the density-ratio term plus the
noise-space reconstruction cost, -log N(z; F(G(z)), I) summed over the noise dimensions:
    g_loss = mean D(z, G(z)) + mean [0.5 ||z - F(G(z))||^2 + (K / 2) log(2 pi)].
Both updates step from the same parameters on the same batch (the notebook runs train_gen_op and train_disc_op
in one session.run; Algorithm 1 line 13 updates omega, theta, gamma together).

Networks (the notebook's `inference_network` = generator, `generative_network` = reconstructor, `data_network`
= discriminator; slim.fully_connected: Glorot-uniform weights, zero biases): the generator maps K = 254 noise
dimensions plus 1 extra standard-normal input (`eps_dim`) through 2 ReLU layers of 128 to the 2-D point; the
reconstructor maps the point through 2 ReLU layers of 128 to the mean of a unit-variance Gaussian over the 254
noise dimensions; the discriminator concatenates (z, x) and has ONE ReLU layer of 128 (the notebook passes
n_layers=2 but `data_network` builds one layer) and a linear logit. The generator module's `z_dim` is 255: its
whole input, the first 254 of which are reconstructed. Batch 500, Adam 1e-3 with beta1 0.5 for both, 100 epochs
of 1,000 iterations = 100,000 steps.

`veegan_gan` and `veegan_ali` are the Table 1 baselines on the same networks and optimiser (the paper does not
publish its baseline code): `gan` drops the reconstructor, the discriminator sees x alone and the generator takes
the non-saturating loss -log D(G(z)) (with real data labelled 1); `ali` keeps the joint discriminator and the
reconstructor as ALI's encoder (z_g = F(x) + N(0, I), reparameterised) and trains generator and encoder on the
cross-entropy with the labels swapped, no reconstruction cost. Points only: VEEGAN's image networks are not
implemented.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import scaled
from ganbench.models.simultaneous import apply_gradients
from ganbench.models.step import Batch, GanModules, StepNoise

#: The notebook's `params` and optimiser (VEEGAN_2D_RING.ipynb): 'input_dim' 254 is the noise, 'eps_dim' 1.
NOTEBOOK_POINTS = {
    "z_dim": 254,
    "eps_dim": 1,
    "batch_size": 500,
    "lr_g": 1e-3,
    "lr_d": 1e-3,
    "beta1": 0.5,
    "beta2": 0.999,
    "steps": 100_000,
}
HIDDEN = 128
OBJECTIVES = ("veegan", "ali", "gan")


@dataclass(frozen=True)
class VeeganConfig(ModelConfig):
    """VEEGAN's 2-D settings; `eps_dim`: extra standard-normal generator inputs that are not reconstructed;
    `objective`: "veegan" (the paper's), or the Table 1 baselines on VEEGAN's networks, "ali" or "gan"."""

    eps_dim: int = 1
    objective: str = "veegan"

    def for_shape(self, shape: DataShape) -> VeeganConfig:
        return dataclasses.replace(self, **NOTEBOOK_POINTS) if shape.kind == "points" else self

    def unsupported(self, shape: DataShape) -> str | None:
        if shape.kind != "points":
            return "VEEGAN's networks are implemented for 2-D points only (the authors' 2-D notebook); use points data"
        return None

    def validate(self) -> None:
        super().validate()
        if self.objective not in OBJECTIVES:
            raise GanbenchError(f"bad model setting: objective must be one of {', '.join(OBJECTIVES)}")
        if self.eps_dim < 0 or self.n_critic != 1 or self.pack != 1:
            raise GanbenchError("bad model setting: veegan needs eps_dim >= 0, n_critic 1 and pack 1")


def relu_mlp(sizes: list[int]) -> nn.Sequential:
    """slim.fully_connected layers: ReLU between them, a linear last layer, Glorot-uniform weights, zero biases."""
    layers: list[nn.Module] = []
    for index, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = nn.Linear(a, b)
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear] if index == len(sizes) - 2 else [linear, nn.ReLU()]
    return nn.Sequential(*layers)


class VeeganGenerator(nn.Module):
    """Generator and reconstructor together: forward(z) -> points from the whole input z (N, noise + eps);
    reconstruct(x) -> the mean of p(z | x) over the first `noise_dim` inputs (None without a reconstructor)."""

    def __init__(self, noise_dim: int, eps_dim: int, dim: int, hidden: int, reconstructor: bool) -> None:
        super().__init__()
        self.noise_dim, self.z_dim, self.num_classes = noise_dim, noise_dim + eps_dim, 0
        self.generator = relu_mlp([self.z_dim, hidden, hidden, dim])
        self.reconstructor = relu_mlp([dim, hidden, hidden, noise_dim]) if reconstructor else None

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.generator(z)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.reconstructor(x)


class PairDiscriminator(nn.Module):
    """D(z, x): one ReLU layer of `hidden` on the concatenated (z, x), a linear logit; with noise_dim 0 it judges
    x alone (the GAN baseline). Called as forward(x, z) like ganbench's other joint discriminators."""

    def __init__(self, noise_dim: int, dim: int, hidden: int) -> None:
        super().__init__()
        self.joint = noise_dim > 0
        self.net = relu_mlp([noise_dim + dim, hidden, 1])

    def forward(self, x: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        inputs = torch.cat([z, x.flatten(1)], dim=1) if self.joint else x.flatten(1)
        return self.net(inputs).squeeze(1)


def build_networks(shape: DataShape, config: VeeganConfig) -> tuple[nn.Module, nn.Module]:
    """The notebook's generator (+ reconstructor unless the GAN baseline) and discriminator."""
    hidden, dim = scaled(HIDDEN, config.width), shape.channels
    joint = config.objective != "gan"
    generator = VeeganGenerator(config.z_dim, config.eps_dim, dim, hidden, reconstructor=joint)
    return generator, PairDiscriminator(config.z_dim if joint else 0, dim, hidden)


def reconstruction_cost(z: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
    """-log N(z; mean, I) summed over the noise dimensions, averaged over the batch (the notebook's
    -mean(recon_likelihood))."""
    return (0.5 * (z - mean).pow(2).sum(1)).mean() + 0.5 * z.shape[1] * math.log(2 * math.pi)


def losses(
    generator: VeeganGenerator, d: PairDiscriminator, x: torch.Tensor, z: torch.Tensor, z_eps: torch.Tensor, objective: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(d_loss, g_loss) of one step from real points x, the generator's whole input z and the reconstructor's
    sampling noise z_eps (N, noise_dim); every tensor from the current parameters."""
    fake = generator(z)
    if objective == "gan":
        real_logits, fake_logits = d(x), d(fake)
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean(), F.softplus(-fake_logits).mean()
    noise = z[:, : generator.noise_dim]
    fake_logits = d(fake, noise)  # the generator's pairs, label 1
    if objective == "ali":
        real_logits = d(x, generator.reconstruct(x) + z_eps)  # the encoder's pairs, label 0
        g_loss = F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()
    else:
        with torch.no_grad():  # z_g ~ p_theta(z | x) feeds only the discriminator's loss
            z_g = generator.reconstruct(x) + z_eps
        real_logits = d(x, z_g)
        g_loss = fake_logits.mean() + reconstruction_cost(noise, generator.reconstruct(fake))
    d_loss = F.softplus(-fake_logits).mean() + F.softplus(real_logits).mean()
    return d_loss, g_loss


def step_losses(modules: GanModules, batch: Batch, noise: StepNoise, config: VeeganConfig, amp: bool):
    """(d_loss, g_loss) of one simultaneous update on one real batch, with the step's noise drawn (float32)."""
    g, d, x = modules.generator, modules.discriminator, batch.x
    z = noise.normal(len(x), g.z_dim)
    z_eps = noise.normal(len(x), g.noise_dim) if config.objective != "gan" else None
    return losses(g, d, x, z, z_eps, config.objective)


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: VeeganConfig, amp: bool):
    """One simultaneous VEEGAN (or baseline) update on one real batch (float32)."""
    d_loss, g_loss = step_losses(modules, batches[-1], noise, config, amp)
    apply_gradients(modules, d_loss, g_loss)
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


PAPER = "Srivastava et al. 2017, VEEGAN: Reducing Mode Collapse in GANs using Implicit Variational Learning"
register(
    Family("veegan", PAPER, VeeganConfig, build_networks, train_step, packable=False, simultaneous_losses=step_losses),
    variant("veegan_gan", f"GAN baseline on the 2-D networks of {PAPER}", objective="gan"),
    variant("veegan_ali", f"ALI baseline on the 2-D networks of {PAPER}", objective="ali"),
)
