"""Typed settings: a frozen config dataclass changed by `key=value` strings, or rebuilt from its JSON record.

Every setting a user can see is a field of some config dataclass; the CLI, suites and checkpoints all go
through these three functions, so a value is converted and checked the same way wherever it comes from.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal, TypeVar

from ganbench.errors import GanbenchError

C = TypeVar("C")


def _convert(text: str, kind: Any, key: str) -> Any:
    """`text` as a value of type `kind` (int, float, bool, str or a Literal of strings)."""
    try:
        if kind is bool:
            lowered = text.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            return lowered in ("1", "true", "yes", "on")
        if kind is int:
            value = float(text)
            if not value.is_integer():
                raise ValueError(text)
            return int(value)
        if kind is float:
            return float(text)
        if typing.get_origin(kind) is Literal:
            if text not in typing.get_args(kind):
                raise ValueError(text)
            return text
        return str(text)
    except ValueError:
        if typing.get_origin(kind) is Literal:
            choices = ", ".join(str(choice) for choice in typing.get_args(kind))
            raise GanbenchError(f"bad value {text!r} for {key}; give one of {choices}") from None
        raise GanbenchError(f"bad value {text!r} for {key}; give a {getattr(kind, '__name__', kind)}") from None


def aliases_of(config_type: type) -> dict[str, tuple[str, ...]]:
    """The one-word aliases a config class accepts besides its field names: `ALIASES` (one value set on several
    fields) and `PAIRS` (two comma-separated values for two fields), both class attributes."""
    return {**getattr(config_type, "ALIASES", {}), **getattr(config_type, "PAIRS", {})}


def apply_overrides(config: C, overrides: dict[str, str]) -> C:
    """A copy of dataclass `config` with string `overrides` converted to each field's declared type.

    An alias (the class's `ALIASES`, e.g. "lr" for lr_g and lr_d) sets all its fields to one value; a pair (the
    class's `PAIRS`, e.g. "betas" for beta1, beta2) takes "a,b". Unknown keys raise a GanbenchError listing the
    valid ones.
    """
    hints = typing.get_type_hints(type(config))
    fields = {f.name for f in dataclasses.fields(config)}
    aliases = aliases_of(type(config))
    pairs = getattr(type(config), "PAIRS", {})
    changes: dict[str, Any] = {}
    for key, text in overrides.items():
        key = key.strip().replace("-", "_")
        if key in pairs:
            parts = text.split(",")
            if len(parts) != 2:
                raise GanbenchError(f"bad value {text!r} for {key}; give two numbers like 0.5,0.999")
            for name, part in zip(pairs[key], parts, strict=True):
                changes[name] = _convert(part, hints[name], name)
        elif key in aliases:
            for name in aliases[key]:
                changes[name] = _convert(text, hints[name], name)
        elif key in fields:
            changes[key] = _convert(text, hints[key], key)
        else:
            valid = ", ".join(sorted(fields | set(aliases)))
            raise GanbenchError(f"unknown setting {key!r} for {type(config).__name__}; valid keys: {valid}")
    return dataclasses.replace(config, **changes)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """["lr=1e-4", "n_critic=5"] -> {"lr": "1e-4", "n_critic": "5"}; a missing "=" is a GanbenchError."""
    result = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise GanbenchError(f"bad --set {item!r}; write it as key=value, e.g. --set lr=1e-4")
        result[key.strip()] = value.strip()
    return result


def with_absent_means(config_type: type, values: dict[str, Any]) -> dict[str, Any]:
    """`values` of a stored config, each key it lacks that the type's `ABSENT_MEANS` names filled with what the code
    did before that setting existed (where its default has since changed)."""
    return {**getattr(config_type, "ABSENT_MEANS", {}), **values}


def config_from_dict(config_type: type[C], values: dict[str, Any]) -> C:
    """Rebuild a config dataclass from `dataclasses.asdict` output; unknown keys are a GanbenchError. Keys the
    stored config lacks take `with_absent_means`'s values, else the field's default."""
    fields = {f.name for f in dataclasses.fields(config_type)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise GanbenchError(
            f"checkpoint config has keys {unknown} unknown to {config_type.__name__}; "
            "load it with the ganbench version that wrote it"
        )
    return config_type(**with_absent_means(config_type, values))
