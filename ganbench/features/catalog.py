"""The built-in feature extractors; importing this module registers each (one file per extractor)."""

from ganbench.features import inception, mnist_classifier  # noqa: F401  (registration)
