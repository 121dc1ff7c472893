"""A scoring planned once: the checked jobs (one per extractor, the main protocol's first), the extractors they
run once built, their references, and the result keys one scoring reports.

A command plans its scoring once (`ScoringPlan.of`) and carries the plan down: `ganbench run` plans when it plans
the grid, warms the reference cache with the plan, and each cell builds the plan's extractors once and scores
every evaluation with it. A plan without extractors travels to worker processes (its jobs by their names). Building a plan's extractors
fits each job to what its extractor gives (a metric it cannot feed is refused then, before any sample is read).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from ganbench.data.base import DatasetInfo
from ganbench.data.kinds import SampleKind
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor, build_extractor
from ganbench.features.lpips import Lpips, LpipsFiles, build_lpips
from ganbench.metrics.spec import METRICS, metric_keys, metric_settings
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.job import INPUTS_FROM_OUTPUT, ScoringJob, available_inputs, inputs_needed, plan_jobs
from ganbench.scoring.reference import Reference, reference_for


@dataclass(frozen=True)
class ScoringPlan:
    """`config` (the request) resolved into `jobs`, main protocol first; `extractors`: the built extractors by
    name once `built()` (none for point datasets), each job then fitted to its extractor's outputs."""

    config: ScoreConfig
    jobs: tuple[ScoringJob, ...]
    extractors: Mapping[str, FeatureExtractor] = field(default_factory=dict, compare=False)
    #: PPL's LPIPS network and its files once `with_path_length_network()` (None before, or without ppl)
    path_length_network: tuple[Lpips, LpipsFiles] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, config: ScoreConfig) -> ScoringPlan:
        """The checked plan of `config`, nothing built; every problem is one GanbenchError (scoring.job)."""
        return cls(config, plan_jobs(config))

    def __reduce__(self):
        # built extractors stay in their process; a worker builds its own (`built()`)
        return (ScoringPlan, (self.config, self.jobs))

    @property
    def main(self) -> ScoringJob:
        return self.jobs[0]

    @property
    def kind(self) -> SampleKind:
        return self.main.kind

    @property
    def info(self) -> DatasetInfo | None:
        return self.main.info

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the scoring computes, over all its protocols (the main one's first)."""
        return tuple(name for job in self.jobs for name in job.config.metrics)

    def settings(self) -> dict:
        """The metric settings every job reads, for the protocol fingerprint and the run's record."""
        return {key: value for job in self.jobs for key, value in metric_settings(job.config.metric_config, job.config.metrics).items()}

    def keys(self, codes: bool) -> frozenset[str]:
        """The result keys one scoring of a generator reports; `codes`: whether it draws its samples with a class
        or code input (metrics of that input report nothing without one: MetricSpec.only_with)."""
        return frozenset(metric_keys(self.metrics, {"gen_codes"} if codes else set()))

    def built(self, extractors: Mapping[str, FeatureExtractor] | None = None) -> ScoringPlan:
        """This plan with its extractors built (reusing `extractors` of the same config) and each job fitted to
        its extractor: a metric an extractor cannot feed is refused here, in one sentence. Already built: itself."""
        if not self.kind.extracted or all(job.extractor in self.extractors for job in self.jobs):
            return self
        built = dict(extractors or {})
        for job in self.jobs:
            if job.extractor not in built:
                built[job.extractor] = job_extractor(job)
        return ScoringPlan(self.config, tuple(fit_extractor(job, built[job.extractor]) for job in self.jobs), built)

    def with_path_length_network(self) -> ScoringPlan:
        """This plan holding PPL's LPIPS network when one of its jobs computes ppl (built here, once: every
        evaluation scored with the plan shares it); itself otherwise."""
        if self.path_length_network is not None or "ppl" not in self.metrics:
            return self
        network = build_lpips(self.config.extractor_config, self.config.metric_config.path_length.ppl_resize)
        return replace(self, path_length_network=network)

    def configured(self, change: Callable[[ScoreConfig], ScoreConfig]) -> ScoringPlan:
        """The plan with `change` applied to the request and every job's config (a device, absolute folders):
        settings that leave what is scored as it is. Built extractors are dropped."""
        jobs = tuple(replace(job, config=change(job.config)) for job in self.jobs)
        return ScoringPlan(change(self.config), jobs)

    def references(self) -> list[Reference]:
        """Each job's reference side (from the reference cache, computed once there), in the jobs' order."""
        return [reference_for(job, self.extractors.get(job.extractor)) for job in self.jobs]


def planned(config: ScoreConfig, extractors: Mapping[str, FeatureExtractor] | None = None) -> ScoringPlan:
    """`config`'s plan with its extractors built (`extractors` reuses ones already built for it)."""
    return ScoringPlan.of(config).built(extractors)


def fit_extractor(job: ScoringJob, extractor: FeatureExtractor) -> ScoringJob:
    """`job` seen through `extractor` (built, no sample read yet): presets that need an output the extractor does
    not give (logits, with weights that have no classifier layer) or a dataset classifier it is not are refused
    in one sentence; otherwise the job with each preset's inputs chosen among what the extractor gives."""
    if "gen_class_logits" in job.needs and not extractor.classifier:
        raise GanbenchError(
            f"class coverage needs the dataset's classifier as extractor (e.g. mnist-classifier), not {extractor.name}"
        )
    missing = [output for output in INPUTS_FROM_OUTPUT if output not in extractor.output_dims]
    lacking = frozenset().union(*(INPUTS_FROM_OUTPUT[output] for output in missing))
    if not job.needs & lacking:
        return job
    available = available_inputs(job.kind, job.info, job.config) - lacking
    refused = [spec.name for spec in job.specs if spec.needs_given(available) is None]
    if refused:
        usable = [
            name
            for name, spec in ((name, METRICS.get(name)) for name in METRICS)
            if spec.needs_given(available) is not None and (not spec.extractors or job.extractor in spec.extractors)
        ]
        verb = "needs" if len(refused) == 1 else "need"
        raise GanbenchError(
            f"{', '.join(refused)} {verb} {' and '.join(missing)}, but {extractor.name} gives only "
            f"{', '.join(extractor.output_dims)} features {extractor.outputs_note or 'here'}; "
            f"use --metrics {','.join(usable)}"
        )
    return replace(job, needs=inputs_needed(job.specs, available, job.kind, ""))


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
