"""Perceptual path length equals torch-fidelity's `ppl` on the same generator and settings.

torch-fidelity downloads torchvision's ImageNet VGG16 and its LPIPS linear weights at run time, which cannot
happen offline: both sides are given the same seeded random weights instead (a VGG16 `features` state dict in
torchvision's naming and an LPIPS state dict in torch-fidelity's `lin{k}.model.1.weight` naming), torch-fidelity
through its download and VGG16 loading functions, ganbench through $GANBENCH_VGG16_WEIGHTS / $GANBENCH_LPIPS_WEIGHTS.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch_fidelity
from tiny_generators import TinyImageGenerator
from torch_fidelity import metric_ppl, sample_similarity_lpips

from ganbench.errors import GanbenchError
from ganbench.features.config import ExtractorConfig
from ganbench.features.lpips import CHANNELS, build_lpips, vgg16_features
from ganbench.metrics.config import MetricConfig, PathLengthConfig
from ganbench.metrics.path_length import path_length
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.scoring.path_length import ppl_distances


@pytest.fixture(scope="module")
def weight_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lpips")
    torch.manual_seed(0)
    features = vgg16_features()
    for layer in features:
        if isinstance(layer, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")
            torch.nn.init.normal_(layer.bias, std=0.01)
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, folder / "vgg16.pth")
    torch.save({f"lin{k}.model.1.weight": torch.rand(1, c, 1, 1) * 0.1 for k, c in enumerate(CHANNELS)}, folder / "lpips.pth")
    return SimpleNamespace(vgg16=folder / "vgg16.pth", lpips=folder / "lpips.pth")


@pytest.fixture
def offline_weights(weight_files, monkeypatch):
    """Both sides read the random weight files; torch-fidelity never reaches the network."""
    monkeypatch.setenv("GANBENCH_VGG16_WEIGHTS", str(weight_files.vgg16))
    monkeypatch.setenv("GANBENCH_LPIPS_WEIGHTS", str(weight_files.lpips))

    def vgg16(**kwargs):
        features = vgg16_features()
        state = torch.load(weight_files.vgg16, weights_only=True)
        features.load_state_dict({k.removeprefix("features."): v for k, v in state.items()})
        return SimpleNamespace(features=features)

    monkeypatch.setattr(sample_similarity_lpips, "torchvision_load_pretrained_vgg16", vgg16)
    monkeypatch.setattr(metric_ppl, "np", NumpyWithOldPercentile())
    monkeypatch.setattr(
        sample_similarity_lpips, "load_state_dict_from_url",
        lambda url, **kwargs: torch.load(weight_files.lpips, weights_only=True),
    )  # fmt: skip
    return weight_files


class NumpyWithOldPercentile:
    """numpy for torch-fidelity 0.4's metric_ppl, which calls `np.percentile(..., interpolation=...)`: numpy 2.4
    removed that name for `method=` (same meaning), so its `ppl` fails with a TypeError on current numpy."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def percentile(values, q, interpolation):
        return np.percentile(values, q, method=interpolation)


