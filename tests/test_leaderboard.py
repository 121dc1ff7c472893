"""Leaderboard statistics against hand-computed values, ranking rules, protocol separation, outputs and CLI."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from support.rows import protocol

from ganbench.cli import main
from ganbench.errors import GanbenchError
from ganbench.report.leaderboard import LEADERBOARD_COLUMNS, leaderboard
from ganbench.report.results import ResultRow, append_rows, load, rows_to_frame
from ganbench.report.significance import TEST_NAME, bootstrap_ci, mean_std, welch_test

PROTOCOL = protocol(metric_settings={}, device="cpu")


def row(model, seed, value, metric="fid", step=1000, protocol=PROTOCOL, dataset="cifar10", **extra) -> ResultRow:
    return ResultRow(model, dataset, seed, step, metric, value, protocol, 1.0, {}, **extra)


def frame_of(rows) -> pd.DataFrame:
    return rows_to_frame(rows)


def hand_rows() -> list[ResultRow]:
    return [row("A", s, v) for s, v in enumerate([10.0, 12.0, 14.0])] + [
        row("B", s, v) for s, v in enumerate([20.0, 21.0, 22.0])
    ]


def test_mean_std_and_welch_match_the_formula():
    table = leaderboard(frame_of(hand_rows()), "fid").table.set_index("model")
    assert table.loc["A", "mean"] == 12.0 and table.loc["A", "std"] == 2.0
    assert table.loc["B", "mean"] == 21.0 and table.loc["B", "std"] == 1.0
    assert list(table.index) == ["A", "B"] and list(table["rank"]) == [1, 2]

    # Welch by hand: t = (mA - mB) / sqrt(sA^2/nA + sB^2/nB); Welch-Satterthwaite df
    va, vb = 4.0 / 3, 1.0 / 3
    t = (12.0 - 21.0) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 2)
    assert df == pytest.approx(50 / 17)
    p = 2 * stats.t.sf(abs(t), df)
    assert table.loc["A", "vs_next_model"] == "B"
    assert table.loc["A", "vs_next_p"] == pytest.approx(p, rel=1e-10)
    assert p < 0.05 and bool(table.loc["A", "vs_next_significant"]) is True
    result = welch_test([10, 12, 14], [20, 21, 22])
    assert result.t == pytest.approx(t) and result.df == pytest.approx(df) and result.p == pytest.approx(p)
    assert pd.isna(table.loc["B", "vs_next_p"]) and table.loc["B", "vs_next_model"] == ""
    assert table.loc["A", "best_seed_value"] == 10.0  # lower FID is better


def test_bootstrap_ci_is_deterministic_and_sensible():
    values = np.array([10.0, 12.0, 14.0])
    low, high = bootstrap_ci(values)
    assert (low, high) == bootstrap_ci(values)  # same seed, same interval
    assert 10.0 <= low < 12.0 < high <= 14.0
    # 3 values: a resample is all 10s (mean 10) with probability 1/27 = 3.7% > 2.5%, and all 14s likewise,
    # so the 2.5% and 97.5% points of the resample means are exactly 10 and 14
    assert (low, high) == (10.0, 14.0)
    assert bootstrap_ci(values, seed=1) == (10.0, 14.0)
    # four values 0, 0, 0, 4: a resample mean is 0 with probability (3/4)^4 = 32% and at most 4 * 4/4 = 4;
    # its 97.5% point is 3 (P(mean >= 3) = P(three or four 4s) = 13/256 = 5.1%, P(mean = 4) = 0.4%)
    assert bootstrap_ci([0.0, 0.0, 0.0, 4.0]) == (0.0, 3.0)
    # many values: close to the normal interval mean +- 1.96 s / sqrt(n)
    sample = np.random.default_rng(5).normal(50.0, 4.0, 400)
    low, high = bootstrap_ci(sample)
    half = 1.96 * sample.std(ddof=1) / math.sqrt(sample.size)
    assert low == pytest.approx(sample.mean() - half, abs=0.1 * half)
    assert high == pytest.approx(sample.mean() + half, abs=0.1 * half)
    assert all(math.isnan(x) for x in bootstrap_ci([3.0]))
    assert math.isnan(mean_std([3.0])[1])
    table = leaderboard(frame_of(hand_rows()), "fid").table.set_index("model")
    assert (table.loc["A", "ci95_low"], table.loc["A", "ci95_high"]) == bootstrap_ci([10.0, 12.0, 14.0])


def test_ranking_follows_the_metric_direction():
    rows = hand_rows() + [row("A", s, v, "precision") for s, v in enumerate([0.5, 0.6, 0.55])]
    rows += [row("B", s, v, "precision") for s, v in enumerate([0.8, 0.7, 0.75])]
    table = leaderboard(frame_of(rows), "fid,precision").table
    fid = table[table["metric"] == "fid"]
    precision = table[table["metric"] == "precision"]
    assert list(fid["model"]) == ["A", "B"] and set(fid["direction"]) == {"lower"}
    assert list(precision["model"]) == ["B", "A"] and set(precision["direction"]) == {"higher"}
    assert precision["best_seed_value"].iloc[0] == 0.8


def test_last_and_best_steps():
    rows = []
    for seed, curve in enumerate([[50, 30, 35], [48, 28, 31]]):
        rows += [row("A", seed, v, step=step) for step, v in zip((1000, 2000, 3000), curve, strict=True)]
    last = leaderboard(frame_of(rows), "fid", "last")
    best = leaderboard(frame_of(rows), "fid", "best")
    assert last.table["mean"].iloc[0] == 33.0 and last.table["steps"].iloc[0] == "3000"
    assert best.table["mean"].iloc[0] == 29.0 and best.table["steps"].iloc[0] == "2000"
    assert any("optimistic" in note for note in best.notes)
    assert "optimistic" in best.to_text() and "optimistic" not in last.notes


def test_one_seed_has_unknown_interval():
    rows = hand_rows() + [row("C", 0, 15.0)]
    board = leaderboard(frame_of(rows), "fid")
    c = board.table.set_index("model").loc["C"]
    assert c["n_seeds"] == 1 and c["mean"] == 15.0
    assert math.isnan(c["std"]) and math.isnan(c["ci95_low"]) and math.isnan(c["ci95_high"])
    assert c["note"] == "interval unknown (1 seed)"
    assert "interval unknown (1 seed)" in board.to_text()
    a = board.table.set_index("model").loc["A"]  # A vs C: untestable with 1 seed on one side
    assert a["vs_next_model"] == "C" and pd.isna(a["vs_next_p"]) and pd.isna(a["vs_next_significant"])


def test_mixed_protocols_are_ranked_separately_with_the_reason(capsys, tmp_path):
    other = PROTOCOL | {"n_generated": 1000}
    cosmetic = PROTOCOL | {"device": "cuda", "ganbench_version": "9"}  # not a comparable field
    rows = hand_rows() + [row("C", s, v, protocol=other) for s, v in enumerate([5.0, 6.0])]
    rows += [row("D", s, v, protocol=cosmetic) for s, v in enumerate([30.0, 31.0])]
    board = leaderboard(frame_of(rows), "fid")
    groups = board.table.groupby("protocol_key", sort=False)["model"].apply(list).tolist()
    assert groups == [["A", "B", "D"], ["C"]]
    assert board.table.set_index("model").loc["C", "rank"] == 1  # ranked alone, not against A/B/D
    assert len(board.protocol_notes) == 1
    assert "n_generated: 2500 vs 1000" in board.protocol_notes[0]

    append_rows(tmp_path, rows)
    assert main(["leaderboard", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ranked separately" in out and "n_generated: 2500 vs 1000" in out


def test_diverged_and_failed_seeds_are_excluded_and_reported():
    rows = hand_rows()
    rows += [row("C", 0, 11.0), row("C", 1, 13.0), row("C", 2, 12.0, step=500)]
    rows += [row("C", 2, 0.0, metric="*", step=800, status="diverged", reason="loss is NaN")]
    rows += [row("D", s, 0.0, metric="*", step=100, protocol={}, status="failed", reason="CUDA OOM") for s in range(2)]
    # a transient failure before a later good value does not exclude the seed
    rows += [row("B", 0, 0.0, step=500, status="failed", reason="timeout")]
    board = leaderboard(frame_of(rows), "fid")
    table = board.table.set_index("model")
    assert table.loc["C", "n_seeds"] == 2 and table.loc["C", "n_excluded"] == 1
    assert table.loc["C", "mean"] == 12.0  # (11 + 13) / 2: the diverged seed's earlier value is not used
    assert table.loc["C", "excluded"] == "seed 2: diverged at step 800 (loss is NaN)"
    assert table.loc["D", "status"] == "failed" and table.loc["D", "n_seeds"] == 0 and pd.isna(table.loc["D", "rank"])
    assert math.isnan(table.loc["D", "mean"])
    assert table.loc["B", "n_seeds"] == 3 and table.loc["B", "n_excluded"] == 0
    assert list(board.table["model"]) == ["A", "C", "B", "D"]  # unranked models last
    text = board.to_text()
    assert "C seed 2 diverged" in text and "D seed 0 failed" in text and "excluded from all statistics" in text


def test_outputs_and_cli(tmp_path, capsys):
    rows = hand_rows() + [row(m, s, v, "precision") for m in "AB" for s, v in enumerate([0.5, 0.6, 0.7])]
    append_rows(tmp_path / "run", rows)
    board = leaderboard(load(tmp_path / "run"), "fid")
    csv_path = board.write(tmp_path / "board.csv")
    with open(csv_path) as handle:
        records = list(csv.DictReader(handle))
    assert list(records[0]) == list(LEADERBOARD_COLUMNS)
    assert records[0]["model"] == "A" and records[0]["rank"] == "1" and records[0]["vs_next_significant"] == "True"
    assert records[1]["vs_next_p"] == "" and records[0]["seed_values"] == "0:10;1:12;2:14"
    markdown = board.write(tmp_path / "board.md").read_text()
    assert TEST_NAME in markdown and "| rank |" in markdown and "bootstrap" in markdown
    page = board.write(tmp_path / "board.html").read_text()
    assert "<caption>" in page and "Welch&#x27;s t-test" in page
    with pytest.raises(GanbenchError, match=r"\.csv, \.md or \.html"):
        board.write(tmp_path / "board.txt")

    out_file = tmp_path / "cli.csv"
    assert main(["leaderboard", str(tmp_path / "run"), "--metric", "fid,precision", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "FID ↓" in out and "precision ↑" in out and TEST_NAME in out
    assert set(pd.read_csv(out_file)["metric"]) == {"fid", "precision"}

    for argv, fragment in [
        (["--metric", "is_std"], "is a spread"),
        (["--metric", "kid_mean"], "no rows for kid_mean"),
        (["--metric", "nonsense"], "no registered metric"),
        (["--out", str(tmp_path / "x.json")], ".csv, .md or .html"),
    ]:
        assert main(["leaderboard", str(tmp_path / "run"), *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("ganbench: error:") == 1 and fragment in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_duplicate_measurements_use_the_last_written():
    rows = hand_rows() + [row("A", 0, 16.0)]  # seed 0 of A re-measured at the same step
    board = leaderboard(frame_of(rows), "fid")
    assert board.table.set_index("model").loc["A", "mean"] == 14.0
    assert any("duplicate" in note for note in board.notes)
