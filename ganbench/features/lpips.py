"""LPIPS (Zhang et al. 2018) on VGG16, as torch-fidelity's `lpips-vgg16` sample similarity computes it for PPL.

The network is torch-fidelity's `SampleSimilarityLPIPS` layer for layer: uint8 RGB inputs shifted and scaled as
the LPIPS repository does, resized (area when shrinking, bilinear otherwise) to `resize`, torchvision's VGG16
features cut after relu1_2, 2_2, 3_3, 4_3 and 5_3, each unit-normalised over channels, squared differences weighed
by the LPIPS 1x1 convolutions, averaged over space and summed over layers.

Two weight files, both in the format their publishers ship, read with `torch.load(weights_only=True)`:
torchvision's `vgg16-397923af.pth` (ImageNet VGG16) and torch-fidelity's `weights-vgg16-lpips.pth` (the LPIPS
v0.1 `vgg.pth` linear layers, keys `lin{k}.model.1.weight`). Both are downloaded once into the cache and checked
against their sha256; offline, pass copies with $GANBENCH_VGG16_WEIGHTS and $GANBENCH_LPIPS_WEIGHTS.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.features.config import ExtractorConfig
from ganbench.features.weight_downloads import download_verified
from ganbench.hashing import sha256_of
from ganbench.paths import cache_dir

VGG16_URL = "https://download.pytorch.org/models/vgg16-397923af.pth"
#: torchvision's published file; its name carries the first 8 hex digits of this sha256
VGG16_SHA256 = "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0"
LPIPS_URL = "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/weights-vgg16-lpips.pth"
#: not published by torch-fidelity: the sha256 several independent download manifests give for this file and for
#: the LPIPS repository's `lpips/weights/v0.1/vgg.pth` (the same bytes); not measured here (offline)
LPIPS_SHA256 = "a78928a0af1e5f0fcb1f3b9e8f8c3a2a5a3de244d830ad5c1feddc79b8432868"
#: VGG16 `features` indices that end each LPIPS slice (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3)
SLICE_ENDS = (4, 9, 16, 23, 30)
CHANNELS = (64, 128, 256, 512, 512)
#: the LPIPS repository's input shift and scale, on 0..255 values (torch-fidelity's `normalize`)
SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)


@dataclass(frozen=True)
class LpipsFiles:
    """The two weight files an LPIPS network was built from, with their sha256 (for the protocol record)."""

    vgg16: Path
    lpips: Path
    vgg16_sha256: str
    lpips_sha256: str

    def record(self) -> dict:
        return {"lpips_vgg16_sha256": self.vgg16_sha256, "lpips_linear_sha256": self.lpips_sha256}


def vgg16_features() -> nn.Sequential:
    """torchvision's VGG16 `features` (configuration D, no batch norm), without building its 120M-weight classifier."""
    from torchvision.models.vgg import cfgs, make_layers

    return make_layers(cfgs["D"], batch_norm=False)


class Lpips(nn.Module):
    """LPIPS distance between two batches of uint8 RGB images (N, 3, H, W): float32 (N,)."""

    def __init__(self, vgg16_state: dict, lpips_state: dict, resize: int | None) -> None:
        super().__init__()
        features = vgg16_features()  # only torchvision's `features.*` are read: the classifier is not used
        features.load_state_dict({k.removeprefix("features."): v for k, v in vgg16_state.items() if k.startswith("features.")})
        starts = (0, *SLICE_ENDS[:-1])
        self.slices = nn.ModuleList(nn.Sequential(*features[a:b]) for a, b in zip(starts, SLICE_ENDS, strict=True))
        self.lins = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in CHANNELS)
        for k, lin in enumerate(self.lins):
            lin.weight.data.copy_(lpips_state[f"lin{k}.model.1.weight"])
        self.resize = resize
        self.register_buffer("shift", (1 + torch.tensor(SHIFT))[None, :, None, None] * 255 / 2)
        self.register_buffer("scale", 2 / (torch.tensor(SCALE)[None, :, None, None] * 255))
        self.eval().requires_grad_(False)

    def _features(self, images: torch.Tensor) -> list[torch.Tensor]:
        x = (images.float() - self.shift) * self.scale
        if self.resize is not None:
            if x.shape[-1] > self.resize and x.shape[-2] > self.resize:
                x = F.interpolate(x, (self.resize, self.resize), mode="area")
            else:
                x = F.interpolate(x, (self.resize, self.resize), mode="bilinear", align_corners=False)
        out = []
        for piece in self.slices:
            x = piece(x)
            out.append(x / (torch.sqrt(torch.sum(x**2, dim=1, keepdim=True)) + 1e-10))
        return out

    @torch.no_grad()
    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        if first.dtype != torch.uint8 or first.ndim != 4 or first.shape[1] != 3 or first.shape != second.shape:
            raise ValueError(f"LPIPS takes two uint8 N x 3 x H x W batches, got {tuple(first.shape)} {first.dtype}")
        pairs = zip(self._features(first), self._features(second), strict=True)
        return sum(lin((a - b) ** 2).mean([2, 3]).squeeze(1) for lin, (a, b) in zip(self.lins, pairs, strict=True))


