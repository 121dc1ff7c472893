"""The DINOv2 and CLIP extractors against independent implementations (transformers' Dinov2Model and
CLIPVisionModelWithProjection) fed the references' own preprocessing (torchvision Resize on PIL images, as
dgm-eval; CMMD's io_util crop and resize), with the same seeded random weights in the official file formats."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from ganbench.features.base import build_extractor
from ganbench.features.clip import CLIP_MEAN, CLIP_STD, VIT_L14_336, ClipVariant, build_clip
from ganbench.features.config import ExtractorConfig
from ganbench.features.dinov2 import IMAGENET_MEAN, IMAGENET_STD, VARIANTS, official_pos_embed
from ganbench.features.pil_resize import pil_resize

pytest.importorskip("timm")
pytest.importorskip("open_clip")
transformers = pytest.importorskip("transformers")

#: a small open_clip architecture for the default suite; the registered ViT-L-14-336 runs in the slow tests
SMALL_CLIP = ClipVariant("ViT-S-32", 224, 384, "https://example.invalid/clip/ViT-S-32.pt", "0" * 64)


def uint8_images(n, channels, height, width, seed):
    """Random images with smooth regions and hard edges (where resize methods differ most)."""
    rng = np.random.default_rng(seed)
    coarse = torch.from_numpy(rng.uniform(0, 255, (n, channels, 4, 4))).float()
    smooth = F.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
    edges = torch.from_numpy(rng.integers(0, 2, (n, 1, height, width)) * 120.0).float()
    return (smooth * 0.6 + edges).clamp(0, 255).round().to(torch.uint8)


def as_pil(image: torch.Tensor) -> Image.Image:
    array = image.permute(1, 2, 0).numpy()
    return Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).convert("RGB")


# ---------------------------------------------------------------- DINOv2 against transformers


def official_interpolate_pos_encoding_2023(pos_embed, w, h, patch_size=14):
    """facebookresearch/dinov2 DinoVisionTransformer.interpolate_pos_encoding as first released (2023)."""
    npatch = (w // patch_size) * (h // patch_size)
    N = pos_embed.shape[1] - 1
    class_pos_embed, patch_pos_embed = pos_embed[:, 0], pos_embed[:, 1:]
    dim = pos_embed.shape[-1]
    w0, h0 = w // patch_size + 0.1, h // patch_size + 0.1
    patch_pos_embed = F.interpolate(
        patch_pos_embed.reshape(1, int(math.sqrt(N)), int(math.sqrt(N)), dim).permute(0, 3, 1, 2),
        scale_factor=(w0 / math.sqrt(N), h0 / math.sqrt(N)),
        mode="bicubic",
    )
    assert int(w0) == patch_pos_embed.shape[-2] and int(h0) == patch_pos_embed.shape[-1]
    assert npatch == patch_pos_embed.shape[-2] * patch_pos_embed.shape[-1]
    patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)
    return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1)


def test_position_table_is_resampled_as_the_official_hub_model_does(dinov2_weights):
    state = torch.load(dinov2_weights("dinov2-vit-s14"), weights_only=True)
    ours = official_pos_embed(state["pos_embed"])
    assert ours.shape == (1, 257, 384)
    assert torch.equal(ours, official_interpolate_pos_encoding_2023(state["pos_embed"], 224, 224))
    # what transformers 5 and timm do instead (size=16, with or without antialiasing) is another table
    patches = state["pos_embed"][:, 1:].reshape(1, 37, 37, 384).permute(0, 3, 1, 2)
    for antialias in (False, True):
        other = F.interpolate(patches, size=(16, 16), mode="bicubic", antialias=antialias)
        assert (other.permute(0, 2, 3, 1).reshape(1, 256, 384) - ours[:, 1:]).abs().max() > 1e-2


def official_to_transformers(state):
    """Meta's DINOv2 keys -> transformers Dinov2Model (5.x names; 4.x names when the installed version has them)."""
    out = {
        "embeddings.cls_token": state["cls_token"],
        "embeddings.mask_token": state["mask_token"],
        "embeddings.position_embeddings": state["pos_embed"],
        "embeddings.patch_embeddings.projection.weight": state["patch_embed.proj.weight"],
        "embeddings.patch_embeddings.projection.bias": state["patch_embed.proj.bias"],
        "layernorm.weight": state["norm.weight"],
        "layernorm.bias": state["norm.bias"],
    }
    depth = 1 + max(int(key.split(".")[1]) for key in state if key.startswith("blocks."))
    for i in range(depth):
        s, d = f"blocks.{i}.", f"encoder.layer.{i}."
        for part, (weight, bias) in zip(("q", "k", "v"), zip(state[s + "attn.qkv.weight"].chunk(3), state[s + "attn.qkv.bias"].chunk(3), strict=True), strict=True):
            out[d + f"attention.{part}_proj.weight"], out[d + f"attention.{part}_proj.bias"] = weight, bias
        for ours, theirs in [("attn.proj", "attention.o_proj"), ("norm1", "norm1"), ("norm2", "norm2"), ("mlp.fc1", "mlp.fc1"), ("mlp.fc2", "mlp.fc2")]:
            out[d + theirs + ".weight"], out[d + theirs + ".bias"] = state[s + ours + ".weight"], state[s + ours + ".bias"]
        out[d + "layer_scale1.lambda1"], out[d + "layer_scale2.lambda1"] = state[s + "ls1.gamma"], state[s + "ls2.gamma"]
    return out


