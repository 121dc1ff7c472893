"""Run settings (everything that is not a model hyper-parameter) and `key=value` overrides of typed configs."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ganbench.errors import GanbenchError

C = TypeVar("C")

#: Names accepted by overrides besides the field names: one word that sets several fields.
ALIASES = {"lr": ("lr_g", "lr_d"), "betas": ("beta1", "beta2")}


@dataclass(frozen=True)
class RunConfig:
    """How a run is executed and recorded; changing these never changes what a model is.

    seed: fixes weight init, data order and training noise. device: "cpu", "cuda", "cuda:N"
    or "auto". amp "bf16": bf16 autocast on CUDA (ignored with a warning on CPU).
    deterministic: deterministic cuDNN / torch algorithms. compile: torch.compile the
    networks on CUDA (falls back to eager if compiling fails). checkpoint_every / log_every /
    sample_every are in generator steps; keep_checkpoints old checkpoints are kept.
    """

    seed: int = 0
    device: str = "auto"
    amp: Literal["none", "bf16"] = "none"
    deterministic: bool = False
    compile: bool = True
    checkpoint_every: int = 1000
    keep_checkpoints: int = 2
    log_every: int = 50
    sample_every: int = 1000
    grid_size: int = 64
    dataset: str = ""
    progress: bool = True
    tensorboard: bool = True

    def validate(self) -> None:
        """Raise a GanbenchError naming the first out-of-range setting."""
        if self.amp not in ("none", "bf16"):
            raise GanbenchError(f"unknown --amp {self.amp!r}; use 'none' or 'bf16'")
        for name in ("checkpoint_every", "keep_checkpoints", "log_every", "sample_every", "grid_size"):
            if getattr(self, name) < 1:
                raise GanbenchError(f"--{name.replace('_', '-')} must be at least 1")


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
        raise GanbenchError(f"bad value {text!r} for {key}; give a {getattr(kind, '__name__', kind)}") from None


def apply_overrides(config: C, overrides: dict[str, str]) -> C:
    """A copy of dataclass `config` with string `overrides` converted to each field's declared type.

    Aliases: "lr" sets lr_g and lr_d; "betas" takes "b1,b2". Unknown keys raise a
    GanbenchError listing the valid ones.
    """
    hints = typing.get_type_hints(type(config))
    fields = {f.name for f in dataclasses.fields(config)}
    changes: dict[str, Any] = {}
    for key, text in overrides.items():
        key = key.strip().replace("-", "_")
        if key == "betas":
            parts = text.split(",")
            if len(parts) != 2:
                raise GanbenchError(f"bad value {text!r} for betas; give two numbers like 0.5,0.999")
            for name, part in zip(ALIASES["betas"], parts, strict=True):
                changes[name] = _convert(part, float, name)
        elif key in ALIASES:
            for name in ALIASES[key]:
                changes[name] = _convert(text, hints[name], name)
        elif key in fields:
            changes[key] = _convert(text, hints[key], key)
        else:
            valid = ", ".join(sorted(fields | set(ALIASES)))
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


def config_from_dict(config_type: type[C], values: dict[str, Any]) -> C:
    """Rebuild a config dataclass from `dataclasses.asdict` output; unknown keys are a GanbenchError."""
    fields = {f.name for f in dataclasses.fields(config_type)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise GanbenchError(
            f"checkpoint config has keys {unknown} unknown to {config_type.__name__}; load it with the ganbench version that wrote it"
        )
    return config_type(**values)
