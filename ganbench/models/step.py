"""The alternating discriminator/generator update every family's train step is built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from ganbench.models.packing import generate_packed
from ganbench.seeding import torch_stream


@dataclass
class GanModules:
    """The networks and their optimizers, as one train step sees them: generator and discriminator (None,
    with its optimizer, for a non-adversarial family), and any extra networks the family builds (an encoder),
    each with the optimizer of the same name. `pack` is the config's packing degree (the discriminator then
    judges packs of `pack` samples, see ganbench.models.packing)."""

    generator: nn.Module
    discriminator: nn.Module | None
    g_opt: torch.optim.Optimizer
    d_opt: torch.optim.Optimizer | None
    extras: dict[str, nn.Module] = field(default_factory=dict)
    extra_opts: dict[str, torch.optim.Optimizer] = field(default_factory=dict)
    pack: int = 1

    def networks(self) -> dict[str, nn.Module]:
        """Every network by its checkpoint prefix: "generator", "discriminator", "extra.{name}"."""
        named = {"generator": self.generator, "discriminator": self.discriminator}
        named |= {f"extra.{name}": net for name, net in self.extras.items()}
        return {prefix: net for prefix, net in named.items() if net is not None}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Every optimizer by its checkpoint prefix: "g_opt", "d_opt", "extra_opt.{name}"."""
        named = {"g_opt": self.g_opt, "d_opt": self.d_opt}
        named |= {f"extra_opt.{name}": opt for name, opt in self.extra_opts.items()}
        return {prefix: opt for prefix, opt in named.items() if opt is not None}


@dataclass(frozen=True)
class Batch:
    """One real batch on the training device: float samples ([-1, 1] images or points) and optional labels."""

    x: torch.Tensor
    y: torch.Tensor | None = None


class StepNoise:
    """The training randomness of a run: one seeded generator on the training device.

    Every draw a train step makes (noise, fake labels, interpolation weights) comes
    from here, so saving `state()` and restoring it reproduces the rest of a run.
    """

    def __init__(self, seed: int, device: torch.device) -> None:
        self.device = device
        self.generator = torch_stream(seed, "train_noise", device)

    def normal(self, n: int, dim: int) -> torch.Tensor:
        """Standard-normal float32 (n, dim)."""
        return torch.randn(n, dim, generator=self.generator, device=self.device)

    def uniform(self, n: int) -> torch.Tensor:
        """Uniform [0, 1) float32 (n,)."""
        return torch.rand(n, generator=self.generator, device=self.device)

    def labels(self, n: int, num_classes: int) -> torch.Tensor | None:
        """Uniform class labels int64 (n,), or None for an unconditional generator (num_classes 0)."""
        if num_classes < 1:
            return None
        return torch.randint(num_classes, (n,), generator=self.generator, device=self.device)

    def state(self) -> torch.Tensor:
        """The generator state (a CPU uint8 tensor)."""
        return self.generator.get_state()

    def set_state(self, state: torch.Tensor) -> None:
        """Restore a state returned by `state()`."""
        self.generator.set_state(state)


@dataclass(frozen=True)
class Objective:
    """A family's losses. d_loss(real_logits, fake_logits) and g_loss(fake_logits) return scalars;
    penalty(discriminator, batch, fake, fake_labels, noise) is added to the discriminator loss and
    logged as "penalty"; after_d_step(discriminator) runs after each discriminator update."""

    d_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g_loss: Callable[[torch.Tensor], torch.Tensor]
    penalty: Callable[[nn.Module, Batch, torch.Tensor, torch.Tensor | None, StepNoise], torch.Tensor] | None = None
    after_d_step: Callable[[nn.Module], None] | None = None


def alternating_step(
    modules: GanModules,
    batches: list[Batch],
    noise: StepNoise,
    objective: Objective,
    z_dim: int,
    amp: bool,
    g_batch_mult: int = 1,
) -> dict[str, torch.Tensor]:
    """One discriminator update per real batch, then one generator update; returns detached 0-d losses.

    The generator update draws `g_batch_mult` times the last real batch's size of noise (pytorch-gan-collections
    trains its generator on twice the discriminator's batch). Fakes for the discriminator use fresh noise per batch; fake labels are drawn
    uniformly for conditional generators. With packing the generator runs once per slot of the packs. `amp` runs forward passes under bf16 autocast
    (the penalty always runs in float32).
    """
    g, d = modules.generator, modules.discriminator
    num_classes = getattr(g, "num_classes", 0)
    device_type = batches[0].x.device.type
    losses: dict[str, torch.Tensor] = {}
    d.requires_grad_(True)
    for batch in batches:
        n = len(batch.x)
        z, fake_labels = noise.normal(n, z_dim), noise.labels(n, num_classes)
        with torch.no_grad(), torch.autocast(device_type, torch.bfloat16, enabled=amp):
            fake = generate_packed(g, z, fake_labels, modules.pack)
        with torch.autocast(device_type, torch.bfloat16, enabled=amp):
            d_loss = objective.d_loss(d(batch.x, batch.y).float(), d(fake, fake_labels).float())
        if objective.penalty is not None:
            penalty = objective.penalty(d, batch, fake.float(), fake_labels, noise)
            losses["penalty"] = penalty.detach()
            d_loss = d_loss + penalty
        modules.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        modules.d_opt.step()
        if objective.after_d_step is not None:
            objective.after_d_step(d)
    losses["d_loss"] = d_loss.detach()

    # Freezing D while updating G skips computing D's weight gradients nobody uses.
    d.requires_grad_(False)
    n = len(batches[-1].x) * g_batch_mult
    z, fake_labels = noise.normal(n, z_dim), noise.labels(n, num_classes)
    with torch.autocast(device_type, torch.bfloat16, enabled=amp):
        g_loss = objective.g_loss(d(generate_packed(g, z, fake_labels, modules.pack), fake_labels).float())
    modules.g_opt.zero_grad(set_to_none=True)
    g_loss.backward()
    modules.g_opt.step()
    d.requires_grad_(True)
    losses["g_loss"] = g_loss.detach()
    return losses


def gradient_penalty(
    d: nn.Module, batch: Batch, fake: torch.Tensor, fake_labels: torch.Tensor | None, noise: StepNoise
) -> torch.Tensor:
    """Gulrajani et al.'s penalty E[(||grad_x D(x_hat)||_2 - 1)^2] on random real/fake interpolates (unweighted).

    Conditional critics are evaluated at the real labels, the labels the interpolates lean on. A packed
    critic (attribute `pack`) gets one interpolation weight and one gradient norm per pack. A critic that
    divides its input by `input_scale` (gan_toy.py's nets on standardised data) is penalised on the gradient
    with respect to that standardised input, input_scale x ||grad_x D||, as in the authors' code.
    """
    real = batch.x
    pack = getattr(d, "pack", 1)
    alpha = noise.uniform(len(real) // pack)
    if pack > 1:
        alpha = alpha.repeat_interleave(pack)
    alpha = alpha.view(-1, *([1] * (real.dim() - 1)))
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = d(mixed, batch.y)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    norms = grad.reshape(len(out), -1).norm(2, dim=1) * getattr(d, "input_scale", 1.0)
    return ((norms - 1) ** 2).mean()
