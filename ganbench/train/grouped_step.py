"""K cells of one family and config trained as one computation: stacked weights, optimizer states and one step.

`GroupedCells` takes the cells' own networks and optimizers (GanModules, built and restored as a run alone builds
and restores them), stacks their parameters, buffers and optimizer states on a new first dimension, and runs the
simultaneous update of PacGAN's code (ganbench.models.simultaneous) for all of them at once with
ganbench.models.grouped. Each cell's losses, gradients and updates are computed from its own slices only, so
a cell's numbers do not depend on its groupmates; on the CPU they are bit-identical to the cell run alone
(tests/test_grouped.py). The optimizer is the cells' own type with the same settings, stepping the stacked
tensors: Adam's update is elementwise, so each slice gets the update it would get alone.
`write_back` copies the slices into the cells' own networks and optimizers, which checkpoints then save in the
ordinary per-cell format.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import torch
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.grouped import State, grouped_forward, unsupported
from ganbench.models.packing import generate_packed
from ganbench.models.step import GanModules, Objective

#: Optimizers whose update is elementwise (so a stacked tensor gets each slice's own update) and that keep one step
#: count per parameter, which the cells of a group share.
ELEMENTWISE_OPTIMIZERS = (torch.optim.Adam,)


def ungroupable(modules: GanModules) -> str | None:
    """Why these networks cannot train grouped (None when they can)."""
    if modules.discriminator is None or modules.extras:
        return "only a generator and a discriminator can be grouped"
    for network in (modules.generator, modules.discriminator):
        if (layer := unsupported(network)) is not None:
            return f"its {type(network).__name__} has {layer} layers"
    for optimizer in (modules.g_opt, modules.d_opt):
        if type(optimizer) not in ELEMENTWISE_OPTIMIZERS or len(optimizer.param_groups) != 1:
            return f"its optimizer {type(optimizer).__name__} is not one group of Adam"
    return None


def _stack(tensors: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {key: torch.stack([t[key].detach() for t in tensors]).contiguous() for key in tensors[0]}


class _Network:
    """One network of the group: the first cell's module as the architecture, the stacked weights, the optimizer."""

    def __init__(self, networks: Sequence[nn.Module], optimizers: Sequence[torch.optim.Optimizer]) -> None:
        self.module = networks[0]
        self.params = {k: v.requires_grad_() for k, v in _stack([dict(n.named_parameters()) for n in networks]).items()}
        self.buffers = _stack([dict(n.named_buffers()) for n in networks])
        settings = {key: value for key, value in optimizers[0].param_groups[0].items() if key != "params"}
        self.optimizer = type(optimizers[0])(list(self.params.values()), **settings)
        states = [optimizer.state_dict()["state"] for optimizer in optimizers]
        if states[0]:
            stacked = {}
            for index, entries in states[0].items():
                stacked[index] = {}
                for name, value in entries.items():
                    values = [state[index][name] for state in states]
                    if value.dim() == 0:  # the step count: one for all (cells of a group are at the same step)
                        if any(not torch.equal(v, value) for v in values):
                            raise GanbenchError("cells of one group must be at the same step; group them by step")
                        stacked[index][name] = value.clone()
                    else:
                        stacked[index][name] = torch.stack(values)
            self.optimizer.load_state_dict({"state": stacked, "param_groups": self.optimizer.state_dict()["param_groups"]})

    @property
    def state(self) -> State:
        return self.params | self.buffers

    def __call__(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return grouped_forward(self.module, self.state, x)

    def apply(self, grads: Sequence[torch.Tensor | None]) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        for param, grad in zip(self.params.values(), grads, strict=True):
            param.grad = grad
        self.optimizer.step()

    def write_back(self, k: int, network: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        """Copy slice k of the weights, buffers and optimizer state into one cell's own network and optimizer."""
        with torch.no_grad():
            for key, tensor in [*network.named_parameters(), *network.named_buffers()]:
                tensor.copy_(self.state[key][k])
        state = {
            index: {name: value.clone() if value.dim() == 0 else value[k].clone() for name, value in entries.items()}
            for index, entries in self.optimizer.state_dict()["state"].items()
        }
        optimizer.load_state_dict({"state": state, "param_groups": optimizer.state_dict()["param_groups"]})


class GroupedCells:
    """The generator and discriminator of K cells (same family, config and shape) trained as one computation."""

    def __init__(self, cells: Sequence[GanModules], objective: Objective) -> None:
        why = ungroupable(cells[0])
        if why is not None:
            raise GanbenchError(f"these cells cannot train grouped: {why}")
        self.objective, self.pack, self.size = objective, cells[0].pack, len(cells)
        self.generator = _Network([c.generator for c in cells], [c.g_opt for c in cells])
        self.discriminator = _Network([c.discriminator for c in cells], [c.d_opt for c in cells])

    def simultaneous_step(self, real: torch.Tensor, z: torch.Tensor) -> dict[str, torch.Tensor]:
        """One simultaneous update of every cell (ganbench.models.simultaneous.simultaneous_step): real samples
        [K, N, ...] and noise [K, N, z_dim], cell k's in slice k; returns detached losses, each of shape [K]."""
        fake = generate_packed(partial(self.generator), z, None, self.pack, dim=1)
        real_logits, fake_logits = self.discriminator(real), self.discriminator(fake)
        d_loss = torch.stack([self.objective.d_loss(r, f) for r, f in zip(real_logits, fake_logits, strict=True)])
        g_loss = torch.stack([self.objective.g_loss(f) for f in fake_logits])
        # The sum's gradient with respect to each cell's loss is exactly 1: each cell gets its own loss's gradient.
        d_params, g_params = list(self.discriminator.params.values()), list(self.generator.params.values())
        d_grads = torch.autograd.grad(d_loss.sum(), d_params, retain_graph=True, allow_unused=True)
        g_grads = torch.autograd.grad(g_loss.sum(), g_params, allow_unused=True)
        self.discriminator.apply(d_grads)
        self.generator.apply(g_grads)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    def write_back(self, k: int, cell: GanModules) -> None:
        """Put cell k's weights, buffers and optimizer states into `cell`'s own networks and optimizers."""
        self.generator.write_back(k, cell.generator, cell.g_opt)
        self.discriminator.write_back(k, cell.discriminator, cell.d_opt)
