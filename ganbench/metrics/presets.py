"""Registered metric presets: what each metric needs, what it reports, and which direction is better."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ganbench.config import MetricConfig
from ganbench.errors import GanbenchError
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.kid import kernel_inception_distance
from ganbench.metrics.manifold import ManifoldScores, manifold_scores
from ganbench.registry import Registry

Direction = Literal["lower", "higher", "spread"]


@dataclass
class MetricInputs:
    """Everything metrics may read. Image datasets always bring Gaussian statistics of the pool features;
    every other field is filled only when a requested metric declares it in `needs`."""

    gen_mean: np.ndarray | None
    gen_cov: np.ndarray | None
    ref_mean: np.ndarray | None
    ref_cov: np.ndarray | None
    n_gen: int
    n_ref: int
    gen_features: np.ndarray | None = None
    ref_features: np.ndarray | None = None
    gen_logits: np.ndarray | None = None
    #: 2-D datasets: generated points (N, 2), known mode centres (M, 2) and their std
    gen_points: np.ndarray | None = None
    modes: np.ndarray | None = None
    mode_std: float | None = None
    #: labelled datasets: the dataset classifier's logits for generated samples, reference labels, class count
    gen_class_logits: np.ndarray | None = None
    ref_labels: np.ndarray | None = None
    num_classes: int | None = None
    #: stacked MNIST: per-channel digit labels (N, 3) of generated samples
    gen_channel_labels: np.ndarray | None = None
    #: pool features of the held-out (test) split, for data-copying tests
    heldout_features: np.ndarray | None = None
    #: uint8 NCHW images, only for figures
    gen_images: np.ndarray | None = None
    ref_images: np.ndarray | None = None
    requested: tuple[str, ...] = ()
    _manifold: dict = field(default_factory=dict, repr=False)

    def manifold(self, config: MetricConfig) -> ManifoldScores:
        """Precision/recall and density/coverage from one shared pass when both are requested."""
        if "result" not in self._manifold:
            self._manifold["result"] = manifold_scores(
                self.ref_features,
                self.gen_features,
                pr_k=config.pr_k if "pr" in self.requested else None,
                dc_k=config.dc_k if "dc" in self.requested else None,
                device=config.device,
            )
        return self._manifold["result"]


@dataclass(frozen=True)
class MetricSpec:
    """A metric preset: its output keys with their direction, the inputs it needs, and how to compute it."""

    name: str
    description: str
    directions: dict[str, Direction]
    needs: frozenset[str]
    compute: Callable[[MetricInputs, MetricConfig], dict[str, float]]

    def higher_is_better(self, key: str) -> bool | None:
        """True / False for a quality key, None for a spread (std) key."""
        direction = self.directions[key]
        return None if direction == "spread" else direction == "higher"


METRICS: Registry[MetricSpec] = Registry("metric")


def register_metric(name: str, description: str, directions: dict[str, Direction], needs: set[str] = frozenset()):
    """Decorator turning `fn(inputs, config) -> {key: value}` into a registered MetricSpec."""

    def decorator(fn: Callable[[MetricInputs, MetricConfig], dict[str, float]]):
        METRICS.add(name, MetricSpec(name, description, directions, frozenset(needs), fn))
        return fn

    return decorator


@register_metric("fid", "Frechet distance between Gaussian fits of the pool features", {"fid": "lower"})
def _fid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    return {"fid": frechet_distance(inputs.gen_mean, inputs.gen_cov, inputs.ref_mean, inputs.ref_cov)}


@register_metric(
    "is", "Inception Score over splits (generated logits only)", {"is_mean": "higher", "is_std": "spread"}, {"gen_logits"}
)
def _is(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.n_gen < config.is_splits:
        raise GanbenchError(f"the Inception Score needs at least {config.is_splits} samples (one per split); pass more samples or fewer --is-splits")
    mean, std = inception_score(inputs.gen_logits, splits=config.is_splits, seed=config.shuffle_seed)
    return {"is_mean": mean, "is_std": std}


@register_metric(
    "kid",
    "Kernel Inception Distance: unbiased MMD^2, cubic polynomial kernel, over random subsets",
    {"kid_mean": "lower", "kid_std": "spread"},
    {"gen_features", "ref_features"},
)
def _kid(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    smallest = min(inputs.n_gen, inputs.n_ref)
    if config.kid_subset_size > smallest:
        raise GanbenchError(
            f"KID subset size {config.kid_subset_size} is larger than the smaller sample set ({smallest}); "
            f"pass --kid-subset-size {smallest} or fewer"
        )
    mean, std = kernel_inception_distance(
        inputs.gen_features,
        inputs.ref_features,
        subsets=config.kid_subsets,
        subset_size=config.kid_subset_size,
        degree=config.kid_degree,
        coef0=config.kid_coef0,
        seed=config.shuffle_seed,
        device=config.device,
    )
    return {"kid_mean": mean, "kid_std": std}


def _need_neighbours(inputs: MetricInputs, k: int) -> None:
    if min(inputs.n_gen, inputs.n_ref) <= k:
        raise GanbenchError(f"k-nearest-neighbour metrics with k={k} need more than {k} samples on each side")


@register_metric(
    "pr",
    "Improved precision and recall (Kynkaanniemi et al. 2019), k-NN manifolds",
    {"precision": "higher", "recall": "higher"},
    {"gen_features", "ref_features"},
)
def _pr(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    _need_neighbours(inputs, config.pr_k)
    scores = inputs.manifold(config)
    return {"precision": scores.precision, "recall": scores.recall}


@register_metric(
    "dc",
    "Density and coverage (Naeem et al. 2020), k-NN manifolds of the reference",
    {"density": "higher", "coverage": "higher"},
    {"gen_features", "ref_features"},
)
def _dc(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    _need_neighbours(inputs, config.dc_k)
    scores = inputs.manifold(config)
    return {"density": scores.density, "coverage": scores.coverage}


@functools.cache
def direction_of(key: str) -> Direction:
    """The direction of a result key ("fid", "precision", ...) across all registered metrics."""
    for name in METRICS:
        spec = METRICS.get(name)
        if key in spec.directions:
            return spec.directions[key]
    raise KeyError(key)

from ganbench.metrics import presets_extra  # noqa: E402,F401
