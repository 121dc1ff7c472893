"""The simultaneous update of PacGAN's and ALI's code: both networks step from the same parameters.

ALI's `ali_algorithm` (used by PacGAN's 2-D experiments) builds one Blocks GradientDescent from the gradient
of the discriminator loss with respect to the discriminator and of the generator loss with respect to the
generator, both on the same minibatch and noise, and applies them together. It is not alternating: the
generator's gradient is taken through the discriminator as it was before its update.
"""

from __future__ import annotations

import torch

from ganbench.models.packing import generate_packed
from ganbench.models.step import Batch, GanModules, Objective, StepNoise


def apply_gradients(modules: GanModules, d_loss: torch.Tensor, g_loss: torch.Tensor) -> None:
    """Take d_loss's gradient for the discriminator and g_loss's for the generator (both from the current
    parameters), then step both optimizers."""
    pairs = ((modules.discriminator, modules.d_opt, d_loss), (modules.generator, modules.g_opt, g_loss))
    grads = []
    for index, (network, _, loss) in enumerate(pairs):
        params = [p for p in network.parameters() if p.requires_grad]
        grads.append((params, torch.autograd.grad(loss, params, retain_graph=index == 0, allow_unused=True)))
    for (_, optimizer, _), (params, values) in zip(pairs, grads, strict=True):
        optimizer.zero_grad(set_to_none=True)
        for param, grad in zip(params, values, strict=True):
            param.grad = grad
        optimizer.step()


def simultaneous_losses(
    modules: GanModules, batch: Batch, noise: StepNoise, objective: Objective, z_dim: int, amp: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """(d_loss, g_loss) of an unconditional GAN on one real batch (packed when modules.pack > 1) with the
    objective's losses, both from the current parameters. (No penalty or after_d_step: PacGAN's has none.)"""
    device_type = batch.x.device.type
    z = noise.normal(len(batch.x), z_dim)
    with torch.autocast(device_type, torch.bfloat16, enabled=amp):
        fake = generate_packed(modules.generator, z, None, modules.pack)
        real_logits, fake_logits = modules.discriminator(batch.x), modules.discriminator(fake)
    real_logits, fake_logits = real_logits.float(), fake_logits.float()
    return objective.d_loss(real_logits, fake_logits), objective.g_loss(fake_logits)


def simultaneous_step(
    modules: GanModules,
    batch: Batch,
    noise: StepNoise,
    objective: Objective,
    z_dim: int,
    amp: bool,
) -> dict[str, torch.Tensor]:
    """One simultaneous update with the losses of `simultaneous_losses`; returns detached 0-d losses."""
    d_loss, g_loss = simultaneous_losses(modules, batch, noise, objective, z_dim, amp)
    apply_gradients(modules, d_loss, g_loss)
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}
