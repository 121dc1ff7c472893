"""Typed configuration, built once by the CLI and passed explicitly: the one home of metric and scoring defaults."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ganbench.data.base import DataConfig
from ganbench.features.base import ExtractorConfig

__all__ = ["DataConfig", "ExtractorConfig", "MetricConfig", "ScoreConfig"]

#: torch-fidelity's default KID subset size
KID_SUBSET_SIZE = 1000


@dataclass(frozen=True)
class MetricConfig:
    """Settings of the metric maths. Defaults are torch-fidelity's and the papers'."""

    is_splits: int = 10
    kid_subsets: int = 100
    #: None: torch-fidelity's 1000, or the smaller sample count when a set is smaller (the value used is recorded)
    kid_subset_size: int | None = None
    kid_degree: int = 3
    kid_coef0: float = 1.0
    pr_k: int = 3
    dc_k: int = 5
    #: seed of the sample shuffles inside IS and the subset draws of KID (torch-fidelity's default)
    shuffle_seed: int = 2020
    device: str = "cpu"

    def resolved(self, n_generated: int, n_reference: int) -> MetricConfig:
        """This config with the KID subset size fixed for the given sample counts."""
        if self.kid_subset_size is not None:
            return self
        return replace(self, kid_subset_size=min(KID_SUBSET_SIZE, n_generated, n_reference))

    def fingerprint(self, metrics: tuple[str, ...]) -> dict:
        """The settings that affect the named metrics, for the protocol fingerprint."""
        settings: dict[str, object] = {}
        if "is" in metrics:
            settings.update(is_splits=self.is_splits, shuffle_seed=self.shuffle_seed)
        if "kid" in metrics:
            settings.update(
                kid_subsets=self.kid_subsets,
                kid_subset_size=self.kid_subset_size,
                kid_kernel=f"poly(d={self.kid_degree}, gamma=1/D, c={self.kid_coef0})",
                shuffle_seed=self.shuffle_seed,
            )
        if "pr" in metrics:
            settings["pr_k"] = self.pr_k
        if "dc" in metrics:
            settings["dc_k"] = self.dc_k
        # the mode / coverage / memorization presets read these settings (their defaults unless carried here)
        from ganbench.metrics.memorization import MemorizationConfig
        from ganbench.metrics.modes import ModeMetricConfig

        settings.update((getattr(self, "mode_metrics", None) or ModeMetricConfig()).settings(metrics))
        settings.update((getattr(self, "memorization", None) or MemorizationConfig()).settings(metrics))
        return settings


@dataclass(frozen=True)
class ScoreConfig:
    """One scoring job: generated samples against a reference, with the named metrics.

    The reference is exactly one of: a dataset split (`dataset`, `split`, `n_reference`),
    a folder / .npz of images (`ref_samples`), or saved statistics (`ref_stats`).
    `extractor` None means the dataset's default extractor (inception-v3-compat otherwise).
    """

    samples: str | None
    metrics: tuple[str, ...]
    ref_samples: str | None = None
    ref_stats: str | None = None
    dataset: str | None = None
    split: str | None = None
    n_reference: int | None = None
    extractor: str | None = None
    batch_size: int = 50
    extractor_config: ExtractorConfig = field(default_factory=ExtractorConfig)
    metric_config: MetricConfig = field(default_factory=MetricConfig)
    data_config: DataConfig = field(default_factory=DataConfig)
    progress: bool = True
