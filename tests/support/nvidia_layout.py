"""InceptionV3 weights in NVIDIA's detector layout (stylegan2-ada's inception-2015-12-05.pt), written as TorchScript
archives or safetensors, for tests that need that layout without NVIDIA's file.

NVIDIA's batch norm has no gamma, so a torch-fidelity state dict is converted by first folding gamma into the conv
weight and the running mean (gamma * (conv(x) - mean) = (gamma * conv)(x) - gamma * mean), then renaming; the
folded torch-fidelity state dict and its NVIDIA renaming hold the same numbers, so they give identical features.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from ganbench.atomic import atomic_path
from ganbench.features.inception_weight_files import nvidia_layer_map


def gamma_folded(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torch-fidelity's state dict with every batch-norm gamma folded into its conv weight and running mean
    (gamma becomes 1): what NVIDIA's layout can hold, still in torch-fidelity's naming."""
    folded = dict(state)
    for target in nvidia_layer_map().values():
        gamma = state[f"{target}.bn.weight"]
        folded[f"{target}.conv.weight"] = state[f"{target}.conv.weight"] * gamma[:, None, None, None]
        folded[f"{target}.bn.running_mean"] = state[f"{target}.bn.running_mean"] * gamma
        folded[f"{target}.bn.weight"] = torch.ones_like(gamma)
    return folded


def nvidia_tensors(state: dict[str, torch.Tensor], prefix: str = "layers.", classifier: bool = True) -> dict[str, torch.Tensor]:
    """gamma_folded(state) renamed to NVIDIA's layout (`prefix` "net.layers." is fid-helper's export)."""
    folded = gamma_folded(state)
    tensors = {}
    for source, target in nvidia_layer_map(prefix).items():
        tensors[f"{source}.weight"] = folded[f"{target}.conv.weight"]
        tensors[f"{source}.beta"] = folded[f"{target}.bn.bias"].clone()
        tensors[f"{source}.mean"] = folded[f"{target}.bn.running_mean"]
        tensors[f"{source}.var"] = folded[f"{target}.bn.running_var"].clone()
    if classifier:
        root = prefix[: -len("layers.")]
        tensors[f"{root}output.weight"] = folded["fc.weight"].clone()
        tensors[f"{root}output.bias"] = folded["fc.bias"].clone()
    return tensors


class Node(torch.nn.Module):
    """A module that only holds buffers and children."""


class Root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def write_torchscript_archive(tensors: dict[str, torch.Tensor], path: str | Path) -> Path:
    """A TorchScript module archive (torch.jit.save) whose state dict is exactly `tensors`."""
    root = Root()
    for name, tensor in tensors.items():
        *parents, leaf = name.split(".")
        module = root
        for part in parents:
            if not hasattr(module, part):
                module.add_module(part, Node())
            module = getattr(module, part)
        module.register_buffer(leaf, tensor.contiguous())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated; NVIDIA's files are TorchScript
        scripted = torch.jit.script(root)
        with atomic_path(path) as tmp:
            torch.jit.save(scripted, str(tmp))
    return Path(path)


def write_safetensors(tensors: dict[str, torch.Tensor], path: str | Path) -> Path:
    from safetensors.torch import save_file

    with atomic_path(path) as tmp:
        save_file({name: tensor.contiguous() for name, tensor in tensors.items()}, str(tmp))
    return Path(path)
