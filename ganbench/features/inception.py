"""`inception-v3-compat`: the TensorFlow-ported InceptionV3 that FID and IS are defined with.

The network and its TF1-compatible bilinear resize are torch-fidelity's own
(`FeatureExtractorInceptionV3`), with torch-fidelity's published weights, so
features match torch-fidelity bit for bit on the same device and dtype.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from unittest import mock

import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS, FeatureExtractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.weights import resolve_weights
from ganbench.hashing import sha256_of
from ganbench.numerics import PRECISION_MODES, extractor_precision

WEIGHTS_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/weights-inception-2015-12-05-6726825d.pth"
)
WEIGHTS_FILENAME = "weights-inception-2015-12-05-6726825d.pth"
WEIGHTS_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
WEIGHTS_ENV = "GANBENCH_INCEPTION_WEIGHTS"
WEIGHTS_OPTION = "--inception-weights"
# torch-fidelity's names for the layers we expose; "logits" is the bias-free logits the Inception Score is defined on.
LAYERS = {"pool": "2048", "logits": "logits_unbiased"}


def build_inception_network(state_dict: dict[str, torch.Tensor] | None):
    """torch-fidelity's InceptionV3 holding `state_dict` (None: the layers as constructed, for building test weights).

    torch-fidelity's constructor insists on fetching weights itself; we hand it the
    state dict we already loaded safely (weights_only=True) instead.
    """
    from torch_fidelity import feature_extractor_inceptionv3 as tf_inception

    cls = tf_inception.FeatureExtractorInceptionV3
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(tf_inception, "load_state_dict_from_url", lambda *a, **k: state_dict))
        if state_dict is None:
            stack.enter_context(mock.patch.object(cls, "load_state_dict", lambda self, *a, **k: None))
        return cls("inception-v3-compat", list(LAYERS.values()))


def load_state_dict_safely(path: Path) -> dict[str, torch.Tensor]:
    """A tensor-only state dict from `path`, never unpickling arbitrary objects."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise GanbenchError(
            f"cannot load InceptionV3 weights from {path} ({type(error).__name__}); pass torch-fidelity's {WEIGHTS_FILENAME}"
        ) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GanbenchError(f"{path} does not hold a state dict of tensors; pass torch-fidelity's {WEIGHTS_FILENAME}")
    return state


class InceptionV3Compat(FeatureExtractor):
    """InceptionV3 (TF 2015-12-05 weights): `pool` (2048) and bias-free `logits` (1008)."""

    name = "inception-v3-compat"
    output_dims = {"pool": 2048, "logits": 1008}
    preprocessing = "gray->rgb repeat; tf1-bilinear resize to 299x299; (x-128)/128; float32, tf32 off"

    def __init__(self, weights_path: Path, device: str, allow_custom_weights: bool, precision: str = "strict") -> None:
        if precision not in PRECISION_MODES:
            raise GanbenchError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISION_MODES)}")
        self.precision = precision
        if precision != "strict":
            # A fast mode is another protocol: its scores must never be ranked beside strict ones.
            self.preprocessing = (
                f"{InceptionV3Compat.preprocessing}; FAST MODE {precision} (not the published protocol)"
            )
        super().__init__(sha256_of(weights_path), device)
        if self._sha256 != WEIGHTS_SHA256:
            if not allow_custom_weights:
                raise GanbenchError(
                    f"{weights_path} has sha256 {self._sha256}, not that of torch-fidelity's {WEIGHTS_FILENAME} "
                    f"({WEIGHTS_SHA256}); pass the right file, or --allow-custom-weights to use these on purpose"
                )
            warnings.warn(
                f"InceptionV3 weights {weights_path} are not the published ones; "
                "scores are comparable only with scores made with the same file",
                stacklevel=2,
            )
        state = load_state_dict_safely(weights_path)
        try:
            network = build_inception_network(state)
        except RuntimeError as error:
            first_problem = str(error).strip().splitlines()[1:2] or [str(error)]
            raise GanbenchError(
                f"{weights_path} does not fit InceptionV3 ({first_problem[0].strip()}); pass torch-fidelity's {WEIGHTS_FILENAME}"
            ) from None
        self.network = network.to(self._device).eval()

    @torch.no_grad()
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
            raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")
        images = images.to(self._device, non_blocking=True)
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        with extractor_precision(self.precision, self._device):
            pool, logits = self.network(images)
        found = {"pool": pool.float(), "logits": logits.float()}
        return {name: found[name] for name in outputs}


@EXTRACTORS.register("inception-v3-compat")
def inception_v3_compat(config: ExtractorConfig) -> InceptionV3Compat:
    """TF-ported InceptionV3 of FID/IS (torch-fidelity weights): pool 2048, logits 1008."""
    path = resolve_weights(
        explicit=config.weights_path or config.inception_weights,
        env_var=WEIGHTS_ENV,
        url=WEIGHTS_URL,
        sha256=WEIGHTS_SHA256,
        filename=WEIGHTS_FILENAME,
        cache_override=config.cache_dir,
        what="the InceptionV3 weights",
        option=WEIGHTS_OPTION,
        download=config.download,
    )
    return InceptionV3Compat(path, config.device, config.allow_custom_weights, config.precision)
