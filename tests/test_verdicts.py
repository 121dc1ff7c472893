"""Verdicts of `suite compare`: too few seeds, at chance, inconclusive and Welch before agreement (issues 24, 25);
chance baselines that a planted mode-blind generator cannot beat; the first line's fraction of the protocol."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from ganbench.data.base import DATASETS, DataConfig, DataShape
from ganbench.metrics.chance import bounding_box, ring_radius, smeared_modes, uniform_in_box
from ganbench.metrics.modes import count_point_modes
from ganbench.models.base import MODELS
from ganbench.report.chance import chance_baselines
from ganbench.report.comparison import compare
from ganbench.report.comparison_table import protocol_fraction, to_frame, to_markdown
from ganbench.report.results import ResultRow, append_rows, load
from ganbench.report.verdicts import MIN_SEEDS, chance_test, claim_verdict, number_verdict
from ganbench.suites.base import SUITES

PROTOCOL = {"n_generated": 2500, "metric_settings": {"mode_quality_stds": 3.0, "mode_min_count": 1}}


def rows_for(model: str, dataset: str, per_seed: list[dict[str, float]], steps: int = 2000) -> list[ResultRow]:
    """Result rows of `model` on `dataset`, one seed per dict of metric values, under PacGAN's settings."""
    recorded = dataclasses.asdict(MODELS.get(model).default_config(DataShape("points", 2)))
    config = {"model_config": {**recorded, "steps": steps}, "machine": "test box"}
    return [
        ResultRow(model, dataset, seed, steps, metric, value, PROTOCOL, 1.0, config)
        for seed, values in enumerate(per_seed)
        for metric, value in values.items()
    ]


def scored(points, dataset: str) -> dict[str, float]:
    info = DATASETS.get(dataset).info
    return count_point_modes(points, info.modes, info.mode_std).as_metrics()


def by_key(comparison):
    return {(n.label, n.metric): n for n in comparison.numbers}


def test_two_seeds_never_agree_issue_25_examples(tmp_path):
    """Issue 25: 2 seeds, GAN modes 2.00 with CI [-10.71, 14.71] and ALI 2.50 against 6.60 (Welch p = 0.025) both
    read 'agrees'; below MIN_SEEDS the verdict is 'too few seeds'."""
    gan = [{"modes_covered": v, "high_quality_fraction": 0.9, "mode_kl": 0.3} for v in (1.0, 3.0)]
    ali = [{"modes_covered": v, "high_quality_fraction": 0.9, "mode_kl": 0.3} for v in (2.0, 3.0)]
    append_rows(tmp_path, rows_for("gan", "ring8_r1", gan) + rows_for("ali", "ring8_r1", ali))
    numbers = by_key(compare(load(tmp_path), SUITES.get("pacgan-ring"), "x"))
    gan_modes, ali_modes = numbers[("GAN", "modes_covered")], numbers[("ALI", "modes_covered")]
    assert (gan_modes.ours_low, gan_modes.ours_high) == pytest.approx((-10.706, 14.706), abs=1e-3)
    assert ali_modes.ours_mean == 2.5 and ali_modes.welch_p == pytest.approx(0.02495, abs=1e-4)
    # what the overlap rule alone said, and what is said now
    assert gan_modes.paper_low < gan_modes.ours_high and ali_modes.ours_high > ali_modes.paper_low
    assert gan_modes.verdict == ali_modes.verdict == "too few seeds" and MIN_SEEDS == 3
    assert all(n.verdict in ("too few seeds", "not run", "not implemented") for n in numbers.values())


def test_welch_below_alpha_and_an_interval_wider_than_the_range_never_agree():
    # three seeds whose interval overlaps the paper's, but Welch p < 0.05: not agreement
    assert number_verdict(3, 2.5, (0.5, 7.0), 6.6, (5.9, 7.3), 0.02, 8.0, False) == "lower"
    assert number_verdict(3, 7.0, (6.0, 8.0), 6.6, (5.9, 7.3), 0.30, 8.0, False) == "agrees"
    # an interval wider than modes 0..8 excludes nothing
    assert number_verdict(3, 4.0, (-6.0, 14.0), 6.6, (5.9, 7.3), 0.30, 8.0, False) == "inconclusive"
    assert number_verdict(3, 4.0, (-6.0, 14.0), 6.6, (5.9, 7.3), 0.30, None, False) == "agrees"  # unbounded metric
    assert number_verdict(5, 7.0, (6.0, 8.0), 6.6, (5.9, 7.3), 0.30, 8.0, True) == "at chance"
    assert number_verdict(2, 7.0, (6.0, 8.0), 6.6, (5.9, 7.3), 0.30, 8.0, True) == "too few seeds"


def test_claims_need_seeds_and_rows_above_chance():
    assert claim_verdict(2, 5, 1.0, 0.001, False) == "too few seeds"
    assert claim_verdict(5, 5, 1.0, 0.001, True) == "untestable (neither row above chance)"
    assert claim_verdict(5, 5, 1.0, 0.001, False) == "supported (p < 0.05)"
    assert claim_verdict(5, 5, -1.0, 0.001, False).startswith("contradicted")