WEIGHT_FILES = (  # what, environment variable, url, sha256, file name
    ("VGG16 weights for LPIPS", "GANBENCH_VGG16_WEIGHTS", VGG16_URL, VGG16_SHA256, "vgg16-397923af.pth"),
    ("LPIPS linear weights", "GANBENCH_LPIPS_WEIGHTS", LPIPS_URL, LPIPS_SHA256, "weights-vgg16-lpips.pth"),
)


def weights_file(config: ExtractorConfig, what: str, env: str, url: str, sha256: str, filename: str) -> Path:
    """$env, else the cached file, else a verified download into the cache (unless downloading is off); a missing
    file is one sentence saying where to get it and where to put it."""
    chosen = os.environ.get(env)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise GanbenchError(f"{what} file {path} (${env}) does not exist; check the path")
        return path
    cached = cache_dir(config.cache_dir) / "weights" / filename
    if cached.is_file():
        return cached
    hint = f"download {url} by hand and set ${env} to its path, or save it as {cached}"
    if not config.download:
        raise GanbenchError(f"PPL needs the {what}, which are not in the cache and downloading is off; {hint}")
    return download_verified(url, cached, sha256, what, hint)


def lpips_files(config: ExtractorConfig) -> LpipsFiles:
    """The VGG16 and LPIPS weight files: $GANBENCH_VGG16_WEIGHTS / $GANBENCH_LPIPS_WEIGHTS, else the cache
    (downloaded into it once, unless --no-download). A file whose sha256 is not the published one needs
    `allow_custom_weights` (then a warning, and its sha256 goes into the protocol either way)."""
    found = []
    for what, env, url, sha256, filename in WEIGHT_FILES:
        path = weights_file(config, what, env, url, sha256, filename)
        got = sha256_of(path)
        if got != sha256:
            if not config.allow_custom_weights:
                raise GanbenchError(
                    f"{path} has sha256 {got}, not that of the published {filename} ({sha256}); pass the published "
                    "file, or allow custom weights (--allow-custom-weights) to use this one on purpose"
                )
            warnings.warn(f"{what} {path} are not the published ones; PPL is comparable only with the same file", stacklevel=2)
        found.append((path, got))
    (vgg_path, vgg_sha), (lpips_path, lpips_sha) = found
    return LpipsFiles(vgg_path, lpips_path, vgg_sha, lpips_sha)


def load_state(path: Path, what: str) -> dict:
    """A tensor state dict from `path` (nothing but tensors is unpickled); a GanbenchError if it is not one."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise GanbenchError(f"cannot read {path} as {what} ({type(error).__name__}); pass the published file") from None
    if not isinstance(state, dict):
        raise GanbenchError(f"{path} holds no state dict; pass the published {what} file")
    return state


def build_lpips(config: ExtractorConfig, resize: int | None) -> tuple[Lpips, LpipsFiles]:
    """The LPIPS VGG16 network on `config.device` and the files it was built from."""
    files = lpips_files(config)
    vgg_state, lpips_state = load_state(files.vgg16, "VGG16"), load_state(files.lpips, "LPIPS")
    try:
        network = Lpips(vgg_state, lpips_state, resize)
    except (RuntimeError, KeyError) as error:
        raise GanbenchError(
            f"{files.vgg16} / {files.lpips} do not hold VGG16 and LPIPS weights ({type(error).__name__}); pass "
            "torchvision's vgg16-397923af.pth and torch-fidelity's weights-vgg16-lpips.pth"
        ) from None
    return network.to(config.device), files
