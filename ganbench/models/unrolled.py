"""`unrolled`: Unrolled GAN (Metz et al. 2017) — the generator's loss through k unrolled discriminator updates.

Each iteration, k Adam steps of the discriminator are unrolled functionally (torch.func.functional_call) from
its current weights and Adam moments, on the iteration's real batch and noise; the generator's loss is taken
through the k-th copy and differentiated through every unrolled update (second order, as the authors'
reference implementation does with graph_replace). The copies are thrown away: the discriminator itself takes
one ordinary Adam step on the same batch, and both networks step from the same parameters (the reference
runs both train ops in one session.run). k = 0 is a plain simultaneous GAN.

Defaults. 2-D points: the authors' demo notebook (poole/unrolled_gan, "Unrolled GAN demo.ipynb"): 2 tanh
layers of 128 in both networks, z ~ N(0, I_256), batch 512, discriminator Adam 1e-4 and generator Adam 1e-3
(beta1 0.5), 5 unrolling steps, 25,000 iterations, the generator minimising the negative unrolled discriminator loss
(saturating). Images: the DCGAN pair and settings with the non-saturating loss, as the VEEGAN group's
stacked-MNIST code. `unrolled1` and `unrolled10` unroll 1 and 10 steps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call

from ganbench.errors import GanbenchError
from ganbench.models.base import DataShape, Family, ModelConfig, register, variant
from ganbench.models.blocks import standard_networks
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.packing import generate_packed
from ganbench.models.points import unrolled_demo_networks
from ganbench.models.step import Batch, GanModules, StepNoise

#: The demo notebook's settings (its `params` dict; max_iter 25000).
DEMO_POINTS = {
    "z_dim": 256, "batch_size": 512, "lr_d": 1e-4, "lr_g": 1e-3, "beta1": 0.5, "saturating": True, "steps": 25_000,
}
#: Added to Adam's second moment inside the unroll: sqrt has an infinite derivative at 0 (a weight whose gradient
#: is exactly 0); far below any moment a real gradient leaves (float32 keeps it).
SQRT_GUARD = 1e-30


@dataclass(frozen=True)
class UnrolledConfig(ModelConfig):
    """Metz et al.'s Unrolled GAN; `unroll_steps`: discriminator updates unrolled for the generator's loss (k);
    `saturating`: the generator minimises the negative discriminator loss (the demo) instead of -log D(G(z))."""

    unroll_steps: int = 5
    saturating: bool = False

    def for_shape(self, shape: DataShape) -> UnrolledConfig:
        return dataclasses.replace(self, **DEMO_POINTS) if shape.kind == "points" else self

    def validate(self) -> None:
        super().validate()
        if self.unroll_steps < 0 or self.n_critic != 1:
            raise GanbenchError("bad model setting: unroll_steps must be at least 0 and n_critic 1 for unrolled")


def build_networks(shape: DataShape, config: UnrolledConfig) -> tuple[nn.Module, nn.Module]:
    """The demo's tanh MLPs for points; the DCGAN pair (batch norm in both) for images."""
    if shape.kind == "points":
        return unrolled_demo_networks(config.z_dim, shape.channels, config.width)
    return standard_networks(shape, config.z_dim, config.width, "batch", "batch")


def adam_moments(optimizer: torch.optim.Optimizer, named: dict[str, nn.Parameter]) -> dict[str, tuple]:
    """name -> (step, exp_avg, exp_avg_sq) of each parameter in `optimizer` (zeros before its first step)."""
    moments = {}
    for name, param in named.items():
        state = optimizer.state.get(param, {})
        if state:
            moments[name] = (float(state["step"]), state["exp_avg"], state["exp_avg_sq"])
        else:
            moments[name] = (0.0, torch.zeros_like(param), torch.zeros_like(param))
    return moments


def adam_update(
    params: dict[str, torch.Tensor], grads: dict[str, torch.Tensor], moments: dict[str, tuple], group: dict
) -> tuple[dict[str, torch.Tensor], dict[str, tuple]]:
    """One differentiable step of torch.optim.Adam (no weight decay, no amsgrad): new parameters and moments."""
    beta1, beta2 = group["betas"]
    new_params, new_moments = {}, {}
    for name, param in params.items():
        step, exp_avg, exp_avg_sq = moments[name]
        grad = grads[name]
        step += 1
        exp_avg = beta1 * exp_avg + (1 - beta1) * grad
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
        denom = (exp_avg_sq + SQRT_GUARD).sqrt() / (1 - beta2**step) ** 0.5 + group["eps"]
        new_params[name] = param - group["lr"] / (1 - beta1**step) * exp_avg / denom
        new_moments[name] = (step, exp_avg, exp_avg_sq)
    return new_params, new_moments


def unrolled_generator_loss(
    d: nn.Module, d_opt: torch.optim.Optimizer, real: torch.Tensor, fake: torch.Tensor, config: UnrolledConfig
) -> torch.Tensor:
    """The generator's loss through `config.unroll_steps` functional Adam steps of `d` on (real, fake)."""
    named = {name: p for name, p in d.named_parameters() if p.requires_grad}
    # cloned buffers: batch-norm running statistics of the copies must not leak into the real network
    buffers = {name: b.clone() for name, b in d.named_buffers()}
    moments = adam_moments(d_opt, named)
    params: dict[str, torch.Tensor] = dict(named)

    def logits(x: torch.Tensor) -> torch.Tensor:
        return functional_call(d, {**params, **buffers}, (x,))

    for _ in range(config.unroll_steps):
        loss = cross_entropy_d_loss(logits(real), logits(fake))
        grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()), create_graph=True), strict=True))
        params, moments = adam_update(params, grads, moments, d_opt.param_groups[0])
    if config.saturating:
        return -cross_entropy_d_loss(logits(real), logits(fake))
    return non_saturating_g_loss(logits(fake))


def train_step(modules: GanModules, batches: list[Batch], noise: StepNoise, config: UnrolledConfig, amp: bool):
    """The unrolled generator update and one discriminator update, both from the current parameters (float32)."""
    g, d = modules.generator, modules.discriminator
    real = batches[-1].x
    z = noise.normal(len(real), config.z_dim)
    fake = generate_packed(g, z, None, modules.pack)
    g_loss = unrolled_generator_loss(d, modules.d_opt, real, fake, config)
    g_params = [p for p in g.parameters() if p.requires_grad]
    g_grads = torch.autograd.grad(g_loss, g_params)

    d_loss = cross_entropy_d_loss(d(real), d(fake.detach()))
    modules.d_opt.zero_grad(set_to_none=True)
    d_loss.backward()
    modules.d_opt.step()
    modules.g_opt.zero_grad(set_to_none=True)
    for param, grad in zip(g_params, g_grads, strict=True):
        param.grad = grad
    modules.g_opt.step()
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


PAPER = "Metz et al. 2017, Unrolled Generative Adversarial Networks"
register(
    Family("unrolled", f"{PAPER} (5 unrolling steps)", UnrolledConfig, build_networks, train_step, double_backward=True),
    *(variant(f"unrolled{k}", f"{PAPER} ({k} unrolling step(s))", unroll_steps=k) for k in (1, 10)),
)
