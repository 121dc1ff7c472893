"""`clip-vit-l14-336`: OpenAI CLIP ViT-L/14@336px image embeddings as CMMD computes them (Jayasumana et al.,
CVPR 2024; google-research/cmmd).

CMMD's io_util crops each image to its centred square and resizes it with PIL's bicubic filter to 336 x 336
(antialiased, uint8), scales to [0, 1] and normalises with CLIP's mean and std; the embedding is the image
tower's `ln_post(CLS) @ proj` (768-d), divided by its L2 norm. The network here is open_clip's ViT-L-14-336
with QuickGELU (OpenAI's activation; open_clip only switches it on by itself for its own 'openai' download),
holding OpenAI's weights. OpenAI publishes them as a TorchScript file with float16 tensors; they are read
without running the file (ganbench.features.torchscript_tensors) and computed with in float32.
"""

from __future__ import annotations

import warnings
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
from ganbench.features.torchscript_tensors import TorchScriptReadError, read_torchscript_tensors
from ganbench.features.weight_downloads import resolve_weights
from ganbench.hashing import sha256_of

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class ClipVariant:
    """One OpenAI CLIP image tower: open_clip's architecture name, input size, embedding width and the file."""

    open_clip_name: str
    image_size: int
    dim: int
    url: str
    sha256: str

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


#: the path component of OpenAI's URL is the file's sha256 (OpenAI's clip._download and scenic check it)
VIT_L14_336 = ClipVariant(
    "ViT-L-14-336",
    336,
    768,
    "https://openaipublic.azureedge.net/clip/models/"
    "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt",
    "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02",
)


def image_tower(variant: ClipVariant, path: Path, name: str):
    """open_clip's image tower of `variant` (QuickGELU) holding the `visual.*` tensors of the TorchScript file."""
    open_clip = optional_module("open_clip", name)
    with uninitialised():
        tower = open_clip.create_model(
            variant.open_clip_name, pretrained=None, force_quick_gelu=True, device="meta"
        ).visual
    expected = f"OpenAI's {variant.filename}"
    try:
        tensors = read_torchscript_tensors(path)
    except TorchScriptReadError as error:
        raise GanbenchError(f"cannot read {path} as a CLIP TorchScript checkpoint ({error}); pass {expected}") from None
    wanted = set(tower.state_dict())
    # the file also holds the text tower; keep the image tower's parameters
    state = {key[len("visual."):]: value for key, value in tensors.items() if key[len("visual."):] in wanted}
    return load_exactly(tower, state, path, f"CLIP {variant.open_clip_name}'s image tower", expected)


class ClipImageEmbedding(PilResizedNetwork):
    """CLIP image embeddings, L2-normalised: `pool` = ln_post(CLS) @ proj / norm."""

    crop_centre = True
    mean, std = CLIP_MEAN, CLIP_STD
    preprocessing = (
        "gray->rgb; centre crop to the shorter side, PIL bicubic (antialiased, uint8) resize to {size}x{size} "
        "(CMMD io_util); x/255; CLIP mean/std; OpenAI CLIP {arch} image embedding ln_post(CLS) @ proj with "
        "QuickGELU, float16 weights computed in float32, L2-normalised; float32, tf32 off"
    )

    def __init__(self, name: str, variant: ClipVariant, network, weights_sha256: str, device: str, precision: str):
        self.name, self.output_dims, self.size = name, {"pool": variant.dim}, variant.image_size
        self.preprocessing = ClipImageEmbedding.preprocessing.format(size=variant.image_size, arch=variant.open_clip_name)
        super().__init__(network, weights_sha256, device, precision)

    def embed(self, batch: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.network(batch), dim=-1)


def build_clip(name: str, variant: ClipVariant, config: ExtractorConfig) -> ClipImageEmbedding:
    """The extractor `name` of `variant`: OpenAI's file from the cache (downloaded once, sha256-checked) or the
    file ExtractorConfig.weights_path names; another sha256 needs allow_custom_weights and is recorded."""
    path = resolve_weights(
        explicit=config.weights_path,
        env_var=weights_env_var(name),
        url=variant.url,
        sha256=variant.sha256,
        filename=variant.filename,
        cache_override=config.cache_dir,
        what=f"the CLIP {variant.open_clip_name} weights",
        option=f"--extractor {name} --extractor-weights",
    )
    got = sha256_of(path)
    if got != variant.sha256:
        if not config.allow_custom_weights:
            raise GanbenchError(
                f"{path} has sha256 {got}, not that of OpenAI's {variant.filename} ({variant.sha256}); pass the "
                "right file, or --allow-custom-weights to use these on purpose"
            )
        warnings.warn(
            f"CLIP weights {path} are not OpenAI's; scores are comparable only with scores made with the same file",
            stacklevel=2,
        )
    return ClipImageEmbedding(name, variant, image_tower(variant, path, name), got, config.device, config.precision)


@EXTRACTORS.register("clip-vit-l14-336")
def clip_vit_l14_336(config: ExtractorConfig) -> ClipImageEmbedding:
    """OpenAI CLIP ViT-L/14@336 (open_clip's network): L2-normalised image embedding 768, CMMD's preprocessing."""
    return build_clip("clip-vit-l14-336", VIT_L14_336, config)
