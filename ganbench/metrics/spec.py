"""What a metric preset is: the inputs it needs, the keys it reports with their directions, the settings it
reads, and how it computes; and the registry the presets live in (one decorated file each, under presets/).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ganbench.metrics.config import MetricConfig
from ganbench.registry import Registry

if TYPE_CHECKING:  # annotations only: `ganbench --help` imports this module and stays numpy- and torch-free
    import numpy as np

    from ganbench.metrics.shared_neighbours import NeighbourRequest

Direction = Literal["lower", "higher", "spread"]

#: Every input a preset may declare in `needs`, with the MetricInputs fields it fills.
INPUTS: dict[str, tuple[str, ...]] = {
    "gen_stats": ("gen_mean", "gen_cov"),
    "ref_stats": ("ref_mean", "ref_cov"),
    "gen_features": ("gen_features",),
    "ref_features": ("ref_features",),
    "heldout_features": ("heldout_features",),
    "gen_logits": ("gen_logits",),
    "gen_class_logits": ("gen_class_logits",),
    "gen_codes": ("gen_codes",),
    "ref_labels": ("ref_labels", "num_classes"),
    "gen_channel_labels": ("gen_channel_labels",),
    "gen_points": ("gen_points",),
    "cas_logits": ("cas_logits", "heldout_labels"),
    "ppl_distances": ("ppl_distances",),
    "modes": ("modes", "mode_std"),
}


@dataclass
class MetricInputs:
    """Everything metrics may read; a field is filled only when a requested preset needs it (see INPUTS).

    `cache` holds work that several presets share on the same inputs (the one k-NN pass that precision/recall,
    density/coverage, memorization, AuthPct and C_T read: see `MetricSpec.neighbours`).
    """

    n_gen: int
    n_ref: int
    gen_mean: np.ndarray | None = None
    gen_cov: np.ndarray | None = None
    ref_mean: np.ndarray | None = None
    ref_cov: np.ndarray | None = None
    gen_features: np.ndarray | None = None
    ref_features: np.ndarray | None = None
    #: pool features of the held-out (test) split, for data-copying tests
    heldout_features: np.ndarray | None = None
    #: the extractor's logits of the generated samples (ImageNet classes for Inception: IS)
    gen_logits: np.ndarray | None = None
    #: labelled datasets: the dataset classifier's logits for generated samples, reference labels, class count
    gen_class_logits: np.ndarray | None = None
    ref_labels: np.ndarray | None = None
    num_classes: int | None = None
    #: generators with a class or code input (conditional GANs, InfoGAN): the input each generated sample was
    #: drawn with, int (N,); None for unconditional generators and for sample files
    gen_codes: np.ndarray | None = None
    #: stacked MNIST: per-channel digit labels (N, 3) of generated samples
    gen_channel_labels: np.ndarray | None = None
    #: GAN-train / CAS: logits of the held-out (test) split from a classifier trained on the generated samples
    #: labelled by their class input, and the held-out labels; None unless the generator has a class input
    cas_logits: np.ndarray | None = None
    heldout_labels: np.ndarray | None = None
    #: PPL: LPIPS distance / epsilon^2 of each latent pair, before any percentile is dropped; None unless a
    #: generator (not a sample file) is scored
    ppl_distances: np.ndarray | None = None
    #: point datasets: generated points (N, D), known mode centres (M, D) and their std
    gen_points: np.ndarray | None = None
    modes: np.ndarray | None = None
    mode_std: float | None = None
    requested: tuple[str, ...] = ()
    cache: dict = field(default_factory=dict, repr=False)

    def shared(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """`compute()` the first time `key` is asked for on these inputs, the stored result after that."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class Key:
    """One result key a metric reports: which way is better (a spread is a standard deviation, not ranked), how
    tables and figures name it, and the unit its values are in."""

    direction: Direction
    label: str
    unit: str


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric preset.

    `needs` lists alternatives: the preset can be computed from any one of these sets of inputs (names of
    INPUTS), the first one a dataset can supply is used. `settings(config)` returns the settings of `config`
    the preset reads, for the protocol fingerprint.
    """

    name: str
    description: str
    #: the result keys it reports, in order, each with its direction, label and unit
    keys: dict[str, Key]
    needs: tuple[frozenset[str], ...]
    compute: Callable[[MetricInputs, MetricConfig], dict[str, float]]
    settings: Callable[[MetricConfig], dict[str, Any]]
    #: what a dataset must be for this preset, in words, for the sentence that refuses it elsewhere
    requires: str = ""
    #: the feature extractors the metric is defined on, its default first (fd_dinov2: the DINOv2 ones); empty:
    #: any extractor (the scoring job's). A metric whose job runs another extractor is scored with its default.
    extractors: tuple[str, ...] = ()
    #: what the preset reads of the shared k-NN pass over generated and reference features (None: nothing);
    #: the pass is computed once for all requested presets (`ganbench.metrics.presets.common.neighbours`)
    neighbours: Callable[[MetricConfig], NeighbourRequest] | None = None
    #: the interval each bounded key can take, given the dataset's number of modes / classes (None when it has
    #: none): {"modes_covered": (0, M), ...}; keys absent are unbounded
    ranges: Callable[[int | None], dict[str, tuple[float, float]]] | None = None
    #: inputs (names of INPUTS) without which the preset reports nothing rather than failing: gen_codes for the
    #: metrics of a generator's class input, which unconditional generators and sample files do not have
    only_with: frozenset[str] = frozenset()
    #: True when the metric fits a covariance to the features (FID), which fewer samples than feature dimensions
    #: make singular and bias upwards: scoring warns when it sees so few
    covariance: bool = False

    @property
    def directions(self) -> dict[str, Direction]:
        """Result key -> its direction, in the order the preset reports them."""
        return {name: key.direction for name, key in self.keys.items()}

    def higher_is_better(self, key: str) -> bool | None:
        """True / False for a quality key, None for a spread (std) key."""
        direction = self.directions[key]
        return None if direction == "spread" else direction == "higher"

    def needs_given(self, available: Iterable[str]) -> frozenset[str] | None:
        """The first alternative of `needs` that `available` inputs satisfy, or None."""
        available = set(available)
        return next((need for need in self.needs if need <= available), None)


#: name -> MetricSpec; the built-in presets register themselves from ganbench.metrics.presets.
METRICS: Registry[MetricSpec] = Registry("metric", builtins="ganbench.metrics.presets")


def register_metric(
    name: str,
    description: str,
    keys: dict[str, Key],
    needs: Iterable[str] | tuple[Iterable[str], ...],
    settings: Callable[[MetricConfig], dict[str, Any]] = lambda config: {},
    requires: str = "",
    extractors: tuple[str, ...] = (),
    neighbours: Callable[[MetricConfig], NeighbourRequest] | None = None,
    ranges: Callable[[int | None], dict[str, tuple[float, float]]] | None = None,
    only_with: Iterable[str] = (),
    covariance: bool = False,
):
    """Decorator turning `fn(inputs, config) -> {key: value}` into a registered MetricSpec.

    `keys` names every result key the function returns, with its direction, label and unit (Key);
    `needs` is one set of input names, or a tuple of alternative sets; `requires` says in words what kind of
    dataset gives them (for error messages); `extractors` names the extractors the metric is defined on (its
    default first), empty for any; `neighbours` what the preset reads of the shared k-NN pass; `ranges` the
    interval each bounded key can take given the dataset's number of modes / classes; `only_with` the inputs
    without which it reports nothing (its keys are then not expected of a scoring); `covariance` whether it fits a
    feature covariance (scoring warns below as many samples as feature dimensions).
    """
    alternatives = needs if isinstance(needs, tuple) and needs and not isinstance(needs[0], str) else (needs,)
    frozen = tuple(frozenset(need) for need in alternatives)
    unknown = sorted(set().union(*frozen, only_with) - set(INPUTS))
    if unknown:
        raise ValueError(f"metric {name!r} needs unknown inputs {unknown}; known: {sorted(INPUTS)}")

    def decorator(fn: Callable[[MetricInputs, MetricConfig], dict[str, float]]):
        spec = MetricSpec(
            name, description, dict(keys), frozen, fn, settings, requires, tuple(extractors), neighbours, ranges,
            frozenset(only_with), covariance,
        )
        METRICS.add(name, spec)
        return fn

    return decorator


@functools.cache
def key_info(key: str) -> Key | None:
    """The registration of a result key ("fid", "precision", ...) across all registered metrics; None if unknown."""
    for name in METRICS:
        spec = METRICS.get(name)
        if key in spec.keys:
            return spec.keys[key]
    return None


def direction_of(key: str) -> Direction | None:
    """The direction of a result key across all registered metrics; None if unknown."""
    info = key_info(key)
    return info.direction if info is not None else None


def key_label(key: str) -> str:
    """How tables and figures name a result key ("FID" for fid); an unknown key as it is."""
    info = key_info(key)
    return info.label if info is not None else key


def value_range(key: str, num_classes: int | None) -> tuple[float, float] | None:
    """The interval a result key can take on a dataset with `num_classes` modes / classes, from the registration
    of the metric that reports it; None when unbounded or unknown."""
    for name in METRICS:
        spec = METRICS.get(name)
        if key in spec.directions:
            return spec.ranges(num_classes).get(key) if spec.ranges is not None else None
    return None


def metric_settings(config: MetricConfig, metrics: Iterable[str]) -> dict[str, Any]:
    """The settings of `config` that the named presets read, for the protocol fingerprint."""
    settings: dict[str, Any] = {}
    for name in metrics:
        settings.update(METRICS.get(name).settings(config))
    return settings


def metric_keys(metrics: Iterable[str], given: Iterable[str] | None = None) -> list[str]:
    """The result keys the named presets report, in their order ('pr' -> precision, recall); with `given` (the
    optional inputs a scoring has, such as gen_codes) only those of presets that report something with them."""
    specs = [METRICS.get(name) for name in metrics]
    if given is not None:
        specs = [spec for spec in specs if spec.only_with <= set(given)]
    return [key for spec in specs for key in spec.directions]
