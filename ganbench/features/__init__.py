"""Feature extractors. Importing this package registers the built-in ones."""

from ganbench.features import (
    inception,  # noqa: F401  (registers inception-v3-compat)
    mnist_classifier,  # noqa: F401  (registers mnist-classifier)
)
from ganbench.features.base import EXTRACTORS, ExtractorConfig, FeatureExtractor, build_extractor

__all__ = ["EXTRACTORS", "ExtractorConfig", "FeatureExtractor", "build_extractor"]
