"""`mnist-classifier`: a small digit CNN trained by ganbench on mnist5k, shipped with the package.

It gives MNIST-like datasets a domain-appropriate embedding (`pool`, 128-d) and
class scores (`logits`, 10) for FID/KID/IS-style metrics and mode counting.

Preprocessing (the extractor owns it): uint8 -> [0, 1]; images that are not
28x28 are resized to 28x28 with antialiased bilinear interpolation; 3-channel
images are averaged to one gray channel for `pool` / `logits` (a stacked-MNIST
image then looks like an overlay of its three digits, which is the honest
summary one 1-channel network can give); finally (x - 0.1307) / 0.3081, the
MNIST mean and std. To label each channel of a stacked-MNIST image on its own,
use `classify_channels`.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS, FeatureExtractor
from ganbench.features.config import ExtractorConfig
from ganbench.hashing import sha256_of

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "weights" / "mnist_classifier.safetensors"
SIDECAR_PATH = WEIGHTS_PATH.with_suffix(".json")
#: sha256 of the shipped weights; `ganbench extractor train --name mnist-classifier` reproduces them
WEIGHTS_SHA256 = "99807c1792bb05b1643bc46722bd348c033f2677ba11fd3bb2cd249aac9c7880"
SIZE = 28
MEAN, STD = 0.1307, 0.3081
CLASSIFY_BATCH = 1_024


class DigitNet(nn.Module):
    """conv(1->32) -> pool -> conv(32->64) -> pool -> fc(3136->128) = `pool` -> fc(128->10) = `logits`."""

    def __init__(self, dropout: float = 0.0) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, 128)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(pool, logits) for normalised float images (N, 1, 28, 28); pool is the post-ReLU 128-d embedding."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        pool = F.relu(self.fc(x.flatten(1)))
        return pool, self.head(self.dropout(pool))


def to_network_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, C, H, W) -> normalised float32 (N, 1, 28, 28): scale, resize if needed, average channels."""
    x = images.float() / 255.0
    if x.shape[-2:] != (SIZE, SIZE):
        x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", antialias=True, align_corners=False)
    if x.shape[1] != 1:
        x = x.mean(dim=1, keepdim=True)
    return (x - MEAN) / STD


def check_images(images: torch.Tensor) -> None:
    """ValueError unless `images` is uint8 N x (1|3) x H x W (a programming error, not a user one)."""
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")


def load_network(path: Path) -> DigitNet:
    """A DigitNet in eval mode holding the weights in the safetensors file `path`."""
    from safetensors.torch import load_file

    try:
        state = load_file(str(path))
    except Exception as error:
        raise GanbenchError(
            f"cannot read {path} as safetensors ({type(error).__name__}); "
            "pass a file written by `ganbench extractor train --name mnist-classifier`"
        ) from None
    network = DigitNet()
    try:
        network.load_state_dict(state)
    except RuntimeError:
        raise GanbenchError(
            f"{path} does not hold mnist-classifier weights; pass a file written by `ganbench extractor train --name mnist-classifier`"
        ) from None
    return network.eval()


class MnistClassifier(FeatureExtractor):
    """The digit CNN: `pool` (128) and `logits` (10) of uint8 digit images."""

    name = "mnist-classifier"
    output_dims = {"pool": 128, "logits": 10}
    classifier = True
    preprocessing = (
        "x/255; antialiased bilinear resize to 28x28 if another size; 3 channels averaged to gray; "
        f"(x-{MEAN})/{STD}; float32"
    )

    def __init__(self, weights_path: Path, device: str) -> None:
        super().__init__(sha256_of(weights_path), device)
        self.network = load_network(weights_path).to(self._device)

    @torch.no_grad()
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        check_images(images)
        pool, logits = self.network(to_network_input(images.to(self._device)))
        found = {"pool": pool, "logits": logits}
        return {name: found[name] for name in outputs}

    @torch.no_grad()
    def classify_channels(self, images: torch.Tensor | np.ndarray) -> np.ndarray:
        """The digit in each channel of each image, int64 (N, C): each channel is classified as its own gray image.

        For stacked MNIST (C = 3) the mode label is `labels @ [100, 10, 1]`.
        """
        images = torch.as_tensor(images)
        check_images(images)
        n, channels, height, width = images.shape
        singles = images.reshape(n * channels, 1, height, width)
        predictions = [
            self.network(to_network_input(singles[start : start + CLASSIFY_BATCH].to(self._device)))[1].argmax(dim=1)
            for start in range(0, len(singles), CLASSIFY_BATCH)
        ]
        if not predictions:
            return np.zeros((0, channels), dtype=np.int64)
        return torch.cat(predictions).cpu().numpy().astype(np.int64).reshape(n, channels)


def classify_channels(images: torch.Tensor | np.ndarray, extractor: MnistClassifier | None = None) -> np.ndarray:
    """Per-channel digit labels, int64 (N, C), from `extractor` (default: the shipped weights on the CPU)."""
    return (extractor or _shipped_classifier()).classify_channels(images)


@functools.lru_cache(maxsize=1)
def _shipped_classifier() -> MnistClassifier:
    return build_mnist_classifier(ExtractorConfig())


@EXTRACTORS.register("mnist-classifier")
def build_mnist_classifier(config: ExtractorConfig) -> MnistClassifier:
    """The digit CNN with the shipped weights, or with ExtractorConfig.weights_path if given.

    Weights whose sha256 is not the shipped one need ExtractorConfig.allow_custom_weights
    (their sha256 is recorded in every fingerprint either way).
    """
    path = Path(config.weights_path).expanduser() if config.weights_path else WEIGHTS_PATH
    if not path.is_file():
        if config.weights_path:
            raise GanbenchError(f"mnist-classifier weights file {path} does not exist; check the path you passed")
        raise GanbenchError(
            f"the shipped mnist-classifier weights {path} are missing; reinstall ganbench or rebuild them with "
            "`ganbench extractor train --name mnist-classifier --out PATH` and pass PATH as the weights"
        )
    got = sha256_of(path)
    if got != WEIGHTS_SHA256:
        if not config.allow_custom_weights:
            raise GanbenchError(
                f"{path} has sha256 {got}, not that of the shipped mnist-classifier weights ({WEIGHTS_SHA256}); "
                "pass the shipped file, or allow custom weights to use these on purpose"
            )
        warnings.warn(
            f"mnist-classifier weights {path} are not the shipped ones; "
            "scores are comparable only with scores made with the same file",
            stacklevel=2,
        )
    return MnistClassifier(path, config.device)
