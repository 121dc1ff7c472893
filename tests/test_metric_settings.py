"""Every metric setting can be set from the command line, changes the numbers it should, and is recorded in the
protocol fingerprint (so a changed threshold is never ranked beside the default one)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganbench.cli import build_parser, main
from ganbench.cli.options import _cli_fields
from ganbench.data.base import DATASETS, DataConfig
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.spec import METRICS, metric_settings
from ganbench.report.results import load, protocol_key


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def score_json(capsys, tmp_path, *argv) -> dict:
    out = tmp_path / "score.json"
    code = main(["score", *map(str, argv), "--device", "cpu", "--quiet", "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    return json.loads(out.read_text())


@pytest.fixture
def ring_points(tmp_path):
    path = tmp_path / "points.npz"
    np.savez(path, points=DATASETS.get("ring8").load("test", DataConfig()).data[:2500].astype(np.float64))
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "--samples", "x", "--dataset", "y"],
        ["stats", "--dataset", "y", "--floor"],
        ["run", "--models", "gan", "--dataset", "y"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_metric_setting_is_a_command_line_option(argv):
    options = set(vars(build_parser().parse_args(argv)))
    assert {dest for dest, _, _ in _cli_fields(MetricConfig)} <= options
    # every setting a preset records in the fingerprint can be set (the KID kernel through its degree and constant,
    # the FD-infinity subset sizes through their count and smallest size)
    for name in METRICS:
        recorded = set(METRICS.get(name).settings(MetricConfig())) - {"kid_kernel", "fd_inf_sizes"}
        assert recorded <= options, f"{name} records settings no option sets: {sorted(recorded - options)}"


def test_mode_thresholds_change_the_numbers_and_the_protocol(capsys, tmp_path, ring_points):
    default = score_json(capsys, tmp_path, "--samples", ring_points, "--dataset", "ring8", "--metrics", "modes")
    strict = score_json(
        capsys, tmp_path, "--samples", ring_points, "--dataset", "ring8", "--metrics", "modes",
        "--mode-quality-stds", "1", "--mode-min-count", "400",
    )  # fmt: skip
    # real points: 1 - exp(-9/2) = 0.989 within 3 stds, 1 - exp(-1/2) = 0.39 within 1 std
    assert default["metrics"]["high_quality_fraction"] == pytest.approx(0.989, abs=0.01)
    assert strict["metrics"]["high_quality_fraction"] == pytest.approx(0.393, abs=0.03)
    assert default["metrics"]["modes_covered"] == 8 and strict["metrics"]["modes_covered"] < 8
    assert strict["protocol"]["metric_settings"] == {"mode_quality_stds": 1.0, "mode_min_count": 400}
    assert protocol_key(strict["protocol"]) != protocol_key(default["protocol"])


def test_memorization_threshold_changes_the_numbers_and_the_protocol(capsys, tmp_path):
    digits = DATASETS.get("digits").load("test", DataConfig())
    np.savez(tmp_path / "held_out.npz", images=digits.data)
    argv = ["--samples", tmp_path / "held_out.npz", "--dataset", "digits", "--metrics", "memorization"]
    default = score_json(capsys, tmp_path, *argv)
    loose = score_json(capsys, tmp_path, *argv, "--ratio-threshold", "0.9", "--ratio-neighbours", "10")
    assert loose["metrics"]["memorized_fraction"] > default["metrics"]["memorized_fraction"]
    assert loose["protocol"]["metric_settings"] == {"ratio_neighbours": 10, "ratio_threshold": 0.9}
    assert protocol_key(loose["protocol"]) != protocol_key(default["protocol"])


def test_run_records_the_thresholds_it_was_given(capsys, tmp_path):
    base = ["run", "--models", "gan", "--dataset", "ring8", "--seeds", "0", "--steps", "4", "--eval-every", "4",
            "--n-generated", "200", "--device", "cpu", "--no-plots", "--width", "0.25"]  # fmt: skip
    assert main([*base, "--out", str(tmp_path / "default")]) == 0
    assert main([*base, "--out", str(tmp_path / "strict"), "--mode-quality-stds", "2"]) == 0
    capsys.readouterr()
    default, strict = load(tmp_path / "default"), load(tmp_path / "strict")
    assert {p["metric_settings"]["mode_quality_stds"] for p in strict["protocol"]} == {2.0}
    assert set(default["protocol_key"]).isdisjoint(strict["protocol_key"])
    # same seed, same generator: only the threshold differs, so the point assignment is the same
    assert default.set_index("metric")["value"]["modes_covered"] >= strict.set_index("metric")["value"]["modes_covered"]


def test_settings_name_only_what_the_requested_metrics_read():
    config = MetricConfig()
    assert metric_settings(config, ("fid",)) == {}
    assert metric_settings(config, ("pr", "dc")) == {"pr_k": 3, "dc_k": 5}
    assert set(metric_settings(config, ("modes", "class_coverage"))) == {
        "mode_quality_stds",
        "mode_min_count",
        "class_min_share_ratio",
    }
