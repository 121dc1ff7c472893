"""What the DINOv2 and CLIP extractors share: a maintained architecture (timm, open_clip) built without
initialising it, weights loaded strictly, and the references' preprocessing: PIL resize of the uint8 image,
x / 255, per-channel normalisation, then the network under the requested precision.

timm and open_clip are optional (`pip install 'ganbench[modern]'`) and imported only when such an extractor is
built.
"""

from __future__ import annotations

import abc
import contextlib
import importlib
import logging
from collections.abc import Iterator
from pathlib import Path

import torch
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.pil_resize import pil_resize
from ganbench.numerics import PRECISION_MODES, extractor_precision


def optional_module(name: str, extractor: str):
    """Import an optional package, or say in one sentence how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise GanbenchError(
            f"the {extractor} extractor needs the {name} package; pip install 'ganbench[modern]'"
        ) from None


def weights_env_var(extractor: str) -> str:
    """The environment variable naming an offline weights file for `extractor` (GANBENCH_DINOV2_VIT_L14_WEIGHTS)."""
    return f"GANBENCH_{extractor.upper().replace('-', '_')}_WEIGHTS"


@contextlib.contextmanager
def uninitialised() -> Iterator[None]:
    """Build modules on the meta device (no memory, no random initialisation: the weights replace it anyway),
    with the libraries' 'initialised randomly' log lines silenced."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with torch.device("meta"):
            yield
    finally:
        logging.disable(previous)


def load_exactly(network: nn.Module, state: dict[str, torch.Tensor], path: Path, what: str, expected: str) -> nn.Module:
    """`network` (built on the meta device) holding `state` as float32: every parameter and buffer, nothing else.

    A file that does not fit is one GanbenchError naming the first problem and the file that was expected.
    """
    state = {name: tensor.float() if tensor.is_floating_point() else tensor for name, tensor in state.items()}
    try:
        network.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as error:
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        problem = lines[1] if len(lines) > 1 else lines[0]
        raise GanbenchError(f"{path} does not fit {what} ({problem[:200]}); pass {expected}") from None
    left = [name for name, tensor in [*network.named_parameters(), *network.named_buffers()] if tensor.is_meta]
    if left:
        raise GanbenchError(f"{path} does not fit {what} (no value for {left[0]}); pass {expected}")
    return network.eval().requires_grad_(False)


def fast_mode_label(preprocessing: str, precision: str) -> str:
    """The preprocessing record of an extractor run in `precision`; a fast mode is another protocol."""
    if precision not in PRECISION_MODES:
        raise GanbenchError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISION_MODES)}")
    return preprocessing if precision == "strict" else f"{preprocessing}; FAST MODE {precision} (not the published protocol)"


class PilResizedNetwork(FeatureExtractor):
    """A network fed the references' preprocessing: PIL resize to `size` (squash, or centre crop first),
    x / 255, (x - mean) / std. Subclasses set the class attributes and `embed`; the output is `pool`."""

    size: int
    crop_centre: bool
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def __init__(self, network: nn.Module, weights_sha256: str, device: str, precision: str) -> None:
        self.preprocessing = fast_mode_label(self.preprocessing, precision)
        self.precision = precision
        super().__init__(weights_sha256, device)
        self.network = network.to(self._device)
        self._mean = torch.tensor(self.mean, device=self._device).view(1, 3, 1, 1)
        self._std = torch.tensor(self.std, device=self._device).view(1, 3, 1, 1)

    def network_input(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, 1|3, H, W) -> the float32 (N, 3, size, size) batch the network sees."""
        resized = pil_resize(images, self.size, self.crop_centre).to(self._device, non_blocking=True)
        return (resized.float() / 255.0 - self._mean) / self._std

    @abc.abstractmethod
    def embed(self, batch: torch.Tensor) -> torch.Tensor:
        """The (N, dim) features of a preprocessed batch."""

    @torch.no_grad()
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
            raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")
        if set(outputs) - set(self.output_dims):
            raise ValueError(f"{self.name} has outputs {sorted(self.output_dims)}, not {sorted(outputs)}")
        batch = self.network_input(images)
        with extractor_precision(self.precision, self._device):
            pool = self.embed(batch)
        return {"pool": pool.float()}