def test_chance_test_takes_the_most_favourable_baseline_and_welch_against_its_draws():
    draws = {"low": np.array([1.0, 2.0, 3.0]), "high": np.array([6.0, 7.0, 8.0])}
    found = chance_test([7.5, 8.0, 8.5], draws, "higher")
    assert found.baseline == "high" and found.mean == 7.0
    assert found.p == pytest.approx(stats.ttest_ind([7.5, 8.0, 8.5], [6.0, 7.0, 8.0], equal_var=False).pvalue)
    assert found.at_chance  # better, but not at p < 0.05
    assert not chance_test([20.0, 21.0, 22.0], draws, "higher").at_chance
    assert chance_test([0.5, 0.6, 0.7], draws, "lower").baseline == "low"
    assert chance_test([8.0, 8.0, 8.0], {"c": np.array([8.0, 8.0])}, "higher").at_chance  # no spread: means decide


def test_chance_baselines_are_scored_at_the_suite_protocol_and_match_closed_forms():
    grid = {b.name: b for b in chance_baselines(SUITES.get("pacgan-grid"))}
    assert set(grid) == {"chance: uniform", "chance: smeared"} and all(len(v) == 20 for v in grid["chance: smeared"].values.values())
    # grid std x 10: a sample is within 3 (original) stds of its mode with probability 1 - exp(-9 / 200)
    assert grid["chance: smeared"].values["high_quality_fraction"].mean() == pytest.approx(1 - math.exp(-0.045), abs=0.003)
    assert grid["chance: uniform"].values["modes_covered"].mean() > 20  # issue 24's probe: 22.6 of 25 over [-4.5, 4.5]
    ring = {b.name: b for b in chance_baselines(SUITES.get("pacgan-ring"))}
    assert "radius 1 +- 0.1" in ring["chance: smeared"].description
    assert ring["chance: smeared"].values["modes_covered"].mean() > 7.5
    again = chance_baselines(SUITES.get("pacgan-ring"))
    assert all(np.array_equal(a.values[k], b.values[k]) for a, b in zip(again, ring.values(), strict=True) for k in a.values)
    assert chance_baselines(SUITES.get("veegan-stacked-mnist")) == []  # not point data


def test_ring_detection_and_smearing():
    ring, grid = DATASETS.get("ring8_r1").info, DATASETS.get("grid25").info
    assert ring_radius(ring.modes) == pytest.approx(1.0) and ring_radius(grid.modes) is None
    points = smeared_modes(ring.modes, ring.mode_std, 5000, np.random.default_rng(0))
    radii = np.linalg.norm(points, axis=1)
    assert radii.min() >= 0.9 - 1e-9 and radii.max() <= 1.1 + 1e-9
    low, high = bounding_box(points)
    assert np.all(uniform_in_box(low, high, 100, np.random.default_rng(1)) >= low)


def test_a_planted_uniform_generator_is_at_chance_and_its_claims_untestable(tmp_path):
    """Issue 24: a generator drawing uniformly over the data's box must read 'at chance' on every metric, and a
    claim between two such generators is untestable."""
    info = DATASETS.get("grid25").info
    low, high = bounding_box(DATASETS.get("grid25").load("train", DataConfig()).data)
    def uniform(seed):
        return scored(uniform_in_box(low, high, 2500, np.random.default_rng([99, seed])), "grid25")
    real = DATASETS.get("grid25").load("test", DataConfig()).data
    append_rows(tmp_path, rows_for("gan", "grid25", [uniform(s) for s in range(5)]))
    append_rows(tmp_path, rows_for("pacgan4", "grid25", [uniform(s) for s in range(5, 10)]))
    append_rows(tmp_path, rows_for("pacgan2", "grid25", [scored(real[s * 2500 : (s + 1) * 2500], "grid25") for s in range(4)]))
    comparison = compare(load(tmp_path), SUITES.get("pacgan-grid"), "x")
    numbers = by_key(comparison)
    for label in ("GAN", "PacGAN4"):
        for metric in ("modes_covered", "high_quality_fraction", "mode_kl"):
            assert numbers[(label, metric)].verdict == "at chance", (label, metric)
    # real data (98.9% high quality) is far above chance on quality, so its numbers are compared with the paper's
    assert numbers[("PacGAN2", "high_quality_fraction")].verdict == "higher"
    assert numbers[("PacGAN2", "high_quality_fraction")].chance_p < 1e-10
    assert info.num_classes == 25
    claims = {c.text: c.verdict for c in comparison.claims}
    assert claims["PacGAN4 covers more modes than GAN"] == "untestable (neither row above chance)"
    text = to_markdown(comparison)
    assert "| chance: uniform |" in text and "| chance: smeared |" in text and "at chance" in text
    frame = to_frame(comparison)
    assert (frame["verdict"] == "chance baseline").sum() == 6
    assert set(frame[frame["model"].isin(["gan", "pacgan4"])]["verdict"]) == {"at chance"}


