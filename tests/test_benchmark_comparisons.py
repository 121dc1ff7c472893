"""The published comparisons in benchmarks/ are what `ganbench suite compare` writes from their stored rows today
(never hand-edited, never stale), and every one on point data shows chance baselines and uses the chance verdicts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ganbench.data.base import DATASETS
from ganbench.report.comparison import compare
from ganbench.report.comparison_table import to_markdown
from ganbench.report.publish import load_suite_rows
from ganbench.suites.base import SUITES

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
#: suite comparisons (`suite compare --out` writes comparison.csv beside comparison.md; zoo-mnist5k is no suite)
PUBLISHED = sorted(path.parent for path in BENCHMARKS.glob("*/comparison.csv"))


@pytest.mark.parametrize("folder", PUBLISHED, ids=lambda p: p.name)
def test_a_published_comparison_is_regenerated_from_its_rows(folder):
    suite = SUITES.get(pd.read_csv(folder / "comparison.csv")["suite"].iloc[0])
    comparison = compare(load_suite_rows([folder], suite), suite, "unused: the rows record their machine")
    assert to_markdown(comparison) == (folder / "comparison.md").read_text(), (
        f"{folder} is stale: rerun `ganbench suite compare {folder} --suite {suite.name} --out {folder} --no-plots`"
    )
    if DATASETS.get(suite.dataset).info.kind == "points":
        verdicts = set(pd.read_csv(folder / "comparison.csv")["verdict"])
        assert "chance baseline" in verdicts and verdicts & {"at chance", "below chance"}


def test_there_are_point_data_comparisons_to_check():
    assert {p.name for p in PUBLISHED} >= {"pacgan-ring", "pacgan-grid", "pacgan-grid-10k"}
