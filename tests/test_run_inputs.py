"""`ganbench run` inputs that used to be silently odd (issue 23): `--seeds ''`, results.jsonl that is a folder,
`--amp bf16` on the CPU recorded as used, `--jobs 1000` announced as 1000 processes."""

from __future__ import annotations

import json

import pytest
from support.grids import one_thread_and_cache, ring_grid  # noqa: F401 (fixture)

from ganbench.cli import main
from ganbench.report.results import read_rows
from ganbench.runner.grid import run_grid

pytestmark = pytest.mark.usefixtures("one_thread_and_cache")

TINY = ["--models", "gan", "--dataset", "ring8", "--steps", "4", "--batch-size", "64", "--set", "width=0.25",
        "--eval-every", "4", "--n-generated", "200", "--device", "cpu", "--no-plots"]  # fmt: skip


def one_sentence(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("ganbench: error: ") and err.count("\n") == 1, err
    return err


def test_empty_seeds_are_an_error_not_seed_0(tmp_path, capsys):
    assert main(["run", *TINY, "--seeds", "", "--out", str(tmp_path / "run")]) == 2
    assert "no seeds given" in one_sentence(capsys)
    assert not (tmp_path / "run" / "cells").exists()


def test_a_results_file_that_is_a_folder_is_refused_before_training(tmp_path, capsys):
    out = tmp_path / "run"
    (out / "results.jsonl").mkdir(parents=True)
    assert main(["run", *TINY, "--out", str(out)]) == 2
    assert "results.jsonl is a folder" in one_sentence(capsys)
    assert not (out / "cells").exists()


def test_bf16_on_the_cpu_is_recorded_as_not_used(tmp_path):
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="--amp bf16 is only used on CUDA"):
        run_grid(ring_grid(out, seeds=(0,), amp="bf16", eval_every=20), log=lambda line: None)
    rows = read_rows(out)
    assert rows and {row.config["amp"] for row in rows} == {"none"}
    run_json = json.loads((out / "cells" / "gan" / "seed0" / "run.json").read_text())
    assert run_json["run_config"]["amp"] == "none"


def test_the_parallel_process_count_is_the_number_that_runs(tmp_path, monkeypatch):
    import ganbench.runner.executors as executor

    monkeypatch.setattr(executor, "run_cells", lambda jobs, slots, log, group, *threads: [])
    lines: list[str] = []
    run_grid(ring_grid(tmp_path / "run", jobs=1000), log=lines.append)
    running = next(line for line in lines if line.startswith("running "))
    assert running == "running 2 cell(s) on 2 parallel processes on cpu", running


def test_a_family_that_cannot_build_for_the_dataset_is_refused_before_any_cell_runs(capsys, tmp_path):
    """VEEGAN's networks are 2-D only. The run used to start the cell and record it failed at step 0 with a
    matrix-shape RuntimeError; the planner now refuses it with the family's own sentence, exit 2, nothing
    written."""
    out = tmp_path / "run"
    assert main(["run", "--models", "veegan", "--dataset", "digits", "--seeds", "0", "--steps", "5", "--out", str(out)]) == 2
    assert "2-D points only" in one_sentence(capsys)
    assert not out.exists()
