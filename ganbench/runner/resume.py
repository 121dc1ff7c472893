"""What a run directory already holds, and whether a new `ganbench run` on it may go on.

A run directory holds one evaluation protocol (dataset, metrics, sample counts, extractor, metric settings) and,
per model, one set of model settings (only `steps` may change: raising it extends the run). A rerun that asks
for anything else would silently keep the old numbers, or mix incomparable ones, so it is refused in one
sentence naming the setting. What the run holds is read from grid.json and, where grid.json is missing, damaged
or older than a setting, from the rows of results.jsonl and the cells' run.json (what each cell was trained with).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganbench.atomic import write_text_atomic
from ganbench.config_parsing import with_absent_means
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS
from ganbench.report.results import ResultRow

GRID_FILE = "grid.json"
#: Grid settings that must stay the same when a run directory is resumed (rows would not be comparable).
FIXED_SETTINGS = ("dataset", "metrics", "n_generated", "n_reference", "extractor", "metric_settings")


def plain(value: Any) -> Any:
    """`value` as JSON reads it back (tuples become lists), so a setting compares equal to its stored copy."""
    return json.loads(json.dumps(value, default=str))


def same(a: Any, b: Any) -> bool:
    """Equal, or written alike as JSON (so a NaN setting equals its stored copy)."""
    return a == b or json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def read_grid_file(out: Path) -> dict[str, Any]:
    """RUN_DIR/grid.json, or {} when it is missing or damaged (what it said is then read from the rows)."""
    try:
        grid = json.loads((Path(out) / GRID_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return grid if isinstance(grid, dict) else {}


def held_settings(out: Path, rows: list[ResultRow]) -> dict[str, Any]:
    """The evaluation settings the run directory holds: grid.json's, completed from the newest successful row's
    record; metric settings older runs did not record come from the rows' protocols (only the settings that are
    not resolved per sample count, which a request gives as None)."""
    held = {key: value for key, value in read_grid_file(out).items() if key in FIXED_SETTINGS}
    ok = [row for row in rows if row.status == "ok" and "model_config" in (row.config or {})]  # the grid's own
    if ok:
        record = ok[-1].config
        held = {**{key: record[key] for key in FIXED_SETTINGS if key in record}, **held}
    if "metric_settings" not in held and ok:
        found: dict[str, Any] = {}
        for row in ok:
            found.update((row.protocol or {}).get("metric_settings") or {})
        held["metric_settings:resolved"] = found
    return plain(held)


def setting_changes(held: dict[str, Any], asked: dict[str, Any]) -> list[str]:
    """'name old -> new' for each evaluation setting the request changes (metric settings one by one)."""
    changes = []
    for key in FIXED_SETTINGS:
        if key == "metric_settings":
            continue
        if key in held and not same(held[key], asked.get(key)):
            changes.append(f"{key} {held[key]!r} -> {asked.get(key)!r}")
    asked_metric = asked.get("metric_settings") or {}
    if "metric_settings" in held:
        old, ignore_none = held["metric_settings"] or {}, False
    else:
        old, ignore_none = held.get("metric_settings:resolved", {}), True
    for name in sorted(set(old) & set(asked_metric)):
        if ignore_none and asked_metric[name] is None:
            continue
        if not same(old[name], asked_metric[name]):
            changes.append(f"{name} {old[name]!r} -> {asked_metric[name]!r}")
    return changes


def held_model_settings(out: Path, model: str, rows: list[ResultRow]) -> dict[str, Any] | None:
    """The model settings `model`'s cells in the run directory were trained with (any seed's run.json, else its
    newest successful row), without `steps`; None when the run holds no cell of it."""
    for run_json in sorted((Path(out) / "cells" / model).glob("seed*/run.json")):
        try:
            config = json.loads(run_json.read_text()).get("model_config")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(config, dict):
            return {key: value for key, value in config.items() if key != "steps"}
    for row in reversed(rows):
        if row.model == model and row.status == "ok" and isinstance(row.config, dict):
            config = row.config.get("model_config")
            if isinstance(config, dict):
                return {key: value for key, value in config.items() if key != "steps"}
    return None


def check_resumable(out: Path, settings: dict[str, Any], models: dict[str, dict[str, Any]], rows: list[ResultRow]) -> None:
    """Refuse, in one sentence naming the setting, a rerun on `out` whose evaluation `settings` or whose model
    settings (`models`: name -> settings as dataclasses.asdict gives them) differ from what the run holds; only
    `steps` may change. A run directory holding nothing yet accepts anything."""
    changes = setting_changes(held_settings(out, rows), plain(settings))
    if changes:
        raise GanbenchError(
            f"{out} holds a run with other evaluation settings ({'; '.join(changes)}); its rows would not be "
            "comparable: rerun with the same ones or choose a new --out"
        )
    for model, config in models.items():
        held = held_model_settings(out, model, rows)
        if held is None:
            continue
        # a setting added since the run was written holds what the code did then
        held = with_absent_means(MODELS.get(model).config_type, held)
        asked = plain({key: value for key, value in config.items() if key != "steps"})
        changed = [f"{key} {held[key]!r} -> {asked[key]!r}" for key in sorted(set(held) & set(asked)) if not same(held[key], asked[key])]
        if changed:
            raise GanbenchError(
                f"{out} holds {model} trained with other settings ({'; '.join(changed)}); only --steps may change "
                "when a run is resumed: rerun with the same settings or choose a new --out"
            )


def write_grid_file(
    out: Path, settings: dict[str, Any], models: list[str], seeds: list[int], group_cells: int, rows: list[ResultRow],
    extra: dict[str, Any] | None = None,
) -> None:
    """RUN_DIR/grid.json: the grid's evaluation settings, and every model and seed the run holds (those of earlier
    runs kept: from grid.json, or the rows when it was lost), with `extra` facts about this run (never compared)."""
    out = Path(out)
    old = read_grid_file(out)
    rows = [row for row in rows if "model_config" in (row.config or {})]  # not rows `score --append` added
    models = list(dict.fromkeys(list(old.get("models", [])) + sorted({r.model for r in rows}) + list(models)))
    seeds = sorted(set(old.get("seeds", [])) | {r.seed for r in rows} | set(seeds))
    out.mkdir(parents=True, exist_ok=True)
    grid = {**plain({key: settings.get(key) for key in FIXED_SETTINGS}), "models": models, "seeds": seeds,
            "group_cells": group_cells, **(extra or {})}  # fmt: skip
    write_text_atomic(out / GRID_FILE, json.dumps(grid, indent=1))