TRANSFORMERS_4_NAMES = {
    "attention.q_proj": "attention.attention.query",
    "attention.k_proj": "attention.attention.key",
    "attention.v_proj": "attention.attention.value",
    "attention.o_proj": "attention.output.dense",
}


def transformers_dinov2(state, name):
    dim, depth = VARIANTS[name].dim, 1 + max(int(k.split(".")[1]) for k in state if k.startswith("blocks."))
    config = transformers.Dinov2Config(
        hidden_size=dim, num_hidden_layers=depth, num_attention_heads=dim // 64, image_size=224, patch_size=14,
        layer_norm_eps=1e-6, hidden_act="gelu", mlp_ratio=4, qkv_bias=True,
    )  # fmt: skip
    model = transformers.Dinov2Model(config).eval()
    mapped = official_to_transformers({**state, "pos_embed": official_interpolate_pos_encoding_2023(state["pos_embed"], 224, 224)})
    if "encoder.layer.0.attention.q_proj.weight" not in model.state_dict():
        for new, old in TRANSFORMERS_4_NAMES.items():
            mapped = {key.replace(new, old): value for key, value in mapped.items()}
    model.load_state_dict(mapped, strict=True)
    return model


def dgm_eval_transform(image: Image.Image) -> torch.Tensor:
    """dgm-eval DINOv2Encoder.transform with clean_resize=False: torchvision on the PIL image."""
    import torchvision.transforms as TF

    pipeline = TF.Compose([TF.Resize((224, 224), TF.InterpolationMode.BICUBIC), TF.ToTensor()])
    return TF.Normalize(IMAGENET_MEAN, IMAGENET_STD)(pipeline(image))


