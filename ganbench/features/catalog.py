"""The built-in feature extractors; importing this module registers each (one file per extractor)."""

from ganbench.features import clip, dinov2, inception, inception_spatial, mnist_classifier  # noqa: F401  (registration)
