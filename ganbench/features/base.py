"""What every feature extractor promises, and the registry they live in."""

from __future__ import annotations

import abc
from collections.abc import Callable

import torch

from ganbench.features.config import ExtractorConfig
from ganbench.registry import Registry


class FeatureExtractor(abc.ABC):
    """Maps uint8 images (N, C, H, W), C in {1, 3}, to named float32 feature arrays.

    The extractor owns its preprocessing (resize method, value range, channel
    handling) so that two callers can never feed it differently. Every extractor
    provides a `pool` output (the embedding used by FID, KID, precision/recall);
    classifiers also provide `logits`. `classifier` says whether its logits are the
    dataset's own class scores (class coverage, stacked-MNIST modes) rather than
    another label set (ImageNet's, for the Inception Score).
    """

    name: str
    #: output name -> feature dimension, e.g. {"pool": 2048, "logits": 1008}; an instance may give fewer
    #: (InceptionV3 weights without a classifier give only "pool")
    output_dims: dict[str, int]
    #: human-readable description of the preprocessing, recorded in the protocol fingerprint
    preprocessing: str
    classifier: bool = False
    #: why outputs this kind of network usually has are missing from `output_dims` here (e.g. weights without a
    #: classifier layer), for the sentence that refuses a metric needing them
    outputs_note: str = ""

    def __init__(self, weights_sha256: str, device: str | torch.device) -> None:
        self._sha256 = weights_sha256
        self._device = torch.device(device)

    @property
    def weights_sha256(self) -> str:
        """sha256 of the weights the extractor runs with (part of every protocol fingerprint)."""
        return self._sha256

    @property
    def device(self) -> torch.device:
        """Where the network runs; `extract` accepts inputs on any device."""
        return self._device

    @abc.abstractmethod
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        """Features of a batch: {name: float32 tensor (N, dim) on `self.device`} for each requested output.

        `images` is uint8 NCHW with 1 or 3 channels; the result does not depend on
        how a set of images is split into batches.
        """

    def fingerprint(self) -> dict[str, str]:
        """The extractor's part of a protocol fingerprint."""
        return {
            "extractor": self.name,
            "extractor_weights_sha256": self.weights_sha256,
            "preprocessing": self.preprocessing,
        }


#: name -> factory(ExtractorConfig) -> FeatureExtractor; the built-in ones register from ganbench.features.catalog.
EXTRACTORS: Registry[Callable[[ExtractorConfig], FeatureExtractor]] = Registry(
    "feature extractor", builtins="ganbench.features.catalog"
)


def build_extractor(name: str, config: ExtractorConfig) -> FeatureExtractor:
    """Build the registered extractor `name` (unknown names raise a GanbenchError listing valid ones)."""
    return EXTRACTORS.get(name)(config)
