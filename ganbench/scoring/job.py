"""A scoring job checked before any sample is read: the dataset, its sample kind, the metric presets and the
inputs they need, and the extractor they are seen through. `ganbench score` and `ganbench run` both plan here,
so a metric a dataset cannot give is refused the same way, with the same sentence, before any work starts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ganbench.data.base import DatasetInfo, DatasetSpec
from ganbench.data.kinds import SAMPLE_KINDS, SampleKind, kind_of
from ganbench.data.resolve import resolve_dataset
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor, build_extractor
from ganbench.metrics.spec import METRICS, MetricSpec
from ganbench.scoring.config import DEFAULT_EXTRACTOR, DEFAULT_METRICS, ScoreConfig

#: Inputs only a dataset split can give (a folder of reference images has no held-out split or labels).
DATASET_ONLY_INPUTS = frozenset({"heldout_features", "gen_channel_labels"})
#: Inputs a statistics file cannot give: it holds a mean and a covariance, nothing per sample.
STATS_FILE_LACKS = frozenset({"ref_features", "heldout_features", "ref_labels", "gen_channel_labels"})


@dataclass(frozen=True)
class ScoringJob:
    """A ScoreConfig resolved: metrics filled in, the dataset (None for a file reference), the sample kind,
    the presets, and the inputs (names of ganbench.metrics.spec.INPUTS) they will be computed from."""

    config: ScoreConfig
    dataset: DatasetSpec | None
    kind: SampleKind
    specs: tuple[MetricSpec, ...]
    needs: frozenset[str]

    @property
    def info(self) -> DatasetInfo | None:
        return self.dataset.info if self.dataset is not None else None

    @property
    def extractor(self) -> str:
        """The extractor's name: the config's, else the dataset's default, else DEFAULT_EXTRACTOR."""
        if self.config.extractor:
            return self.config.extractor
        if self.info is not None and self.info.default_extractor:
            return self.info.default_extractor
        return DEFAULT_EXTRACTOR


def available_inputs(kind: SampleKind, info: DatasetInfo | None, config: ScoreConfig) -> frozenset[str]:
    """The metric inputs this reference can supply: the kind's, plus the dataset's own, minus what a file lacks."""
    available = kind.provides | (info.extra_inputs if info is not None else frozenset())
    if info is not None and info.kind == "points" and info.modes is None:
        available -= {"modes"}
    if config.ref_stats is not None:
        available -= STATS_FILE_LACKS
    elif info is None:
        available -= DATASET_ONLY_INPUTS
    return available


def inputs_needed(specs: tuple[MetricSpec, ...], available: frozenset[str], kind: SampleKind, where: str) -> frozenset[str]:
    """The inputs the presets will use (each preset's first alternative that `available` satisfies).

    A preset that none satisfies is refused in one sentence that says what it lacks and what to do.
    """
    needs: set[str] = set()
    refused: list[tuple[MetricSpec, frozenset[str]]] = []
    for spec in specs:
        chosen = spec.needs_given(available)
        if chosen is None:
            refused.append((spec, min(spec.needs, key=lambda need: len(need - available)) - available))
        else:
            needs |= chosen
    if refused:
        names = ", ".join(spec.name for spec, _ in refused)
        lacking = set().union(*(missing for _, missing in refused))
        usable = [name for name in METRICS if METRICS.get(name).needs_given(available) is not None]
        if lacking <= SAMPLE_KINDS.get("image").provides and not kind.extracted:
            raise GanbenchError(f"{names} need images; {where} is a {kind_description(kind)}, use --metrics {','.join(usable)}")
        if lacking <= STATS_FILE_LACKS and "statistics file" in where:
            raise GanbenchError(
                f"{names} need the reference features, which a statistics file lacks; "
                "pass --ref-samples PATH or --dataset NAME"
            )
        why = "; ".join(
            f"{spec.name} needs {spec.requires or 'the inputs ' + ', '.join(sorted(missing))}" for spec, missing in refused
        )
        raise GanbenchError(f"{why}, which {where} cannot give; choose from: {', '.join(usable)}")
    return frozenset(needs)


def kind_description(kind: SampleKind) -> str:
    return "2-D point dataset" if kind.name == "points" else f"{kind.name} dataset"


def plan_scoring(config: ScoreConfig) -> ScoringJob:
    """Resolve and check a scoring job; every problem is one GanbenchError before any sample is read."""
    if sum(x is not None for x in (config.dataset, config.ref_samples, config.ref_stats)) != 1:
        raise GanbenchError("give exactly one reference: --dataset NAME, --ref-samples PATH or --ref-stats FILE")
    dataset = resolve_dataset(config.dataset) if config.dataset is not None else None
    info = dataset.info if dataset is not None else None
    if not config.metrics:
        config = replace(config, metrics=tuple(info.protocol.metrics) if info is not None else DEFAULT_METRICS)
    specs = tuple(METRICS.get(name) for name in config.metrics)
    kind = kind_of(info) if info is not None else SAMPLE_KINDS.get("image")
    if info is not None:
        where = info.name
    elif config.ref_stats is not None:
        where = f"the statistics file {config.ref_stats}"
    else:
        where = f"the reference images {config.ref_samples}"
    needs = inputs_needed(specs, available_inputs(kind, info, config), kind, where)
    return ScoringJob(config, dataset, kind, specs, needs)


def job_extractor(job: ScoringJob) -> FeatureExtractor:
    """Build the job's extractor. When its weights are missing (offline, or --no-download), the dataset is checked
    too (on disk only, nothing fetched), so one error names every missing piece instead of one per attempt."""
    try:
        return build_extractor(job.extractor, job.config.extractor_config)
    except GanbenchError as weights_missing:
        problems = [str(weights_missing)]
    if job.dataset is not None and job.info.downloads:
        split = job.config.split or job.info.protocol.reference_split
        try:
            job.dataset.load(split, replace(job.config.data_config, download=False))
        except GanbenchError as data_missing:
            problems.append(str(data_missing))
    if len(problems) == 1:
        raise GanbenchError(problems[0])
    raise GanbenchError(" AND ".join(f"({i}) {problem}" for i, problem in enumerate(problems, start=1)))
