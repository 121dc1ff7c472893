"""Suites: every built-in suite is consistent with the registries; deviations from a pinned protocol are found from
what rows recorded; the comparison's numbers, verdicts and claims match closed forms on planted rows; the CLI."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import torch
from scipy import stats

from ganbench.cli import main
from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DATASETS, DataShape
from ganbench.metrics.config import MetricConfig, pin_metric_settings
from ganbench.metrics.spec import direction_of
from ganbench.models.base import MODELS
from ganbench.report.comparison import compare
from ganbench.report.comparison_table import protocol_status, to_markdown
from ganbench.report.results import ResultRow, append_rows, load
from ganbench.suites.base import SUITES, UNCHECKED_FOOTNOTE, deviations, protocol_deviations, same_value
from ganbench.suites.points_common import PACGAN_SETTINGS

SUITE_NAMES = SUITES.names()


@pytest.mark.parametrize("name", SUITE_NAMES)
def test_every_suite_names_registered_things_and_its_pins_apply(name):
    suite = SUITES.get(name)
    info = DATASETS.get(suite.dataset).info
    shape = DataShape("points", 2) if info.kind == "points" else DataShape("image", info.channels, info.resolution)
    for model in suite.models:
        family = MODELS.get(model.name)
        family.check_config(apply_overrides(family.default_config(shape), dict(model.settings)))
    assert all(row.model is None or row.model in MODELS for row in suite.published)
    assert all(direction_of(metric.key) in ("higher", "lower") for metric in suite.metrics)
    assert all(claim.better in suite.model_names and claim.worse in suite.model_names for claim in suite.claims)
    pin_metric_settings(MetricConfig(), dict(suite.metric_settings))  # every pinned metric setting exists
    for row in suite.published:
        assert set(row.values) <= {metric.key for metric in suite.metrics}, row.label
        assert row.source and row.uncertainty in ("s.e.", "std", "none")
    assert suite.sources and suite.trials >= 1


def test_the_pacgan_suites_pin_the_families_own_two_d_defaults():
    """`gan` on points is PacGAN's GAN, so `ganbench run --models gan,pacgan2` on grid25 is the suite but steps."""
    config = MODELS.get("gan").default_config(DataShape("points", 2))
    recorded = dataclasses.asdict(config)
    assert deviations(PACGAN_SETTINGS, recorded) == {"steps": ("400000", 10_000)}


def test_deviations_compare_numbers_as_numbers():
    assert same_value("1e-4", 0.0001) and same_value("true", True) and not same_value("true", False)
    assert same_value("400000", 400_000) and not same_value("400000", 2000) and same_value("adam", "adam")
    assert deviations({"lr": "1e-4", "steps": "10"}, {"lr": 1e-4, "steps": 5}) == {"steps": ("10", 5)}
    suite = SUITES.get("pacgan-grid")
    found = protocol_deviations(
        suite, "gan", {}, {"n_generated": 100, "metric_settings": {"mode_quality_stds": 2.0, "mode_min_count": 1}}
    )
    assert found["n_generated"] == ("2500", 100) and found["mode_quality_stds"] == ("3.0", 2.0)
    assert "steps" in found  # a setting the rows do not record is a deviation too


GAN_MODES = [17.0, 18.0, 16.0, 17.0, 18.0]
PACGAN4_MODES = [20.0, 21.0, 19.0, 20.0, 20.0]


GAN_QUALITY = [0.94, 0.95, 0.955, 0.945, 0.948]


def planted_rows(steps: int = 2000) -> list[ResultRow]:
    """gan and pacgan4 on grid25, five seeds each, under PacGAN's settings with `steps` steps: mode counts below
    the chance baselines' (uniform points cover about 23 of 25), a high-quality fraction far above them."""
    rows = []
    protocol = {"n_generated": 2500, "metric_settings": {"mode_quality_stds": 3.0, "mode_min_count": 1},
                "ganbench_version": "9.9"}
    for model, modes, pack in (("gan", GAN_MODES, 1), ("pacgan4", PACGAN4_MODES, 4)):
        recorded = dataclasses.asdict(MODELS.get(model).default_config(DataShape("points", 2)))
        config = {"model_config": {**recorded, "steps": steps}, "machine": "test box"}
        assert recorded["pack"] == pack
        for seed, value in enumerate(modes):
            quality = GAN_QUALITY[seed] if model == "gan" else 0.9
            for metric, v in (("modes_covered", value), ("high_quality_fraction", quality), ("mode_kl", 0.5 + seed / 10)):
                rows.append(ResultRow(model, "grid25", seed, steps, metric, v, protocol, 60.0 * steps / 1000, config))
    return rows


