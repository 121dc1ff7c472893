"""ScoreConfig: one scoring job, built once by the CLI (or the runner) and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from ganbench.data.base import DataConfig
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.config import MetricConfig

#: The extractor used when neither the user nor the dataset names one.
DEFAULT_EXTRACTOR = "inception-v3-compat"
#: The metrics scored when neither the user nor the dataset protocol names them.
DEFAULT_METRICS = ("fid", "is", "kid", "pr", "dc")


@dataclass(frozen=True)
class ScoreConfig:
    """One scoring job: generated samples against a reference, with the named metrics.

    The reference is exactly one of: a dataset split (`dataset`, `split`, `n_reference`),
    a folder / .npz of images (`ref_samples`), or saved statistics (`ref_stats`).
    `metrics` empty means the dataset protocol's (DEFAULT_METRICS without a dataset); `extractor` None
    means the dataset's default extractor (DEFAULT_EXTRACTOR otherwise). `samples` is the file or folder
    `score` reads (None when samples are streamed from a generator). `allow_resize`: score sample files whose
    resolution differs from the dataset's (the extractor resizes them; recorded in the fingerprint's
    preprocessing); without it that is an error.
    """

    samples: str | None = None
    metrics: tuple[str, ...] = ()
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
    allow_resize: bool = False
