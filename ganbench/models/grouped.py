"""The forward pass of K networks of one architecture as one computation, each cell's output as if it ran alone.

A group's weights are the cells' state dicts stacked on a new first dimension (key -> tensor [K, ...]), and its
inputs carry the cell on their first dimension ([K, N, ...]). `grouped_forward(network, state, x)` computes for
every k what `network` loaded with the k-th slices computes on x[k]:

- wide linear layers are one batched matmul: on the CPU, torch.bmm / torch.baddbmm give each slice the bits
  mm / addmm give alone (tests/test_grouped.py checks it on the networks it is used for);
- narrow linear layers (fewer than NARROW inputs or outputs: the point inputs and outputs, the logit), where a
  batched matmul or its weight gradient takes another kernel and differs in the last bits, run cell by cell;
- batch norm is one call over K x C channels (per-channel statistics are computed per channel, so each cell's
  equal those of its own call); the running statistics in the stacked buffers are updated in place.

Supported: the module types registered below (PacGAN's 2-D generator and maxout discriminator, packed or not);
`unsupported(network)` names the first module that is not.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.packing import PackedDiscriminator
from ganbench.models.points import BatchNormMlpGenerator, Maxout, MaxoutDiscriminator

#: Linear layers with fewer inputs or outputs than this run cell by cell (a batched matmul, or its weight gradient,
#: would change their last bits).
NARROW = 16

State = dict[str, torch.Tensor]
_Forward = Callable[[nn.Module, State, torch.Tensor, str], torch.Tensor]
_FORWARDS: dict[type, _Forward] = {}


def _grouped(kind: type) -> Callable[[_Forward], _Forward]:
    def register(forward: _Forward) -> _Forward:
        _FORWARDS[kind] = forward
        return forward

    return register


def grouped_forward(network: nn.Module, state: State, x: torch.Tensor, prefix: str = "") -> torch.Tensor:
    """What each cell's `network` computes on its slice of `x` ([K, N, ...] -> [K, N, ...]), with the cells'
    parameters and buffers in `state` under their state-dict names (after `prefix`)."""
    forward = _FORWARDS.get(type(network))
    if forward is None:
        raise GanbenchError(f"grouped cells do not support {type(network).__name__} layers; run without grouping")
    return forward(network, state, x, prefix)


def unsupported(network: nn.Module) -> str | None:
    """The type name of the first module `grouped_forward` cannot run, or None when it runs them all."""
    for module in network.modules():
        if type(module) not in _FORWARDS:
            return type(module).__name__
        if isinstance(module, nn.BatchNorm1d) and not (module.affine and module.track_running_stats and module.momentum):
            return "BatchNorm1d without affine parameters, running statistics or a momentum"
    return None


@_grouped(nn.Sequential)
def _sequential(network: nn.Sequential, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    for name, child in network.named_children():
        x = grouped_forward(child, state, x, f"{prefix}{name}.")
    return x


@_grouped(nn.ReLU)
def _relu(network: nn.ReLU, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    return F.relu(x)


@_grouped(nn.Linear)
def _linear(network: nn.Linear, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    weight, bias = state[prefix + "weight"], state.get(prefix + "bias")
    x = x.contiguous()  # each slice laid out as it is alone (a packed generator's noise slots are strided views)
    if min(network.in_features, network.out_features) < NARROW:
        return torch.stack([F.linear(x[k], weight[k], None if bias is None else bias[k]) for k in range(len(x))])
    if bias is None:
        return torch.bmm(x, weight.transpose(1, 2))
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


@_grouped(nn.BatchNorm1d)
def _batch_norm(network: nn.BatchNorm1d, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    cells, n, channels = x.shape
    running_mean, running_var = state[prefix + "running_mean"], state[prefix + "running_var"]
    if network.training:
        state[prefix + "num_batches_tracked"].add_(1)
    flat = F.batch_norm(
        x.transpose(0, 1).reshape(n, cells * channels),
        running_mean.view(-1),  # views of the stacked buffers: the update lands in them
        running_var.view(-1),
        state[prefix + "weight"].reshape(-1),
        state[prefix + "bias"].reshape(-1),
        network.training,
        network.momentum,
        network.eps,
    )
    return flat.view(n, cells, channels).transpose(0, 1).contiguous()


@_grouped(Maxout)
def _maxout(network: Maxout, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    out = grouped_forward(network.linear, state, x, prefix + "linear.")
    return out.view(len(x), -1, network.units, network.pieces).amax(dim=3)


@_grouped(BatchNormMlpGenerator)
def _batch_norm_generator(network: BatchNormMlpGenerator, state: State, z: torch.Tensor, prefix: str) -> torch.Tensor:
    return grouped_forward(network.out, state, grouped_forward(network.hidden, state, z, prefix + "hidden."), prefix + "out.")


@_grouped(MaxoutDiscriminator)
def _maxout_discriminator(network: MaxoutDiscriminator, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    features = grouped_forward(network.features, state, x.flatten(2), prefix + "features.")
    return grouped_forward(network.out, state, features, prefix + "out.").squeeze(2)


@_grouped(PackedDiscriminator)
def _packed(network: PackedDiscriminator, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    cells, n = x.shape[:2]
    if n % network.pack:
        raise GanbenchError(f"a packed discriminator needs a multiple of {network.pack} samples, got {n}")
    packs = x.reshape(cells, n // network.pack, x.shape[2] * network.pack, *x.shape[3:])
    return grouped_forward(network.inner, state, packs, prefix + "inner.")
