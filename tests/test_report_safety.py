"""What reports and leaderboards carry out of a run directory (issue 23): `ganbench report` never follows a link
out of the run (comparison files, grid.json, memorization figures, sample files), a model name cannot put raw
HTML or Markdown into leaderboard.md nor a formula into a spreadsheet cell of leaderboard.csv, rows of several
ganbench or torch versions in one ranking get a note, and `--help` texts print "95% CI"."""

from __future__ import annotations

import base64
import csv
import io
import re

import numpy as np
import pytest
from PIL import Image
from support.rows import protocol

from ganbench.cli import build_parser, main
from ganbench.report.html import REPORT_FILE
from ganbench.report.leaderboard import leaderboard
from ganbench.report.results import ResultRow, append_rows, load

SECRET = "SECRET-MARKER-7731"


def rows(models=("good", "bad"), values=(1.0, 2.0), versions=("0.1.0", "0.1.0")) -> list[ResultRow]:
    return [
        ResultRow(model, "cifar10", seed, 10, "fid", value + seed / 10, protocol(ganbench_version=version), 1.0, {})
        for model, value, version in zip(models, values, versions, strict=True)
        for seed in (0, 1)
    ]


def png(path, colour) -> bytes:
    Image.fromarray(np.full((8, 8, 3), colour, np.uint8)).save(path)
    return path.read_bytes()


def test_the_report_does_not_follow_links_out_of_the_run(tmp_path, capsys):
    run, elsewhere = tmp_path / "run", tmp_path / "elsewhere"
    elsewhere.mkdir()
    append_rows(run, rows())
    secret_text = elsewhere / "secret.txt"
    secret_text.write_text(f"{SECRET}\n")
    secret_png = png(elsewhere / "secret.png", 13)
    (run / "comparison_evil.md").symlink_to(secret_text)
    (run / "comparison_evil.csv").symlink_to(secret_text)
    (run / "grid.json").symlink_to(secret_text)
    (run / "figures").mkdir()
    (run / "figures" / "memorization_evil.png").symlink_to(elsewhere / "secret.png")
    (run / "cells" / "good" / "seed0").mkdir(parents=True)
    (run / "cells" / "good" / "seed0" / "samples_step10.png").symlink_to(elsewhere / "secret.png")
    (run / "comparison_inside.md").write_text("INSIDE-MARKER\n")  # a file of the run itself is still shown
    (run / "comparison_link_inside.md").symlink_to(run / "comparison_inside.md")  # and a link within the run
    mine = png(run / "figures" / "memorization_mine.png", 200)

    assert main(["report", str(run), "--out", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / REPORT_FILE).read_text()
    assert SECRET not in page and base64.b64encode(secret_png).decode() not in page
    assert page.count("INSIDE-MARKER") == 2 and base64.b64encode(mine).decode() in page
    err = capsys.readouterr().err
    assert "link out of the run directory" in err and "Traceback" not in err


HOSTILE = "<img src=x onerror=alert(1)>**x**[l](http://e)|"


def test_markdown_leaderboards_show_a_model_name_as_text(tmp_path):
    board = leaderboard(load_rows(tmp_path, rows(models=(HOSTILE, "=HYPERLINK(\"http://e\")"))), "fid")
    markdown = board.write(tmp_path / "board.md").read_text()
    assert not re.search(r"(?<!\\)[<>]", markdown) and "**x**" not in markdown and "[l](" not in markdown
    assert r"\<img src=x onerror=alert(1)\>\*\*x\*\*\[l\](http://e)\|" in markdown
    assert markdown.count("\n| ") == 3  # the header and the two models: no cell broke the table


def test_csv_cells_that_would_be_formulas_are_neutralised_and_numbers_stay_numbers(tmp_path):
    from ganbench.report.leaderboard_table import csv_cell

    names = ("=HYPERLINK(\"http://e\")", "-2+3")
    board = leaderboard(load_rows(tmp_path, rows(models=names, values=(-1.5, -0.5))), "fid")
    records = list(csv.DictReader(io.StringIO(board.write(tmp_path / "board.csv").read_text())))
    assert {r["model"] for r in records} == {"'=HYPERLINK(\"http://e\")", "'-2+3"}
    assert sorted(float(r["mean"]) for r in records) == pytest.approx([-1.45, -0.45])
    assert [csv_cell(v) for v in ("@SUM(A1)", "\tx", "\rx", "+1+1", "-0.25", "1e-3", -4.0, "fid")] == [
        "'@SUM(A1)", "'\tx", "'\rx", "'+1+1", "-0.25", "1e-3", -4.0, "fid"
    ]  # fmt: skip


def load_rows(tmp_path, made):
    append_rows(tmp_path / "run", made)
    return load(tmp_path / "run")


def test_rows_of_several_versions_in_one_ranking_get_a_note(tmp_path):
    board = leaderboard(load_rows(tmp_path, rows(versions=("0.1.0", "0.2.0"))), "fid")
    notes = [note for notes in board.group_notes.values() for note in notes]
    assert any("several versions (ganbench 0.1.0, 0.2.0)" in note for note in notes), notes
    assert "several versions" in board.to_text()
    same = leaderboard(load_rows(tmp_path / "b", rows()), "fid")
    assert not any("several versions" in note for notes in same.group_notes.values() for note in notes)


def test_no_help_text_prints_a_doubled_percent(capsys):
    parser = build_parser()
    commands = next(action for action in parser._actions if action.dest == "command").choices
    for name, sub in commands.items():
        assert "%%" not in sub.format_help(), name
    assert "95% CI" in commands["report"].format_help()
