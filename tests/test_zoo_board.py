"""benchmarks/zoo-mnist5k: its comparison.md is what publish.py writes from the published folder today (never
hand-edited, never stale), the board meets issue 26's bar (every family at least 3 seeds, the best recall at
least 0.2), and the VAE-against-GAN test gives the known answers on planted seeds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ganbench.report.results import load

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "zoo-mnist5k"


@pytest.fixture(scope="module")
def publish():
    spec = importlib.util.spec_from_file_location("zoo_publish", FOLDER / "publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_published_comparison_is_regenerated_from_the_published_files(publish):
    assert publish.comparison_text(FOLDER) == (FOLDER / "comparison.md").read_text(), (
        "benchmarks/zoo-mnist5k/comparison.md is stale: rerun `python benchmarks/zoo-mnist5k/publish.py "
        "benchmarks/zoo-mnist5k benchmarks/zoo-mnist5k`"
    )


def test_the_board_has_every_family_at_three_seeds_and_a_recall_that_says_something(publish):
    grid = json.loads((FOLDER / "grid.json").read_text())
    values = publish.last_values(load(FOLDER))
    seeds = values.reset_index().groupby("model")["seed"].nunique()
    assert set(seeds.index) == set(grid["models"])
    assert seeds.min() >= 3
    assert values.groupby("model")["recall"].mean().max() >= publish.RECALL_BAR


def planted(vae_gap: float, gan_gaps: dict[str, float], spread: float = 0.01) -> pd.DataFrame:
    """(model, seed) x {precision, recall} with recall - precision = the given gap +- spread over 3 seeds."""
    rows = []
    for model, gap in {"vae": vae_gap, **gan_gaps}.items():
        for seed, noise in enumerate((-spread, 0.0, spread)):
            rows.append({"model": model, "seed": seed, "precision": 0.5, "recall": 0.5 + gap + noise})
    return pd.DataFrame(rows).set_index(["model", "seed"])


def test_the_vae_test_finds_a_planted_difference_either_way_and_none_where_there_is_none(publish):
    values = planted(0.3, {"higher_gan": 0.6, "lower_gan": -0.45, "same_gan": 0.3})
    lines = publish.vae_against_gans(values, ["higher_gan", "lower_gan", "same_gan"])
    by_model = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| ") and "_gan" in line}
    assert by_model["higher_gan"].endswith("the GAN trades more precision for recall |")
    assert by_model["lower_gan"].endswith("the VAE trades more precision for recall |")
    assert by_model["same_gan"].endswith("no difference shown |")
    # recall is 0.5 + gap: lower_gan (0.05) is the one GAN below 0.2
    assert (
        "recall at least 0.2: 2. The VAE trades more precision for recall than 0, less than 1; no difference shown for 1"
        in lines[-2]
    )
    assert "recall below 0.2: 1. The VAE trades more precision for recall than 1, less than 0" in lines[-1]


def test_the_adjusted_p_is_benjamini_hochberg_of_the_welch_p_values(publish):
    from scipy import stats

    values = planted(0.3, {"a": 0.32, "b": 0.35, "c": 0.5}, spread=0.03)
    lines = [
        line for line in publish.vae_against_gans(values, ["a", "b", "c"]) if line.startswith("| ") and line[2] in "abc"
    ]
    raw = [float(line.split(" | ")[3]) for line in lines]
    adjusted = [float(line.split(" | ")[4]) for line in lines]
    vae = values.loc["vae"].eval("recall - precision").to_numpy()
    exact = [
        stats.ttest_ind(vae, values.loc[m].eval("recall - precision").to_numpy(), equal_var=False).pvalue for m in "abc"
    ]
    np.testing.assert_allclose(raw, exact, rtol=1e-2)
    np.testing.assert_allclose(adjusted, stats.false_discovery_control(exact), rtol=1e-2)
    assert all(a >= r for a, r in zip(adjusted, raw, strict=True))


def test_equal_seeds_on_both_sides_are_untestable_not_a_difference(publish):
    values = planted(0.3, {"flat": 0.1}, spread=0.0)
    lines = publish.vae_against_gans(values, ["flat"])
    assert any("untestable" in line and line.startswith("| flat") for line in lines)
