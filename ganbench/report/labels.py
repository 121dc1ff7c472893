"""How metric keys are shown: direction arrows and words beside the label each key's metric registers
(ganbench.metrics.spec.Key), and which direction a key ranks by."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.spec import direction_of, key_label

DIRECTION_WORDS = {"lower": "lower is better", "higher": "higher is better"}
ARROWS = {"lower": "↓", "higher": "↑"}


def metric_direction(key: str) -> str:
    """ "lower" or "higher" for a metric key that can be ranked; a GanbenchError otherwise."""
    direction = direction_of(key)
    if direction is None:
        raise GanbenchError(
            f"no registered metric reports {key!r}, so it is unknown which direction is better; "
            "pass a metric key such as fid, is_mean, kid_mean, precision or recall"
        )
    if direction == "spread":
        raise GanbenchError(f"{key} is a spread (a standard deviation), not a quality score; rank by its mean instead")
    return direction


def metric_label(key: str, direction: str | None = None) -> str:
    """Display name with a direction arrow, e.g. 'FID ↓'."""
    label = key_label(key)
    return f"{label} {ARROWS[direction]}" if direction in ARROWS else label


def axis_label(key: str) -> str:
    """'FID ↓ (lower is better)'; keys of unknown direction are shown as they are."""
    direction = direction_of(key)
    label = key_label(key)
    if direction in ARROWS:
        return f"{label} {ARROWS[direction]} ({DIRECTION_WORDS[direction]})"
    return label
