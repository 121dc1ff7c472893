"""The forward pass of K networks of one architecture as one computation, each cell's output as if it ran alone.

A group's weights are the cells' state dicts stacked on a new first dimension (key -> tensor [K, ...]), and its
inputs carry the cell on their first dimension ([K, N, ...]). `grouped_forward(network, state, x)` computes for
every k what `network` loaded with the k-th slices computes on x[k]:

- a linear layer is one batched matmul (torch.bmm / torch.baddbmm) and a batch norm one call over K x C channels
  (running statistics updated in place in the stacked buffers) where that gives each cell the bits of its own
  call, forward and backward; else the layer runs cell by cell. Whether it does depends on the kernels the
  BLAS library picks for the shapes (on this machine's CPU build most wide layers agree; the narrow point
  inputs, point outputs and logits do not), so it is checked once per shape, device and thread count on random
  data (`batched_is_exact`) before the batched form is used.

Supported: the module types registered below (PacGAN's 2-D generator and maxout discriminator, packed or not);
`unsupported(network)` names the first module that is not.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.packing import PackedDiscriminator
from ganbench.models.points import BatchNormMlpGenerator, Maxout, MaxoutDiscriminator

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


def _batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    if bias is None:
        return torch.bmm(x, weight.transpose(1, 2))
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


def _looped_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    return torch.stack([F.linear(x[k], weight[k], None if bias is None else bias[k]) for k in range(len(x))])


def _batched_norm(x, running_mean, running_var, weight, bias, training: bool, momentum: float, eps: float):
    cells, n, channels = x.shape
    flat = F.batch_norm(
        x.transpose(0, 1).reshape(n, cells * channels),
        running_mean.view(-1),  # views of the stacked buffers: the update lands in them
        running_var.view(-1),
        weight.reshape(-1),
        bias.reshape(-1),
        training,
        momentum,
        eps,
    )
    return flat.view(n, cells, channels).transpose(0, 1).contiguous()


def _looped_norm(x, running_mean, running_var, weight, bias, training: bool, momentum: float, eps: float):
    return torch.stack([
        F.batch_norm(x[k], running_mean[k], running_var[k], weight[k], bias[k], training, momentum, eps)
        for k in range(len(x))
    ])


@functools.cache
def batched_is_exact(layer: str, shape: tuple[int, ...], dtype: torch.dtype, device: str, threads: int, *extra) -> bool:
    """Whether the batched form of a "linear" layer (shape (K, N, in, out); extra: has a bias) or a "norm" layer
    (shape (K, N, C); extra: training, momentum, eps) gives every cell, on random data, the bits its own call
    gives: output, running statistics and every gradient. Drawn from a private generator (global RNGs untouched)."""
    generator = torch.Generator(device=device).manual_seed(0)

    def draw(*size: int) -> torch.Tensor:
        return torch.randn(*size, generator=generator, dtype=dtype, device=device)

    if layer == "linear":
        cells, n, inputs, outputs = shape
        leaves = [draw(cells, n, inputs), draw(cells, outputs, inputs)] + ([draw(cells, outputs)] if extra[0] else [])
        forms, buffers, grad = (_batched_linear, _looped_linear), [], draw(cells, n, outputs)

        def call(form, leaves, buffers):
            return form(*leaves, *([] if extra[0] else [None]))
    else:
        cells, n, channels = shape
        leaves = [draw(cells, n, channels), draw(cells, channels), draw(cells, channels)]
        forms, buffers, grad = (_batched_norm, _looped_norm), [draw(cells, channels), draw(cells, channels).exp()], draw(cells, n, channels)

        def call(form, leaves, buffers):
            x, weight, bias = leaves
            return form(x, *buffers, weight, bias, *extra)

    results = []
    with torch.enable_grad():
        for form in forms:
            mine = [leaf.detach().clone().requires_grad_() for leaf in leaves]
            kept = [buffer.clone() for buffer in buffers]
            out = call(form, mine, kept)
            results.append([out, *kept, *torch.autograd.grad(out, mine, grad)])
    return all(torch.equal(a, b) for a, b in zip(*results, strict=True))


def _exact(layer: str, x: torch.Tensor, shape: tuple[int, ...], *extra) -> bool:
    return batched_is_exact(layer, shape, x.dtype, str(x.device), torch.get_num_threads(), *extra)


@_grouped(nn.Linear)
def _linear(network: nn.Linear, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    weight, bias = state[prefix + "weight"], state.get(prefix + "bias")
    x = x.contiguous()  # each slice laid out as it is alone (a packed generator's noise slots are strided views)
    shape = (*x.shape, network.out_features)
    form = _batched_linear if _exact("linear", x, shape, bias is not None) else _looped_linear
    return form(x, weight, bias)


@_grouped(nn.BatchNorm1d)
def _batch_norm(network: nn.BatchNorm1d, state: State, x: torch.Tensor, prefix: str) -> torch.Tensor:
    if network.training:
        state[prefix + "num_batches_tracked"].add_(1)
    settings = (network.training, network.momentum, network.eps)
    form = _batched_norm if _exact("norm", x, tuple(x.shape), *settings) else _looped_norm
    names = ("running_mean", "running_var", "weight", "bias")
    return form(x, *(state[prefix + name] for name in names), *settings)


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
