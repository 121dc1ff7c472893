"""Protocol fingerprints: how a number was made, and whether two numbers may be compared."""

from __future__ import annotations

import numpy as np

from ganbench import __version__

#: Fingerprint keys that must be equal for two results to be ranked together.
COMPARABLE_KEYS = (
    "extractor",
    "extractor_weights_sha256",
    "preprocessing",
    "feature_dtype",
    "n_generated",
    "n_reference",
    "reference",
    "reference_split",
    "metric_settings",
)


def fingerprint(
    *,
    extractor: dict,
    n_generated: int | None,
    n_reference: int | None,
    reference: str,
    reference_split: str | None,
    device: str,
    metric_settings: dict,
    feature_dtype: str = "float32",
) -> dict:
    """Everything that affects a number, plus the versions, device and CPU threads it was made with."""
    import torch  # here, not at the top: reading and ranking result rows should not pay for importing torch

    return {
        **extractor,
        "feature_dtype": feature_dtype,
        "n_generated": n_generated,
        "n_reference": n_reference,
        "reference": reference,
        "reference_split": reference_split,
        "metric_settings": metric_settings,
        "ganbench_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "device": device,
        "threads": torch.get_num_threads(),
    }


def differences(a: dict, b: dict, keys: tuple[str, ...] = COMPARABLE_KEYS) -> list[str]:
    """Human-readable list of the comparable fields where two fingerprints differ (empty: comparable)."""
    return [f"{key}: {a.get(key)!r} vs {b.get(key)!r}" for key in keys if a.get(key) != b.get(key)]
