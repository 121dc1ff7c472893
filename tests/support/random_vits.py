"""Seeded random weights in the official file formats of DINOv2 (Meta's state dict, 518 px position table) and
OpenAI CLIP (a TorchScript archive with float16 tensors), for offline tests of the extractors.

Every parameter gets a non-trivial value (layer scales ~ U(0.2, 1.2), norms ~ 1 +- 0.2, weights ~ N(0, 1/fan_in))
so that every block contributes and a wrong mapping cannot hide behind near-identity layers.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import torch

from ganbench.atomic import atomic_path
from ganbench.features.dinov2 import VARIANTS as DINO_VARIANTS


def random_value(name: str, shape: torch.Size, generator: torch.Generator) -> torch.Tensor:
    if name.endswith("gamma") or "lambda1" in name:
        return torch.rand(shape, generator=generator) + 0.2
    if ("norm" in name or ".ln" in name or name.startswith("ln")) and name.endswith("weight"):
        return 1 + 0.2 * torch.randn(shape, generator=generator)
    if name.endswith("bias"):
        return 0.05 * torch.randn(shape, generator=generator)
    if name.split(".")[-1] in ("pos_embed", "cls_token", "class_embedding", "positional_embedding"):
        return 0.5 * torch.randn(shape, generator=generator)
    if name.endswith("proj") and len(shape) == 2:  # CLIP's x @ proj
        return torch.randn(shape, generator=generator) / math.sqrt(shape[0])
    fan_in = math.prod(shape[1:]) if len(shape) > 1 else shape[0]
    return torch.randn(shape, generator=generator) / math.sqrt(fan_in)


def random_state(shapes: dict[str, torch.Size], seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {name: random_value(name, shape, generator) for name, shape in shapes.items()}


def random_dinov2_state(name: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """A state dict shaped like Meta's dinov2_vit?14_pretrain.pth: 1 + 37 x 37 position embeddings, a mask token."""
    import timm

    with torch.device("meta"):
        network = timm.create_model(DINO_VARIANTS[name].timm_name, pretrained=False, num_classes=0, img_size=518)
    shapes = {key: value.shape for key, value in network.state_dict().items()}
    state = random_state(shapes, seed)
    state["mask_token"] = torch.zeros(1, shapes["cls_token"][-1])
    return state


def write_random_dinov2_weights(path: str | Path, name: str, seed: int = 0) -> Path:
    with atomic_path(path) as tmp:
        torch.save(random_dinov2_state(name, seed), tmp)
    return Path(path)


def random_clip_visual_state(open_clip_name: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """float32 random values for open_clip's image tower of `open_clip_name`, named as in OpenAI's files."""
    import open_clip

    from ganbench.features.modern_extractors import uninitialised

    with uninitialised():
        model = open_clip.create_model(open_clip_name, pretrained=None, force_quick_gelu=True, device="meta")
    return random_state({key: value.shape for key, value in model.visual.state_dict().items()}, seed)


def _module_tree(state: dict[str, torch.Tensor]) -> torch.nn.Module:
    """Nested modules holding `state` as parameters under their dotted names (what a TorchScript archive keeps)."""
    root = torch.nn.Module()
    for name, tensor in state.items():
        *path, leaf = name.split(".")
        module = root
        for part in path:
            if not hasattr(module, part):
                module.add_module(part, torch.nn.Module())
            module = getattr(module, part)
        module.register_parameter(leaf, torch.nn.Parameter(tensor.clone(), requires_grad=False))
    return root


def write_random_clip_torchscript(path: str | Path, open_clip_name: str, seed: int = 0) -> Path:
    """A TorchScript archive laid out like OpenAI's ViT-*.pt: `visual.*` float16 parameters plus text-side
    tensors the extractor must ignore."""
    visual = random_clip_visual_state(open_clip_name, seed)
    state = {f"visual.{key}": value.half() for key, value in visual.items()}
    state["logit_scale"] = torch.tensor(4.6052).half()
    state["token_embedding.weight"] = torch.randn(10, 8, generator=torch.Generator().manual_seed(seed)).half()
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated; OpenAI's files are TorchScript
        torch.jit.save(torch.jit.script(_module_tree(state)), str(tmp))
    return Path(path)
