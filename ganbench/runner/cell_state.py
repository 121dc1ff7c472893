"""A benchmark cell's state file, RUN_DIR/cells/{model}/seed{seed}/cell.json: how the cell last ended (status,
step, reason), the final step it was run to, its model settings, and the evaluations that can no longer be made
(their checkpoint pruned; ganbench.runner.cell reports each once)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganbench.atomic import write_text_atomic

STATE_FILE = "cell.json"


def read_state(folder: Path) -> dict[str, Any]:
    """The cell's cell.json ({} when the cell never started or the file is unreadable)."""
    try:
        return json.loads((folder / STATE_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_state(folder: Path, **state: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True, default=str))


def unavailable_keys(state: dict[str, Any]) -> dict[int, set[str]]:
    """Step -> the metric keys cell.json records as no longer measurable (their checkpoint pruned)."""
    return {int(step): set(keys) for step, keys in (state.get("unavailable") or {}).items()}


def steps_text(steps) -> str:
    """'step 5' or 'steps 6, 18'."""
    steps = sorted(steps)
    return f"step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))}"