def check_dinov2_against_transformers(name, weights):
    images = torch.cat([uint8_images(1, 3, 48, 40, 1), uint8_images(1, 1, 48, 40, 2).expand(-1, 3, -1, -1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extractor = build_extractor(name, ExtractorConfig(weights_path=weights, allow_custom_weights=True))
    ours = extractor.extract(images)["pool"]
    reference = transformers_dinov2(torch.load(weights, weights_only=True), name)
    batch = torch.stack([dgm_eval_transform(as_pil(image)) for image in images])
    with torch.no_grad():
        theirs = reference(pixel_values=batch).pooler_output
    assert ours.shape == (2, VARIANTS[name].dim)
    assert ours.abs().max() > 1  # the features are not degenerate
    assert (ours - theirs).abs().max() < 1e-5
    # a gray image gives the features of its RGB repeat
    gray = extractor.extract(images[1:, :1])["pool"]
    assert torch.equal(gray, extractor.extract(images[1:])["pool"])


def test_dinov2_small_equals_transformers_with_the_official_position_table(dinov2_weights, one_thread):
    check_dinov2_against_transformers("dinov2-vit-s14", dinov2_weights("dinov2-vit-s14"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dinov2-vit-b14", "dinov2-vit-l14"])
def test_dinov2_base_and_large_equal_transformers(name, dinov2_weights):
    check_dinov2_against_transformers(name, dinov2_weights(name))


# ---------------------------------------------------------------- CLIP against transformers


def openclip_to_transformers(state, layers):
    """OpenAI / open_clip image-tower keys -> transformers CLIPVisionModelWithProjection."""
    p = "vision_model."
    out = {
        p + "embeddings.class_embedding": state["class_embedding"],
        p + "embeddings.patch_embedding.weight": state["conv1.weight"],
        p + "embeddings.position_embedding.weight": state["positional_embedding"],
        p + "pre_layrnorm.weight": state["ln_pre.weight"],
        p + "pre_layrnorm.bias": state["ln_pre.bias"],
        p + "post_layernorm.weight": state["ln_post.weight"],
        p + "post_layernorm.bias": state["ln_post.bias"],
        "visual_projection.weight": state["proj"].t().contiguous(),
    }
    for i in range(layers):
        s, d = f"transformer.resblocks.{i}.", f"{p}encoder.layers.{i}."
        weights, biases = state[s + "attn.in_proj_weight"].chunk(3), state[s + "attn.in_proj_bias"].chunk(3)
        for part, weight, bias in zip("qkv", weights, biases, strict=True):
            out[d + f"self_attn.{part}_proj.weight"], out[d + f"self_attn.{part}_proj.bias"] = weight, bias
        for ours, theirs in [("attn.out_proj", "self_attn.out_proj"), ("ln_1", "layer_norm1"), ("ln_2", "layer_norm2"), ("mlp.c_fc", "mlp.fc1"), ("mlp.c_proj", "mlp.fc2")]:
            out[d + theirs + ".weight"], out[d + theirs + ".bias"] = state[s + ours + ".weight"], state[s + ours + ".bias"]
    return out


def cmmd_io_util(image: Image.Image, size: int) -> torch.Tensor:
    """google-research/cmmd io_util: centre square crop, PIL bicubic resize, /255, then CLIP normalisation."""
    w, h = image.size
    side = min(w, h)
    top, left = (h - side) // 2, (w - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((size, size), resample=Image.BICUBIC)
    array = np.asarray(image).astype(np.float32) / 255.0
    array = (array - np.array(CLIP_MEAN, np.float32)) / np.array(CLIP_STD, np.float32)
    return torch.from_numpy(array).permute(2, 0, 1)


def check_clip_against_transformers(name, variant, weights):
    import open_clip

    from ganbench.features.torchscript_tensors import read_torchscript_tensors

    images = uint8_images(2, 3, 40, 56, 3)  # not square: the centre crop matters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extractor = build_clip(name, variant, ExtractorConfig(weights_path=weights, allow_custom_weights=True))
    ours = extractor.extract(images)["pool"]
    assert any(type(m).__name__ == "QuickGELU" for m in extractor.network.modules())  # OpenAI's activation
    vision = open_clip.get_model_config(variant.open_clip_name)["vision_cfg"]
    state = {k[len("visual.") :]: v.float() for k, v in read_torchscript_tensors(weights).items() if k.startswith("visual.")}
    width, layers = vision["width"], vision["layers"]
    hf_config = transformers.CLIPVisionConfig(
        hidden_size=width, intermediate_size=4 * width, num_hidden_layers=layers, num_attention_heads=width // 64,
        image_size=variant.image_size, patch_size=vision["patch_size"], projection_dim=variant.dim,
        hidden_act="quick_gelu", layer_norm_eps=1e-5,
    )  # fmt: skip
    reference = transformers.CLIPVisionModelWithProjection(hf_config).eval()
    reference.load_state_dict(openclip_to_transformers(state, layers), strict=True)
    batch = torch.stack([cmmd_io_util(as_pil(image), variant.image_size) for image in images])
    with torch.no_grad():
        theirs = reference(pixel_values=batch).image_embeds
    theirs = theirs / theirs.norm(dim=-1, keepdim=True)
    assert ours.shape == (2, variant.dim)
    assert torch.allclose(ours.norm(dim=1), torch.ones(2))
    assert (ours - theirs).abs().max() < 1e-5
    assert (ours[0] - ours[1]).abs().max() > 1e-2  # different images, different embeddings


def test_clip_equals_transformers_on_cmmd_preprocessing(clip_weights, one_thread):
    check_clip_against_transformers("clip-test", SMALL_CLIP, clip_weights(SMALL_CLIP.open_clip_name))


@pytest.mark.slow
def test_clip_vit_l14_336_equals_transformers(clip_weights):
    check_clip_against_transformers("clip-vit-l14-336", VIT_L14_336, clip_weights("ViT-L-14-336"))


# ---------------------------------------------------------------- resizing with PIL


@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 28, 28), (3, 512, 384), (3, 224, 224)])
def test_pil_resize_equals_pil_and_torchvision_on_pil_images(shape):
    import torchvision.transforms as TF

    images = uint8_images(3, *shape, seed=sum(shape))
    ours = pil_resize(images, 224)
    for image, resized in zip(images, ours, strict=True):
        by_pil = np.asarray(as_pil(image).resize((224, 224), Image.BICUBIC))
        by_torchvision = np.asarray(TF.Resize((224, 224), TF.InterpolationMode.BICUBIC)(as_pil(image)))
        assert np.array_equal(resized.permute(1, 2, 0).numpy(), by_pil)
        assert np.array_equal(by_pil, by_torchvision)


def test_pil_resize_centre_crops_like_cmmd():
    images = uint8_images(2, 3, 40, 70, seed=5)
    ours = pil_resize(images, 336, crop_centre=True)
    for image, resized in zip(images, ours, strict=True):
        reference = cmmd_io_util(as_pil(image), 336).permute(1, 2, 0).numpy()
        reference = (reference * np.array(CLIP_STD, np.float32) + np.array(CLIP_MEAN, np.float32)) * 255
        assert np.abs(resized.permute(1, 2, 0).numpy() - reference).max() < 1e-3


def test_torch_antialiased_bicubic_is_not_pil():
    """Why PIL itself is used: torch's float antialiased bicubic misses PIL's uint8 rounding between passes."""
    images = uint8_images(2, 3, 512, 512, seed=6)
    torch_resized = F.interpolate(images.float(), size=(224, 224), mode="bicubic", antialias=True)
    difference = (torch_resized.round().clamp(0, 255) - pil_resize(images, 224).float()).abs().max()
    assert difference > 1