def test_a_planted_collapsed_generator_is_below_chance_not_at_chance(tmp_path):
    """The plain GAN on one ring mode covers fewer modes than points spread over the box: its modes read 'below
    chance' (worse than every baseline), yet it still cannot agree with the paper's 1.0, and its high-quality
    share (every sample on a mode) is far above chance and compared with the paper's."""
    info = DATASETS.get("ring8_r1").info
    def collapsed(seed):
        rng = np.random.default_rng([5, seed])
        return scored(info.modes[seed % 8] + info.mode_std * rng.normal(size=(2500, 2)), "ring8_r1")
    append_rows(tmp_path, rows_for("veegan_gan", "ring8_r1", [collapsed(s) for s in range(5)], steps=100_000))
    comparison = compare(load(tmp_path), SUITES.get("veegan-ring"), "x")
    numbers = by_key(comparison)
    modes = numbers[("GAN", "modes_covered")]
    assert modes.ours_mean == 1.0 and modes.verdict == "below chance" and modes.chance_p < 1e-6
    assert numbers[("GAN", "high_quality_fraction")].verdict not in ("at chance", "below chance")
    # the same rule where ours lies between the baselines (7.0 modes: worse than smeared, better than uniform)
    baselines = {"uniform": np.array([6.0, 6.3, 6.5, 6.2]), "smeared": np.array([7.9, 8.0, 7.9, 8.0])}
    between = chance_test(np.array([7.0, 7.1, 6.9, 7.0, 7.0]), baselines, "higher")
    assert between.at_chance and not between.below
    below = chance_test(np.array([1.0, 0.0, 1.0, 1.0, 2.0]), baselines, "higher")
    assert below.at_chance and below.below


def test_the_first_line_says_what_fraction_of_the_protocol_ran(tmp_path):
    values = [{"modes_covered": 20.0 + s, "high_quality_fraction": 0.9, "mode_kl": 0.1} for s in range(5)]
    append_rows(tmp_path / "reduced", rows_for("gan", "grid25", values, steps=2000))
    comparison = compare(load(tmp_path / "reduced"), SUITES.get("pacgan-grid"), "x")
    reduced = "REDUCED protocol: 0.5% of the steps (2,000 of 400,000), 5 of 10 seeds; rows not run: ALI, PacGAN2, PacGAN3, PacGAN4"
    assert protocol_fraction(comparison) == reduced
    assert to_markdown(comparison).splitlines()[0].endswith(reduced)
    full = [{**v, "modes_covered": 24.0} for v in values + values]
    for model in ("gan", "ali", "pacgan3", "pacgan4"):
        append_rows(tmp_path / "full", rows_for(model, "grid25", full, steps=400_000))
    comparison = compare(load(tmp_path / "full"), SUITES.get("pacgan-grid"), "x")
    assert protocol_fraction(comparison) == "full protocol (400,000 steps, 10 of 10 seeds); rows not run: PacGAN2"
    # a published row with no results yet is named, so a full protocol of some rows never reads as the whole table
    append_rows(tmp_path / "full", rows_for("pacgan2", "grid25", full, steps=400_000))
    comparison = compare(load(tmp_path / "full"), SUITES.get("pacgan-grid"), "x")
    assert protocol_fraction(comparison) == "full protocol (400,000 steps, 10 of 10 seeds)"
    # cells at different steps: the share is a range, never the furthest cell's alone
    append_rows(tmp_path / "mixed", rows_for("gan", "grid25", values, steps=400_000))
    append_rows(tmp_path / "mixed", rows_for("pacgan2", "grid25", values, steps=100_000))
    comparison = compare(load(tmp_path / "mixed"), SUITES.get("pacgan-grid"), "x")
    assert protocol_fraction(comparison).startswith("REDUCED protocol: 25-100% of the steps (100,000-400,000 of 400,000)")


def test_a_suite_without_a_table_shows_ours_beside_chance(tmp_path):
    """The WGAN-GP toy suites publish no table: ours is still shown beside the chance baselines."""
    info = DATASETS.get("ring8").info
    smeared = [scored(smeared_modes(info.modes, info.mode_std, 2500, np.random.default_rng([7, s])), "ring8") for s in range(3)]
    real = DATASETS.get("ring8").load("test", DataConfig()).data
    append_rows(tmp_path / "smeared", rows_for("wgan_gp", "ring8", smeared))
    append_rows(tmp_path / "real", rows_for("wgan_gp", "ring8", [scored(real[s * 2500 : (s + 1) * 2500], "ring8") for s in range(3)]))
    suite = SUITES.get("wgangp-toy-ring")
    at_chance = by_key(compare(load(tmp_path / "smeared"), suite, "x"))
    assert {n.verdict for n in at_chance.values()} == {"at chance"}
    learned = compare(load(tmp_path / "real"), suite, "x")
    assert by_key(learned)[("wgan_gp (no published row)", "high_quality_fraction")].verdict == "above chance"
    text = to_markdown(learned)
    assert "| wgan_gp (no published row) | - | wgan_gp |" in text and "| chance: smeared |" in text