class Uint8Rgb(torch.nn.Module):
    """The images ganbench scores (uint8 from [-1, 1], gray repeated to RGB), in the form torch-fidelity takes."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, z, labels=None):
        x = self.generator(z, labels)
        return ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).repeat(1, 3, 1, 1)


def torch_fidelity_ppl(generator, settings: PathLengthConfig, batch_size: int) -> dict:
    wrapped = torch_fidelity.GenerativeModelModuleWrapper(Uint8Rgb(generator), generator.z_dim, "normal", generator.num_classes)
    return torch_fidelity.calculate_metrics(
        input1=wrapped, input1_model_num_samples=settings.ppl_samples, input1_model_num_classes=generator.num_classes,
        ppl=True, ppl_epsilon=settings.ppl_epsilon, ppl_z_interp_mode=settings.ppl_interpolation,
        ppl_sample_similarity_resize=settings.ppl_resize, ppl_discard_percentile_lower=settings.ppl_discard_lower,
        ppl_discard_percentile_higher=settings.ppl_discard_higher, rng_seed=settings.ppl_seed, batch_size=batch_size,
        cuda=False, verbose=False, save_cpu_ram=True,
    )  # fmt: skip


def ganbench_ppl(generator, settings: PathLengthConfig, batch_size: int) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not the published ones")
        lpips, _ = build_lpips(ExtractorConfig(allow_custom_weights=True), settings.ppl_resize)
    distances = ppl_distances(generator, lpips, settings, None, batch_size, "cpu")
    return path_length(distances, settings.ppl_discard_lower, settings.ppl_discard_higher)


@pytest.mark.parametrize(
    ("num_classes", "interpolation", "resize", "epsilon"),
    [
        pytest.param(0, "lerp", 32, 1e-4, id="unconditional-lerp-32"),
        pytest.param(10, "slerp_any", 64, 1e-2, id="conditional-slerp-64", marks=pytest.mark.slow),  # 4x the pixels
    ],
)
def test_equals_torch_fidelity(offline_weights, num_classes, interpolation, resize, epsilon):
    generator = TinyImageGenerator(z_dim=16, size=16, num_classes=num_classes).eval()
    settings = PathLengthConfig(ppl_samples=40, ppl_epsilon=epsilon, ppl_interpolation=interpolation, ppl_resize=resize)
    theirs = torch_fidelity_ppl(generator, settings, batch_size=16)
    mean, std = ganbench_ppl(generator, settings, batch_size=16)
    assert mean == pytest.approx(theirs["perceptual_path_length_mean"], rel=1e-6, abs=1e-5)
    assert std == pytest.approx(theirs["perceptual_path_length_std"], rel=1e-6, abs=1e-5)
    assert mean > 0
    # the latents are drawn up front: another batch size gives the same distances
    assert ganbench_ppl(generator, settings, batch_size=7) == pytest.approx((mean, std), rel=1e-6)


def test_percentiles_drop_the_tails_as_torch_fidelity_does():
    """Closed form on 1..100: the 1st percentile ("lower") is 1, the 99th ("higher") 100, so nothing goes; at 10
    and 90 the values 10..91 stay (numpy's 10th percentile of 1..100 is 10.9, "lower" 10; 90th 90.1, "higher" 91)."""
    values = np.arange(1.0, 101.0)
    assert path_length(values, 1, 99) == (pytest.approx(50.5), pytest.approx(np.std(values)))
    kept = np.arange(10.0, 92.0)
    assert path_length(values, 10, 90) == (pytest.approx(kept.mean()), pytest.approx(kept.std()))
    assert path_length(values, 0, 100)[0] == pytest.approx(50.5)
    with pytest.raises(ValueError):
        path_length(values, 50, 10)


def test_offline_without_weights_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.delenv("GANBENCH_VGG16_WEIGHTS", raising=False)
    monkeypatch.delenv("GANBENCH_LPIPS_WEIGHTS", raising=False)
    with pytest.raises(GanbenchError, match="GANBENCH_VGG16_WEIGHTS"):
        build_lpips(ExtractorConfig(cache_dir=str(tmp_path), download=False), 64)


def test_weights_that_are_not_the_published_ones_need_permission(offline_weights):
    with pytest.raises(GanbenchError, match="not that of the published"):
        build_lpips(ExtractorConfig(), 64)
    with pytest.warns(UserWarning, match="not the published ones"):
        _, files = build_lpips(ExtractorConfig(allow_custom_weights=True), 64)
    assert set(files.record()) == {"lpips_vgg16_sha256", "lpips_linear_sha256"}
    settings = replace(PathLengthConfig(), ppl_interpolation="cubic")
    with pytest.raises(GanbenchError, match="ppl-interpolation"):
        ppl_distances(TinyImageGenerator(), None, settings, None, 8, "cpu")


def test_score_generator_reports_ppl_and_records_its_weights(offline_weights, capsys, tmp_path):
    """`ganbench score --generator ... --metrics ppl` on the command line: the keys, the settings and the sha256 of
    both weight files in the protocol; a sample file has no latent space, so it gets no PPL."""
    from ganbench.cli import main

    out = tmp_path / "s.json"
    argv = ["score", "--generator", "tiny_generators:tiny", "--dataset", "digits", "--metrics", "ppl", "--n", "20",
            "--ppl-samples", "12", "--ppl-resize", "32", "--device", "cpu", "--quiet", "--allow-custom-weights",
            "--json", str(out)]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    result = json.loads(out.read_text())
    assert set(result["metrics"]) == {"ppl_mean", "ppl_std"} and result["metrics"]["ppl_mean"] > 0
    assert result["protocol"]["metric_settings"]["ppl_resize"] == 32
    assert set(result["protocol"]["lpips"]) == {"lpips_vgg16_sha256", "lpips_linear_sha256"}
    assert METRICS.get("ppl").compute(MetricInputs(n_gen=20, n_ref=20), MetricConfig()) == {}


def test_a_cell_builds_lpips_once_for_all_its_evaluations(offline_weights, monkeypatch, tmp_path):
    """PPL's VGG16 is built with the cell's scoring plan, not at every evaluation (it was: three evaluations, three
    builds); every evaluation still reports ppl and records the weights."""
    from dataclasses import replace

    import ganbench.scoring.path_length as path_length_module
    import ganbench.scoring.plan as plan_module
    from ganbench.features.config import ExtractorConfig
    from ganbench.report.results import read_rows
    from ganbench.runner.grid import run_grid
    from ganbench.runner.grid_config import GridConfig
    from ganbench.scoring.config import ScoreConfig

    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    built = []
    for module in (plan_module, path_length_module):
        monkeypatch.setattr(module, "build_lpips", lambda *a, real=module.build_lpips, **k: built.append(1) or real(*a, **k))
    metric_config = replace(MetricConfig(), path_length=replace(PathLengthConfig(), ppl_samples=8, ppl_resize=32))
    scoring = ScoreConfig(metrics=("fid", "ppl"), extractor_config=ExtractorConfig(allow_custom_weights=True),
                          metric_config=metric_config)
    config = GridConfig(models=("gan",), dataset="digits", seeds=(0,), out=tmp_path / "run", eval_every=2,
                        overrides={"steps": "6", "batch_size": "16", "width": "0.25"}, n_generated=40,
                        device="cpu", threads=1, scoring=scoring)
    _, outcomes = run_grid(config, log=lambda line: None)
    assert [outcome.status for outcome in outcomes] == ["ok"]
    rows = [row for row in read_rows(tmp_path / "run" / "results.jsonl") if row.metric == "ppl_mean"]
    # the tiny generator saturates after step 2 (tanh at +-1: equal uint8 images at both ends), as it did when each
    # evaluation built its own network: 47.14, 0, 0
    assert [(row.step, round(row.value, 2)) for row in sorted(rows, key=lambda row: row.step)] == [(2, 47.14), (4, 0.0), (6, 0.0)]
    assert all(set(row.protocol["lpips"]) == {"lpips_vgg16_sha256", "lpips_linear_sha256"} for row in rows)
    assert built == [1]
