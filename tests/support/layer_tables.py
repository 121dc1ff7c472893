"""Per-layer tables of a network (name, layer type, output shape, parameters), compared with the authors' in
tests/test_reference32.py and tests/test_reference48_64.py."""

from __future__ import annotations

import torch
from torch import nn

LEAVES = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding, nn.BatchNorm2d, nn.Upsample, nn.AvgPool2d)


def layer_table(model: nn.Module, *inputs: torch.Tensor, blocks: set[str]) -> list[tuple]:
    """(name, layer type, output shape, own parameters) of every hooked layer, in call order."""
    rows, hooks = [], []
    for name, module in model.named_modules():
        is_block = name in blocks
        if name and (isinstance(module, LEAVES) or is_block):

            def hook(m, _inputs, out, name=name, is_block=is_block):
                kind = type(m).__name__.removeprefix("Parametrized")
                own = sum(p.numel() for p in m.parameters(recurse=True))
                rows.append((name, None if is_block else kind, tuple(out.shape), own))

            hooks.append(module.register_forward_hook(hook))
    model.eval()
    with torch.no_grad():
        model(*inputs)
    for handle in hooks:
        handle.remove()
    return rows


def block_names(table: list[tuple]) -> set[str]:
    """The rows of an authors' table that are residual blocks (their type is no leaf layer)."""
    return {row[0] for row in table if row[1] not in {c.__name__ for c in LEAVES}}


def expected(table: list[tuple], blocks: set[str]) -> list[tuple]:
    """The authors' table with the block rows' types blanked (ganbench's block classes have other names)."""
    return [(name, None if name in blocks else kind, shape, params) for name, kind, shape, params in table]


def params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
