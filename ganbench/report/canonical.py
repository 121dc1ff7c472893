"""Canonical JSON of result rows and protocols: plain values only, no NaN, equal values give equal text; and
the short protocol key that decides which rows may be ranked together."""

from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np

from ganbench.protocol import COMPARABLE_KEYS


def plain_json(obj):
    """json.dumps fallback: numpy scalars and arrays, paths, sets and tuples as plain JSON values."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def clean_floats(obj):
    """Replace non-finite floats by None anywhere in a JSON-like value (JSON has no NaN or infinity)."""
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: clean_floats(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean_floats(value) for value in obj]
    return obj


def canonical_json(obj) -> str:
    """Compact JSON with sorted keys: equal values give equal text (tuples and lists alike)."""
    return json.dumps(clean_floats(obj), sort_keys=True, separators=(",", ":"), default=plain_json, allow_nan=False)


def protocol_key(protocol: dict | None) -> str:
    """Short stable hash (12 hex digits) of the comparable part of a protocol fingerprint.

    Only `ganbench.protocol.COMPARABLE_KEYS` enter the hash, so versions and device do not split rankings.
    A row with no protocol (none of those keys set) gets "" (unknown protocol).
    """
    protocol = protocol or {}
    comparable = {key: protocol.get(key) for key in COMPARABLE_KEYS}
    if all(value is None for value in comparable.values()):
        return ""
    return hashlib.sha256(canonical_json(comparable).encode()).hexdigest()[:12]
