"""`dinov2-vit-s14`, `dinov2-vit-b14`, `dinov2-vit-l14`: DINOv2 CLS features as dgm-eval computes them for
FD_DINOv2 (Stein et al., NeurIPS 2023; ViT-L/14 is dgm-eval's default).

dgm-eval loads Meta's hub model (`torch.hub.load('facebookresearch/dinov2', 'dinov2_vitl14')`), resizes each
PIL image with torchvision's `Resize((224, 224), BICUBIC)` (PIL's antialiased bicubic, squashed to 224 x 224,
no crop), scales to [0, 1], normalises with the ImageNet mean and std, and keeps `model(x)`: the CLS token after
the final LayerNorm (eps 1e-6), not L2-normalised. The network here is timm's implementation of the same ViT
(no hub code is fetched), built for 224 x 224 inputs. The official checkpoint holds position embeddings for
37 x 37 patches (518 px); the hub model resamples them to 16 x 16 on every call with
`F.interpolate(scale_factor=(16 + 0.1) / 37, mode='bicubic', antialias=False)`. timm's and transformers' own
resampling (size=16, with or without antialiasing) give other numbers, so the official arithmetic is applied
once, here, and the result loaded into timm's 16 x 16 table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS
from ganbench.features.config import ExtractorConfig
from ganbench.features.modern_extractors import (
    PilResizedNetwork,
    load_exactly,
    optional_module,
    uninitialised,
    weights_env_var,
)
from ganbench.features.weight_downloads import resolve_unpinned_weights
from ganbench.hashing import sha256_of

IMAGE_SIZE = 224
PATCH = 14
#: the hub model's `interpolate_offset` and `interpolate_antialias` (dinov2/hub/backbones.py)
INTERPOLATE_OFFSET = 0.1
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
WEIGHTS_URL = "https://dl.fbaipublicfiles.com/dinov2/dinov2_{code}/dinov2_{code}_pretrain.pth"


@dataclass(frozen=True)
class DinoVariant:
    """One DINOv2 backbone: the timm architecture, Meta's file code and the feature width."""

    timm_name: str
    code: str
    dim: int

    @property
    def filename(self) -> str:
        return f"dinov2_{self.code}_pretrain.pth"

    @property
    def url(self) -> str:
        return WEIGHTS_URL.format(code=self.code)


VARIANTS = {
    "dinov2-vit-s14": DinoVariant("vit_small_patch14_dinov2", "vits14", 384),
    "dinov2-vit-b14": DinoVariant("vit_base_patch14_dinov2", "vitb14", 768),
    "dinov2-vit-l14": DinoVariant("vit_large_patch14_dinov2", "vitl14", 1024),
}


def official_pos_embed(pos_embed: torch.Tensor, image_size: int = IMAGE_SIZE) -> torch.Tensor:
    """The hub model's DinoVisionTransformer.interpolate_pos_encoding for square `image_size` inputs:
    (1, 1 + M*M, D) -> (1, 1 + g*g, D) with g = image_size // 14, computed in float32 exactly as there."""
    grid = image_size // PATCH
    patches = pos_embed.shape[1] - 1
    side = int(math.isqrt(patches))
    if side * side != patches:
        raise ValueError(f"position embeddings of {patches} patches do not form a square grid")
    if side == grid:
        return pos_embed
    table = pos_embed.float()
    dim = table.shape[-1]
    scale = (grid + INTERPOLATE_OFFSET) / side  # scale_factor, not size: PyTorch then maps coordinates by side/scale
    resampled = F.interpolate(
        table[:, 1:].reshape(1, side, side, dim).permute(0, 3, 1, 2),
        scale_factor=(scale, scale),
        mode="bicubic",
        antialias=False,
    )
    if tuple(resampled.shape[-2:]) != (grid, grid):
        raise ValueError(f"resampling {side} x {side} position embeddings gave {tuple(resampled.shape[-2:])}")
    return torch.cat([table[:, :1], resampled.permute(0, 2, 3, 1).reshape(1, grid * grid, dim)], dim=1)


def official_to_timm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Meta's checkpoint keys are timm's; the mask token (training only) goes, the position table is resampled."""
    state = {name: tensor for name, tensor in state.items() if name != "mask_token"}
    if "pos_embed" in state:
        state["pos_embed"] = official_pos_embed(state["pos_embed"])
    return state


def build_network(variant: DinoVariant, state: dict[str, torch.Tensor], path: Path, name: str):
    """timm's ViT for 224 x 224 inputs holding Meta's `state` (read from `path`, named in errors)."""
    timm = optional_module("timm", name)
    with uninitialised():
        network = timm.create_model(variant.timm_name, pretrained=False, num_classes=0, img_size=IMAGE_SIZE)
    return load_exactly(network, official_to_timm(state), path, f"DINOv2 {name}", f"Meta's {variant.filename}")


def load_checkpoint(path: Path, expected: str) -> dict[str, torch.Tensor]:
    """A tensor-only state dict from a torch checkpoint, never unpickling arbitrary objects."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise GanbenchError(f"cannot load {path} as a torch state dict ({type(error).__name__}); pass {expected}") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GanbenchError(f"{path} does not hold a state dict of tensors; pass {expected}")
    return state


class DinoV2(PilResizedNetwork):
    """DINOv2 ViT: `pool` = the CLS token after the final LayerNorm."""

    size = IMAGE_SIZE
    crop_centre = False
    mean, std = IMAGENET_MEAN, IMAGENET_STD
    preprocessing = (
        "gray->rgb; PIL bicubic (antialiased, uint8) resize to 224x224, no crop (dgm-eval: torchvision "
        "Resize((224, 224)) on PIL images); x/255; ImageNet mean/std; CLS token after the final LayerNorm, not "
        "normalised; position embeddings 37x37->16x16 by the hub model's bicubic interpolation (scale (16+0.1)/37, "
        "no antialias); float32, tf32 off"
    )

    def __init__(self, name: str, variant: DinoVariant, network, weights_sha256: str, device: str, precision: str):
        self.name, self.output_dims = name, {"pool": variant.dim}
        super().__init__(network, weights_sha256, device, precision)

    def embed(self, batch: torch.Tensor) -> torch.Tensor:
        return self.network.forward_features(batch)[:, 0]


def dinov2_factory(name: str, variant: DinoVariant):
    def build(config: ExtractorConfig) -> DinoV2:
        path = resolve_unpinned_weights(
            explicit=config.weights_path,
            env_var=weights_env_var(name),
            url=variant.url,
            filename=variant.filename,
            cache_override=config.cache_dir,
            what=f"the DINOv2 {name} weights",
            option=f"--extractor {name} --extractor-weights",
            allow_custom=config.allow_custom_weights,
        )
        network = build_network(variant, load_checkpoint(path, f"Meta's {variant.filename}"), path, name)
        return DinoV2(name, variant, network, sha256_of(path), config.device, config.precision)

    build.__doc__ = f"DINOv2 {variant.code} (Meta's weights, timm's network): CLS feature {variant.dim}, dgm-eval's preprocessing."
    return build


for _name, _variant in VARIANTS.items():
    EXTRACTORS.add(_name, dinov2_factory(_name, _variant))
