"""Protocol fingerprints for tests that write result rows by hand."""

from __future__ import annotations


def protocol(**changes) -> dict:
    """A complete CIFAR-10 Inception protocol fingerprint (2,500 generated vs 10,000 reference), with `changes`."""
    base = {
        "extractor": "inception-v3-compat",
        "extractor_weights_sha256": "ab" * 32,
        "preprocessing": "resize-299",
        "feature_dtype": "float32",
        "n_generated": 2500,
        "n_reference": 10000,
        "reference": "cifar10",
        "reference_split": "train",
        "metric_settings": {"pr_k": 3},
    }
    return {**base, **changes}
