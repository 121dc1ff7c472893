"""Several extractors in one score: metrics defined on one extractor (fd_dinov2, cmmd) bring it in, a dataset
protocol can name further feature protocols (`also`), every protocol gets its own fingerprint, all extractors see
the samples in one pass, and leaderboards rank each protocol apart."""

import dataclasses
import warnings

import numpy as np
import pytest
import torch

from ganbench.data.base import DATASETS, DatasetSpec, EvalProtocol, FeatureProtocol
from ganbench.data.bundled_digits import DIGITS_INFO
from ganbench.errors import GanbenchError
from ganbench.features.base import FeatureExtractor
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.frechet import frechet_distance
from ganbench.report.leaderboard import leaderboard
from ganbench.report.results import ResultRow, rows_to_frame
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.job import extractor_groups, plan_jobs, plan_scoring
from ganbench.scoring.pipeline import score_batches
from ganbench.scoring.plan import planned

TWO_PROTOCOLS = dataclasses.replace(
    DIGITS_INFO,
    name="digits2",
    protocol=EvalProtocol(
        n_generated=8,
        n_reference=8,
        metrics=("fid", "kid"),
        also=(FeatureProtocol("dinov2-vit-s14", ("fd_dinov2", "vendi")),),
    ),
)


@pytest.fixture
def two_protocol_dataset(monkeypatch):
    """`digits2`: the digits data under a protocol with a second feature protocol (DINOv2 ViT-S/14)."""
    monkeypatch.setitem(DATASETS._entries, "digits2", DatasetSpec(TWO_PROTOCOLS, DATASETS.get("digits").load))
    return "digits2"


def groups(**fields):
    config = ScoreConfig(**fields)
    return extractor_groups(config, DATASETS.get(config.dataset).info if config.dataset else None)


def test_metrics_defined_on_an_extractor_bring_it_in():
    assert groups(dataset="digits", metrics=("fid", "fd_dinov2", "kid", "cmmd", "vendi")) == {
        "mnist-classifier": ("fid", "kid", "vendi"),
        "dinov2-vit-l14": ("fd_dinov2",),
        "clip-vit-l14-336": ("cmmd",),
    }
    # another DINOv2 is honoured; generic metrics follow --extractor
    assert groups(dataset="digits", extractor="dinov2-vit-b14", metrics=("fd_dinov2", "pr")) == {
        "dinov2-vit-b14": ("fd_dinov2", "pr")
    }
    assert groups(ref_samples="x.npz", metrics=("fid", "is")) == {"inception-v3-compat": ("fid", "is")}


def test_a_dataset_protocol_can_name_a_second_protocol(two_protocol_dataset):
    assert groups(dataset=two_protocol_dataset) == {
        "mnist-classifier": ("fid", "kid"),
        "dinov2-vit-s14": ("fd_dinov2", "vendi"),
    }
    jobs = plan_jobs(ScoreConfig(dataset=two_protocol_dataset))
    assert [job.extractor for job in jobs] == ["mnist-classifier", "dinov2-vit-s14"]
    assert jobs[1].needs == {"gen_stats", "ref_stats", "gen_features"}
    with pytest.raises(GanbenchError, match="several extractors .*mnist-classifier, dinov2-vit-s14"):
        plan_scoring(ScoreConfig(dataset=two_protocol_dataset))


def test_extractor_weights_belong_to_the_main_protocols_extractor():
    config = ScoreConfig(
        dataset="digits", extractor="dinov2-vit-s14", metrics=("fd_dinov2", "cmmd"),
        extractor_config=ExtractorConfig(weights_path="dino.pth"),
    )  # fmt: skip
    jobs = {job.extractor: job for job in plan_jobs(config)}
    assert jobs["dinov2-vit-s14"].config.extractor_config.weights_path == "dino.pth"
    assert jobs["clip-vit-l14-336"].config.extractor_config.weights_path is None
    lost = dataclasses.replace(config, extractor=None)  # main: mnist-classifier, which no metric uses
    with pytest.raises(GanbenchError, match="--extractor-weights is for mnist-classifier.*--extractor"):
        plan_jobs(lost)


def test_a_statistics_file_serves_one_extractor(tmp_path):
    with pytest.raises(GanbenchError, match="statistics file holds the features of one extractor"):
        plan_jobs(ScoreConfig(ref_stats=str(tmp_path / "s.npz"), metrics=("fid", "fd_dinov2")))


