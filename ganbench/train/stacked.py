"""Several runs of one family and config as one computation: their weights, buffers and optimizer states stacked
on a new first dimension (torch.func.stack_module_state's layout), and one step of the family's unmodified
`simultaneous_losses` (ganbench.models.base.Family) for all of them with `torch.func.vmap` over `functional_call`.

The step's noise is drawn outside vmap, from each run's own StepNoise in the order the losses draw it (recorded once,
on a copy of the first run's networks), so every run draws what it draws alone. The gradient of the sum of the runs'
losses gives each run exactly its own loss's gradient; the optimizer is the runs' own type with the same settings,
stepping the stacked tensors (Adam's update is elementwise, so each slice gets the update it would get alone).
`write_back` copies the slices into the runs' own networks and optimizers, which checkpoints then save in the
ordinary per-run format. Forward passes give each run the bits of its own call on the CPU; the batched backward of
a linear layer sums in another order (see ganbench.train.group_steps).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, vmap

from ganbench.errors import GanbenchError
from ganbench.models.step import Batch, GanModules, StepNoise

#: Optimizers whose update is elementwise (so a stacked tensor gets each slice's own update) and that keep one step
#: count per parameter, which the runs stacked together share.
ELEMENTWISE_OPTIMIZERS = (torch.optim.Adam,)

Losses = Callable[[GanModules, Batch, StepNoise, Any, bool], tuple[torch.Tensor, torch.Tensor]]


def unstackable(modules: GanModules) -> str | None:
    """Why these networks cannot be stacked (None when they can)."""
    if modules.discriminator is None or modules.extras:
        return "only a generator and a discriminator are batched"
    for optimizer in (modules.g_opt, modules.d_opt):
        if type(optimizer) not in ELEMENTWISE_OPTIMIZERS or len(optimizer.param_groups) != 1:
            return f"its optimizer {type(optimizer).__name__} is not one group of Adam"
    return None


class _Draws:
    """A StepNoise stand-in. Recording (`given` None): answers each draw with zeros on `device` and notes it as
    (method, arguments). Replaying: answers each draw with the next of `given` (one run's slices inside vmap)."""

    def __init__(self, given: Sequence[torch.Tensor] | None = None, device: torch.device | None = None) -> None:
        self.plan: list[tuple[str, tuple[int, ...]]] = []
        self.given, self.device = (list(given) if given is not None else None), device

    def _next(self, method: str, args: tuple[int, ...], shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        if self.given is None:
            self.plan.append((method, args))
            return torch.zeros(shape, dtype=dtype, device=self.device)
        return self.given.pop(0)

    def normal(self, n: int, dim: int) -> torch.Tensor:
        return self._next("normal", (n, dim), (n, dim), torch.get_default_dtype())

    def uniform(self, n: int) -> torch.Tensor:
        return self._next("uniform", (n,), (n,), torch.get_default_dtype())

    def labels(self, n: int, num_classes: int) -> torch.Tensor | None:
        if num_classes < 1:
            return None
        return self._next("labels", (n, num_classes), (n,), torch.long)


class _Pair(nn.Module):
    """The two networks as one module, so one functional_call swaps in both networks' weights; forward gives the
    family's losses on a real batch with the step's noise."""

    def __init__(self, run: GanModules, losses: Losses, config: Any) -> None:
        super().__init__()
        self.generator, self.discriminator = run.generator, run.discriminator
        self.losses, self.config, self.pack = losses, config, run.pack

    def forward(self, x: torch.Tensor, noise: _Draws) -> tuple[torch.Tensor, torch.Tensor]:
        modules = GanModules(self.generator, self.discriminator, None, None, pack=self.pack)  # type: ignore[arg-type]
        return self.losses(modules, Batch(x), noise, self.config, False)


def _stack(tensors: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {key: torch.stack([t[key].detach() for t in tensors]).contiguous() for key in tensors[0]}


class _Network:
    """One network of the stacked runs: the stacked weights and buffers, and the optimizer stepping them."""

    def __init__(self, networks: Sequence[nn.Module], optimizers: Sequence[torch.optim.Optimizer]) -> None:
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
                    if value.dim() == 0:  # the step count: one for all (stacked runs are at the same step)
                        if any(not torch.equal(v, value) for v in values):
                            raise GanbenchError("stacked runs must be at the same step")
                        stacked[index][name] = value.clone()
                    else:
                        stacked[index][name] = torch.stack(values)
            self.optimizer.load_state_dict({"state": stacked, "param_groups": self.optimizer.state_dict()["param_groups"]})

    def apply(self, grads: Sequence[torch.Tensor | None]) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        for param, grad in zip(self.params.values(), grads, strict=True):
            param.grad = grad
        self.optimizer.step()

    def write_back(self, k: int, network: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        """Copy slice k of the weights, buffers and optimizer state into one run's own network and optimizer."""
        stacked = self.params | self.buffers
        with torch.no_grad():
            for key, tensor in [*network.named_parameters(), *network.named_buffers()]:
                tensor.copy_(stacked[key][k])
        state = {
            index: {name: value.clone() if value.dim() == 0 else value[k].clone() for name, value in entries.items()}
            for index, entries in self.optimizer.state_dict()["state"].items()
        }
        optimizer.load_state_dict({"state": state, "param_groups": optimizer.state_dict()["param_groups"]})


class StackedRuns:
    """The generator and discriminator of K runs (same family, config and shape) stepped as one computation with
    the family's simultaneous `losses`."""

    def __init__(self, runs: Sequence[GanModules], losses: Losses, config: Any) -> None:
        why = unstackable(runs[0])
        if why is not None:
            raise GanbenchError(f"these runs cannot be stacked: {why}")
        self.generator = _Network([c.generator for c in runs], [c.g_opt for c in runs])
        self.discriminator = _Network([c.discriminator for c in runs], [c.d_opt for c in runs])
        # a copy of the first run: its weights are never used (functional_call supplies every tensor), but a
        # plain call on it records the losses' draws without touching any run
        self.pair = _Pair(copy.deepcopy(runs[0]), losses, config)
        self.plan: list[tuple[str, tuple[int, ...]]] | None = None
        self.losses = vmap(self._losses, randomness="error")

    def _losses(self, params, buffers, x, *draws):
        return functional_call(self.pair, (params, buffers), (x, _Draws(draws)))

    def _state(self) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        nets = {"generator": self.generator, "discriminator": self.discriminator}
        params = {f"{name}.{key}": value for name, net in nets.items() for key, value in net.params.items()}
        buffers = {f"{name}.{key}": value for name, net in nets.items() for key, value in net.buffers.items()}
        return params, buffers

    def _draw(self, real: torch.Tensor, noises: Sequence[StepNoise]) -> list[torch.Tensor]:
        """Each run's draws of one step from its own noise, stacked: [K, ...] per draw, in the losses' order."""
        if self.plan is None:
            recorder = _Draws(device=real.device)
            with torch.no_grad():
                self.pair(real[0].clone(), recorder)
            self.plan = recorder.plan
        return [torch.stack([getattr(noise, method)(*args) for noise in noises]) for method, args in self.plan]

    def step(self, batches: Sequence[Batch], noises: Sequence[StepNoise]) -> dict[str, torch.Tensor]:
        """One simultaneous update of every run: run k's real batch `batches[k]` and noise `noises[k]`; returns
        detached losses, each of shape [K]."""
        real = torch.stack([batch.x for batch in batches])
        params, buffers = self._state()
        d_loss, g_loss = self.losses(params, buffers, real, *self._draw(real, noises))
        d_params, g_params = list(self.discriminator.params.values()), list(self.generator.params.values())
        d_grads = torch.autograd.grad(d_loss.sum(), d_params, retain_graph=True, allow_unused=True)
        g_grads = torch.autograd.grad(g_loss.sum(), g_params, allow_unused=True)
        self.discriminator.apply(d_grads)
        self.generator.apply(g_grads)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    def write_back(self, k: int, run: GanModules) -> None:
        """Put run k's weights, buffers and optimizer states into `run`'s own networks and optimizers."""
        self.generator.write_back(k, run.generator, run.g_opt)
        self.discriminator.write_back(k, run.discriminator, run.d_opt)
