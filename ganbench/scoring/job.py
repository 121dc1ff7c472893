"""A scoring job checked before any sample is read: the dataset, its sample kind, the metric presets and the
inputs they need, and the extractor they are seen through. `ganbench score` and `ganbench run` both plan here,
so a metric a dataset cannot give is refused the same way, with the same sentence, before any work starts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from ganbench.data.base import DatasetInfo, DatasetSpec
from ganbench.data.kinds import SAMPLE_KINDS, SampleKind, kind_of
from ganbench.data.resolve import resolve_dataset
from ganbench.errors import GanbenchError
from ganbench.metrics.spec import METRICS, MetricSpec
from ganbench.scoring.config import DEFAULT_EXTRACTOR, DEFAULT_METRICS, ScoreConfig

#: Inputs only a dataset split can give (a folder of reference images has no held-out split or labels).
DATASET_ONLY_INPUTS = frozenset({"heldout_features", "gen_channel_labels", "cas_logits"})
#: Inputs a statistics file cannot give: it holds a mean and a covariance, nothing per sample.
STATS_FILE_LACKS = frozenset({"ref_features", "heldout_features", "ref_labels", "gen_channel_labels", "cas_logits"})
#: Inputs read from an extractor output other than `pool`, by that output: an extractor without it cannot give them.
INPUTS_FROM_OUTPUT = {"logits": frozenset({"gen_logits", "gen_class_logits"})}


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

    def __reduce__(self):
        # specs and datasets hold functions: a job travels to worker processes by its names, which the registries
        # turn back into the same objects there
        names = tuple(spec.name for spec in self.specs)
        return (_job_from_names, (self.config, self.kind.name, names, self.needs))

    @property
    def extractor(self) -> str:
        """The extractor's name: the config's, else the dataset's default, else DEFAULT_EXTRACTOR."""
        return main_extractor(self.config, self.info)


def _job_from_names(config: ScoreConfig, kind: str, metrics: tuple[str, ...], needs: frozenset[str]) -> ScoringJob:
    dataset = resolve_dataset(config.dataset) if config.dataset is not None else None
    return ScoringJob(config, dataset, SAMPLE_KINDS.get(kind), tuple(METRICS.get(name) for name in metrics), needs)


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


def main_extractor(config: ScoreConfig, info: DatasetInfo | None) -> str:
    """The extractor of the main protocol: --extractor, else the dataset's default, else DEFAULT_EXTRACTOR."""
    if config.extractor:
        return config.extractor
    if info is not None and info.default_extractor:
        return info.default_extractor
    return DEFAULT_EXTRACTOR


def extractor_groups(config: ScoreConfig, info: DatasetInfo | None) -> dict[str, tuple[str, ...]]:
    """extractor -> the metrics seen through it, main protocol first.

    The metrics are the requested ones (else the dataset protocol's, with its `also` protocols, else
    DEFAULT_METRICS). A metric defined on particular extractors (fd_dinov2, cmmd) that its protocol's extractor
    is not one of moves to its own default extractor; metrics of one extractor share one pass over the samples.
    """
    main = main_extractor(config, info)
    if config.metrics:
        parts = [(main, config.metrics)]
    elif info is not None:
        parts = [(main, info.protocol.metrics), *((p.extractor, p.metrics) for p in info.protocol.also)]
    else:
        parts = [(main, DEFAULT_METRICS)]
    groups: dict[str, list[str]] = {}
    for extractor, metrics in parts:
        for name in metrics:
            spec = METRICS.get(name)
            chosen = extractor if not spec.extractors or extractor in spec.extractors else spec.extractors[0]
            group = groups.setdefault(chosen, [])
            if name not in group:
                group.append(name)
    return {extractor: tuple(metrics) for extractor, metrics in groups.items()}


def plan_jobs(config: ScoreConfig) -> tuple[ScoringJob, ...]:
    """Resolve and check a scoring request: one job per extractor (the main protocol's first), each with its
    metrics and inputs; every problem is one GanbenchError before any sample is read.

    `extractor_config.weights_path` (--extractor-weights) belongs to the main protocol's extractor; the jobs of
    other extractors find their weights by themselves (their $GANBENCH_..._WEIGHTS or the cache).
    """
    if sum(x is not None for x in (config.dataset, config.ref_samples, config.ref_stats)) != 1:
        raise GanbenchError("give exactly one reference: --dataset NAME, --ref-samples PATH or --ref-stats FILE")
    for path in (config.samples, config.ref_samples):  # checked here: building the extractor comes before reading
        if path is not None and not Path(path).expanduser().exists():
            raise GanbenchError(f"no such file or folder: {Path(path).expanduser()}")
    dataset = resolve_dataset(config.dataset) if config.dataset is not None else None
    info = dataset.info if dataset is not None else None
    kind = kind_of(info) if info is not None else SAMPLE_KINDS.get("image")
    if info is not None:
        where = info.name
    elif config.ref_stats is not None:
        where = f"the statistics file {config.ref_stats}"
    else:
        where = f"the reference images {config.ref_samples}"
    groups = extractor_groups(config, info)
    owner = main_extractor(config, info)
    if config.extractor_config.weights_path and kind.extracted and owner not in groups:
        raise GanbenchError(
            f"--extractor-weights is for {owner}, which none of the metrics {', '.join(sum(groups.values(), ()))} "
            "use; name the extractor the weights belong to with --extractor"
        )
    warn_unused_inception_weights(config, where, groups if kind.extracted else {})
    jobs = []
    for extractor, metrics in groups.items():
        extractor_config = config.extractor_config
        if extractor != owner:
            extractor_config = replace(extractor_config, weights_path=None)
        job_config = replace(config, extractor=extractor, metrics=metrics, extractor_config=extractor_config)
        specs = tuple(METRICS.get(name) for name in metrics)
        needs = inputs_needed(specs, available_inputs(kind, info, job_config), kind, where)
        jobs.append(ScoringJob(job_config, dataset, kind, specs, needs))
    if config.ref_stats is not None and len(jobs) > 1:
        raise GanbenchError(
            f"a statistics file holds the features of one extractor, and these metrics need {', '.join(groups)}; "
            "score against --dataset or --ref-samples"
        )
    return tuple(jobs)


def warn_unused_inception_weights(config: ScoreConfig, where: str, groups: dict[str, tuple[str, ...]]) -> None:
    """One warning when --inception-weights was given but no metric of this scoring reads InceptionV3 features
    (2-D points, or other extractors only): the file is not read, so the user should not think it was used."""
    if not config.extractor_config.inception_weights or any("inception" in name for name in groups):
        return
    uses = f"its metrics use {', '.join(groups)} features" if groups else "its metrics read the samples themselves"
    message = f"--inception-weights is not used: {where} is scored without InceptionV3 ({uses}); drop the option"
    if message not in _WARNED:  # planning runs more than once per command
        _WARNED.add(message)
        warnings.warn(message, stacklevel=3)


#: the unused-weights warnings already given in this process
_WARNED: set[str] = set()


def plan_scoring(config: ScoreConfig) -> ScoringJob:
    """The job of a request whose metrics all use one extractor (statistics, the extractor of a dataset); a
    request spanning several extractors is refused in one sentence."""
    jobs = plan_jobs(config)
    if len(jobs) > 1:
        raise GanbenchError(
            f"these metrics need several extractors ({', '.join(job.extractor for job in jobs)}), which this "
            "command cannot combine; ask for the metrics of one extractor"
        )
    return jobs[0]