class Counting(FeatureExtractor):
    """Wraps an extractor and counts the batches it sees."""

    def __init__(self, inner: FeatureExtractor):
        self.inner, self.batches = inner, 0
        self.name, self.output_dims, self.preprocessing = inner.name, inner.output_dims, inner.preprocessing
        super().__init__(inner.weights_sha256, inner.device)

    def extract(self, images, outputs=("pool",)):
        self.batches += 1
        return self.inner.extract(images, outputs)


def test_each_protocol_is_scored_in_one_pass_with_its_own_fingerprint_and_ranked_apart(
    two_protocol_dataset, dinov2_weights, tmp_path, monkeypatch
):
    from ganbench.features.base import build_extractor

    monkeypatch.setenv("GANBENCH_DINOV2_VIT_S14_WEIGHTS", dinov2_weights("dinov2-vit-s14"))
    config = ScoreConfig(
        dataset=two_protocol_dataset, progress=False, batch_size=4, metric_config=dataclasses.replace(
            ScoreConfig().metric_config, kid_subset_size=4, kid_subsets=5
        ),
        data_config=dataclasses.replace(ScoreConfig().data_config, cache_dir=str(tmp_path)),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # random DINOv2 weights, fewer samples than dimensions
        extractors = {job.extractor: Counting(build_extractor(job.extractor, job.config.extractor_config)) for job in plan_jobs(config)}
        data = DATASETS.get("digits").load("test", config.data_config).data
        results = {}
        for model, images in {"good": data[:8], "bad": 255 - data[8:16]}.items():
            batches = [images[i : i + 4] for i in range(0, 8, 4)]
            results[model] = score_batches(planned(config, extractors), batches, 8)
    main, second = results["good"].parts()
    assert set(main.metrics) == {"fid", "kid_mean", "kid_std"} and set(second.metrics) == {"fd_dinov2", "vendi"}
    assert main.protocol["extractor"] == "mnist-classifier" and second.protocol["extractor"] == "dinov2-vit-s14"
    assert second.protocol["metric_settings"] == {"vendi_order": 1.0}
    # one pass: every extractor saw the two generated batches of each score (the reference came from the cache
    # build, 8 images in 2 batches, once per extractor)
    assert {name: e.batches for name, e in extractors.items()} == {"mnist-classifier": 6, "dinov2-vit-s14": 6}
    # fd_dinov2 is the Frechet distance of the DINOv2 features themselves
    dino = extractors["dinov2-vit-s14"].inner
    gen = dino.extract(torch.from_numpy(data[:8]))["pool"].double().numpy()
    reference = DATASETS.get("digits").load("train", config.data_config).data
    from ganbench.scoring.reference_cache import subset_indices

    ref = dino.extract(torch.from_numpy(reference[subset_indices(len(reference), 8)]))["pool"].double().numpy()
    expected = frechet_distance(gen.mean(0), np.cov(gen, rowvar=False), ref.mean(0), np.cov(ref, rowvar=False))
    assert second.metrics["fd_dinov2"] == pytest.approx(expected, rel=1e-6)
    # the leaderboard ranks each protocol on its own
    rows = [
        ResultRow(model=model, dataset="digits2", seed=0, step=0, metric=key, value=value, protocol=part.protocol)
        for model, result in results.items()
        for part in result.parts()
        for key, value in part.metrics.items()
    ]
    table = leaderboard(rows_to_frame(rows), "fid,fd_dinov2").table
    keys = dict(zip(table["metric"], table["protocol_key"], strict=False))
    assert keys["fid"] != keys["fd_dinov2"]
    assert set(table["metric"]) == {"fid", "fd_dinov2"} and (table.groupby("metric")["rank"].apply(sorted) == [[1, 2]] * 2).all()


def test_every_feature_metric_runs_on_any_extractor_with_the_extractor_in_the_protocol_key(two_protocol_dataset):
    generic = ("fid", "kid", "pr", "dc", "memorization", "authpct", "ct", "fd_inf", "vendi", "prd", "ndb", "c2st", "parzen",
               "birthday", "intra_fid")  # fmt: skip
    for extractor in ("dinov2-vit-s14", "clip-vit-l14-336", "inception-v3-compat"):
        (job,) = plan_jobs(ScoreConfig(dataset="digits", extractor=extractor, metrics=generic))
        assert job.extractor == extractor and job.config.metrics == generic
    from ganbench.report.results import protocol_key

    base = {"extractor_weights_sha256": "0" * 64, "preprocessing": "p", "n_generated": 8, "metric_settings": {}}
    assert protocol_key({**base, "extractor": "dinov2-vit-s14"}) != protocol_key({**base, "extractor": "dinov2-vit-l14"})