def test_comparison_numbers_verdicts_and_claims_match_closed_forms(tmp_path):
    append_rows(tmp_path, planted_rows())
    result = compare(load(tmp_path), SUITES.get("pacgan-grid"), "unused")
    by_key = {(n.label, n.metric): n for n in result.numbers}

    gan_modes = by_key[("GAN", "modes_covered")]
    se = np.std(GAN_MODES, ddof=1) / math.sqrt(5)
    half = stats.t.ppf(0.975, 4) * se
    assert gan_modes.ours_mean == pytest.approx(17.2) and gan_modes.ours_se == pytest.approx(se)
    assert (gan_modes.ours_low, gan_modes.ours_high) == pytest.approx((17.2 - half, 17.2 + half))
    paper_half = stats.t.ppf(0.975, 9) * 0.8
    assert (gan_modes.paper_low, gan_modes.paper_high) == pytest.approx((17.3 - paper_half, 17.3 + paper_half))
    expected_p = stats.ttest_ind_from_stats(17.2, se * math.sqrt(5), 5, 17.3, 0.8 * math.sqrt(10), 10, equal_var=False)
    assert gan_modes.welch_p == pytest.approx(expected_p.pvalue)
    # the interval overlaps the paper's, but uniform points cover more modes: the agreement would be by chance
    # (and ours covers fewer than every baseline: below chance)
    assert gan_modes.verdict == "below chance" and gan_modes.chance_mean > 20
    assert by_key[("PacGAN4", "modes_covered")].verdict == "below chance"  # 19-20 modes: fewer than uniform points
    gan_quality = by_key[("GAN", "high_quality_fraction")]
    assert gan_quality.ours_mean == pytest.approx(94.76)  # percent, as the paper
    assert gan_quality.verdict == "agrees" and gan_quality.chance_p < 0.05
    assert by_key[("PacGAN4", "high_quality_fraction")].verdict == "lower"  # 90% against the paper's 93.6 +- 0.6
    assert by_key[("PacGAN2", "modes_covered")].verdict == "not run"
    assert not any(n.label == "Minibatch Discrimination" for n in result.numbers)

    claim = next(c for c in result.claims if c.text == "PacGAN4 covers more modes than GAN")
    assert claim.p == pytest.approx(stats.ttest_ind(PACGAN4_MODES, GAN_MODES, equal_var=False).pvalue)
    assert claim.verdict == "untestable (neither row above chance)"

    assert protocol_status(result) == "REDUCED: steps 2000 (pinned 400000) for gan, pacgan4"
    assert result.machine == "test box" and result.versions == ["9.9"]
    text = to_markdown(result)
    assert "Protocol: REDUCED" in text and "test box" in text
    assert UNCHECKED_FOOTNOTE not in text  # PacGAN Table 1 was read from the authors' image of it


def test_full_protocol_is_labelled_full(tmp_path):
    append_rows(tmp_path, planted_rows(steps=400_000))
    assert protocol_status(compare(load(tmp_path), SUITES.get("pacgan-grid"), "x")).startswith("FULL")


