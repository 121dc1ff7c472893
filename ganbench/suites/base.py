"""What a benchmark suite pins: a published table's protocol as data, and the table's rows with their sources.

A suite names registered things (a dataset, models, metric keys) and holds settings as the strings `--set`
takes, so this package depends on nothing but the foundation; the runner turns a suite into a grid and the
report compares a run with its published rows. Any setting a user changes away from a pinned value makes the
run a *reduced* (or otherwise deviating) protocol: `deviations` finds them from what the rows recorded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ganbench.registry import Registry

Uncertainty = Literal["s.e.", "std", "none"]

#: Printed under every comparison whose published rows were not checked against the paper's PDF.
UNCHECKED_FOOTNOTE = (
    "Published values marked * were transcribed from the papers by the ganbench maintainers and have NOT been "
    "checked against the PDFs in this release; check them in the source named on each row before citing them."
)


@dataclass(frozen=True)
class SuiteModel:
    """One model the suite trains: a registered model name and the settings the protocol pins for it
    (`key=value` strings as `--set` takes them, applied over the family's defaults)."""

    name: str
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteMetric:
    """A column of the published table: the ganbench metric key, the paper's column name, and `factor`, the
    paper's units per ganbench unit (100 when the paper prints a percentage of a fraction)."""

    key: str
    column: str
    factor: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class PublishedRow:
    """A row of a published table, in the paper's units: `values` maps a metric key to (mean, uncertainty or
    None). `model` is the ganbench model that reproduces the row (None: not implemented in ganbench).
    `uncertainty`: what the paper's +- is (s.e., std, or none printed); `n_trials`: runs averaged (None:
    unknown). `source`: paper and table; `code`: the authors' file that produced the row ("" if none);
    `checked`: True only when the value was read from the paper itself in this release."""

    label: str
    model: str | None
    values: Mapping[str, tuple[float, float | None]]
    uncertainty: Uncertainty
    n_trials: int | None
    source: str
    code: str = ""
    checked: bool = False
    note: str = ""


@dataclass(frozen=True)
class Claim:
    """A paper's comparative claim, tested across seeds: `better` beats `worse` on `metric`."""

    text: str
    metric: str
    better: str
    worse: str


@dataclass(frozen=True)
class Suite:
    """A published table's protocol and rows.

    dataset: what every model trains on and is scored against; models: what the suite trains, with pinned
    settings; trials: seeds per model in the paper (the default seeds are 0 .. trials-1); eval_every: steps
    between evaluations (not part of the protocol: it does not change a number); n_generated: samples per
    evaluation; presets: the metric presets each evaluation computes (empty: the dataset protocol's);
    extractor / n_reference: the feature extractor and reference sample count (None: the dataset
    protocol's); metric_settings: MetricConfig field -> pinned value; metrics: the table's columns; published:
    its rows; claims: its comparative claims; sources: the authors' files the protocol comes from; notes:
    deviations and caveats printed with every result; comparable_offline: False when the built-in offline
    data makes the numbers incomparable with the paper's (printed as such).
    """

    name: str
    title: str
    dataset: str
    models: tuple[SuiteModel, ...]
    trials: int
    n_generated: int
    metrics: tuple[SuiteMetric, ...]
    published: tuple[PublishedRow, ...] = ()
    claims: tuple[Claim, ...] = ()
    metric_settings: Mapping[str, Any] = field(default_factory=dict)
    presets: tuple[str, ...] = ()
    extractor: str | None = None
    n_reference: int | None = None
    eval_every: int | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    comparable_offline: bool = True

    def model(self, name: str) -> SuiteModel | None:
        """The suite's entry for model `name`, or None."""
        return next((m for m in self.models if m.name == name), None)

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.models)


#: name -> Suite; the built-in suites register from ganbench.suites.catalog (one file per suite).
SUITES: Registry[Suite] = Registry("suite", builtins="ganbench.suites.catalog")


def same_value(pinned: str, used: Any) -> bool:
    """Whether a recorded setting `used` equals the pinned string (numbers compared as numbers)."""
    if isinstance(used, bool):
        return pinned.strip().lower() in (("1", "true", "yes", "on") if used else ("0", "false", "no", "off"))
    if isinstance(used, int | float):
        try:
            return math.isclose(float(pinned), float(used), rel_tol=1e-9, abs_tol=0.0)
        except ValueError:
            return False
    return str(used) == pinned


def deviations(pinned: Mapping[str, Any], used: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """key -> (pinned, used) for every pinned setting whose recorded value differs (or is missing)."""
    out = {}
    for key, value in pinned.items():
        if key not in used or not same_value(str(value), used[key]):
            out[key] = (str(value), used.get(key))
    return out


def describe_deviations(found: Mapping[str, tuple[str, Any]]) -> str:
    """'steps 10000 (pinned 400000), ...' or '' when nothing deviates."""
    return ", ".join(f"{key} {used} (pinned {pinned})" for key, (pinned, used) in sorted(found.items()))


def protocol_deviations(
    suite: Suite, model: str, model_config: Mapping[str, Any], evaluation: Mapping[str, Any]
) -> dict[str, tuple[str, Any]]:
    """Every pinned setting of `suite` for `model` that a run changed: its model settings (as recorded in the
    run's model_config) and the evaluation's (`evaluation`: a protocol fingerprint or the same keys:
    n_generated, metric_settings, extractor, n_reference). Empty: the full protocol."""
    entry = suite.model(model)
    found = deviations(entry.settings, model_config) if entry is not None else {}
    pinned = {"n_generated": suite.n_generated, "extractor": suite.extractor, "n_reference": suite.n_reference}
    found |= deviations({k: v for k, v in pinned.items() if v is not None}, evaluation)
    found |= deviations(suite.metric_settings, evaluation.get("metric_settings") or {})
    return found
