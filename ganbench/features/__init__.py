"""Feature extractors. Importing this package registers the built-in ones."""

from ganbench.features.base import EXTRACTORS, ExtractorConfig, FeatureExtractor, build_extractor
from ganbench.features import inception  # noqa: F401  (registers inception-v3-compat)

__all__ = ["EXTRACTORS", "ExtractorConfig", "FeatureExtractor", "build_extractor"]