def test_suite_cli_lists_shows_and_publishes(tmp_path, capsys):
    assert main(["suite", "list"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in SUITE_NAMES)
    assert main(["suite", "show", "pacgan-ring"]) == 0
    shown = capsys.readouterr().out
    assert "PacGAN4" in shown and "7.8 +- 0.1 (s.e.)" in shown and "Table 1, 2D-ring columns, row 5 (PacGAN4)" in shown
    assert main(["suite", "show", "nope"]) == 2 and "unknown suite" in capsys.readouterr().err

    run_dir, out = tmp_path / "run", tmp_path / "published"
    append_rows(run_dir, planted_rows())
    assert main(["suite", "compare", str(run_dir), "--suite", "pacgan-grid", "--out", str(out), "--no-plots"]) == 0
    for name in ("comparison.md", "comparison.csv", "claims.csv", "leaderboard.md", "leaderboard.csv"):
        text = (out / name).read_text()
        assert "REDUCED" in text and "test box" in text and "9.9" in text, name
    assert len((out / "results.jsonl").read_text().splitlines()) == 30
    # grid25 has two suites: without --suite (and no suite recorded in the rows) it must be named
    assert main(["suite", "compare", str(run_dir)]) == 2 and "pass --suite" in capsys.readouterr().err


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_run_suite_records_the_reduced_protocol_and_compares(tmp_path, capsys, cache):
    out = tmp_path / "run"
    args = ["run", "--suite", "pacgan-ring", "--models", "gan,pacgan2", "--steps", "3", "--eval-every", "3",
            "--n-generated", "100", "--set", "width=0.05", "--out", str(out), "--device", "cpu", "--no-plots"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "suite pacgan-ring: REDUCED protocol" in printed and "steps 3 (pinned 400000)" in printed
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["model"] for r in rows} == {"gan", "pacgan2"} and {r["dataset"] for r in rows} == {"ring8_r1"}
    record = rows[0]["config"]["suite"]
    assert record["name"] == "pacgan-ring" and record["protocol"] == "reduced"
    assert "n_generated 100 (pinned 2500)" in record["deviations"] and "width 0.05 (pinned 1)" in record["deviations"]
    assert rows[0]["config"]["model_config"]["beta1"] == 0.8 and rows[0]["config"]["model_config"]["pack"] == 1
    assert main(["suite", "compare", str(out)]) == 0  # the suite is read from the rows
    assert "Protocol: REDUCED" in capsys.readouterr().out


def test_run_suite_refuses_what_the_suite_does_not_have(tmp_path, capsys):
    base = ["run", "--suite", "pacgan-ring", "--out", str(tmp_path), "--device", "cpu"]
    assert main([*base, "--dataset", "grid25"]) == 2 and "--suite sets the dataset" in capsys.readouterr().err
    assert main([*base, "--models", "wgan_gp"]) == 2 and "has no model wgan_gp" in capsys.readouterr().err
    assert main(["run", "--models", "gan"]) == 2 and "--suite NAME" in capsys.readouterr().err


def test_stacked_mnist_suite_runs_offline_and_says_it_is_not_comparable(tmp_path, capsys, cache):
    out = tmp_path / "run"
    args = ["run", "--suite", "veegan-stacked-mnist", "--models", "dcgan,pacdcgan2", "--steps", "2", "--seeds", "0",
            "--eval-every", "2", "--n-generated", "64", "--batch-size", "8", "--set", "width=0.0625",
            "--out", str(out), "--device", "cpu", "--no-plots"]
    assert main(args) == 0
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["metric"] for r in rows} == {"modes_covered", "high_quality_fraction", "mode_kl"}  # the suite's presets
    assert all(r["status"] == "ok" for r in rows) and {r["model"] for r in rows} == {"dcgan", "pacdcgan2"}
    capsys.readouterr()
    assert main(["suite", "compare", str(out)]) == 0
    text = capsys.readouterr().out
    assert "NOT comparable" in text and "| PacDCGAN2 |" in text and "not implemented" in text


def test_a_comparison_of_several_run_folders_draws_every_folders_samples(tmp_path):
    """A suite's rows may come from several run folders (benchmarks/veegan-grid: the claim rows and ALI's row ran
    apart). The samples figures were drawn once per folder into the same file, so the last folder's models
    overwrote the others' (the published grid showed only ALI's seeds, not the plain GAN's). Drawn once over every
    folder, the per-seed figure has a row per model: twice as tall for two models as for one."""
    from PIL import Image

    from ganbench.report.plots.samples import find_sample_files
    from ganbench.report.publish import publish

    modes = DATASETS.get("grid25").info.modes
    rng = np.random.default_rng(0)
    rows = planted_rows()
    folders = {}
    for model in ("gan", "pacgan4"):
        folders[model] = tmp_path / f"run-{model}"
        append_rows(folders[model], [row for row in rows if row.model == model])
        for seed in range(5):
            cell = folders[model] / "cells" / model / f"seed{seed}"
            cell.mkdir(parents=True)
            points = modes[rng.integers(0, len(modes), 200)] + rng.normal(0, 0.01, (200, 2))
            np.savez(cell / "samples_step2000.npz", points=points.astype(np.float32))
    suite = SUITES.get("pacgan-grid")
    publish([folders["gan"], folders["pacgan4"]], suite, tmp_path / "both")
    publish([folders["pacgan4"]], suite, tmp_path / "one")
    both = Image.open(tmp_path / "both" / "figures" / "samples_by_seed.png").size
    one = Image.open(tmp_path / "one" / "figures" / "samples_by_seed.png").size
    assert both[1] > 1.6 * one[1]
    # the one-seed-per-model figure reads its files the same way
    assert set(find_sample_files([folders["gan"], folders["pacgan4"]])) == {"gan", "pacgan4"}
