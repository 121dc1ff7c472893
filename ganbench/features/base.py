"""What every feature extractor promises, and the registry they live in."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ganbench.registry import Registry


@dataclass(frozen=True)
class ExtractorConfig:
    """Everything needed to build an extractor.

    weights_path: an offline copy of the weights (else the extractor's own default:
    shipped in the package, or downloaded once into the cache dir and sha256-checked).
    allow_custom_weights: accept weights that differ from the published file on purpose.
    """

    device: str = "cpu"
    weights_path: str | None = None
    cache_dir: str | None = None
    #: accept weights whose sha256 differs from the published file (their sha256 is still recorded)
    allow_custom_weights: bool = False
    #: "strict" float32 (the published protocol), or a fast mode "tf32" / "bf16" (recorded in the fingerprint)
    precision: str = "strict"


class FeatureExtractor(abc.ABC):
    """Maps uint8 images (N, C, H, W), C in {1, 3}, to named float32 feature arrays.

    The extractor owns its preprocessing (resize method, value range, channel
    handling) so that two callers can never feed it differently. Every extractor
    provides a `pool` output (the embedding used by FID, KID, precision/recall);
    classifiers also provide `logits`.
    """

    name: str
    #: output name -> feature dimension, e.g. {"pool": 2048, "logits": 1008}
    output_dims: dict[str, int]
    #: human-readable description of the preprocessing, recorded in the protocol fingerprint
    preprocessing: str

    @property
    @abc.abstractmethod
    def weights_sha256(self) -> str:
        """sha256 of the weights the extractor runs with (part of every protocol fingerprint)."""

    @property
    @abc.abstractmethod
    def device(self) -> torch.device:
        """Where the network runs; `extract` accepts inputs on any device."""

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


#: name -> factory(ExtractorConfig) -> FeatureExtractor
EXTRACTORS: Registry[Callable[[ExtractorConfig], FeatureExtractor]] = Registry("feature extractor")


def build_extractor(name: str, config: ExtractorConfig) -> FeatureExtractor:
    """Build the registered extractor `name` (unknown names raise a GanbenchError listing valid ones)."""
    import ganbench.features  # noqa: F401  (registers the built-in extractors)

    return EXTRACTORS.get(name)(config)
