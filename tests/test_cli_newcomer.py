"""A newcomer's first hour (issue 25, the small items): the speed estimate once per grid and aware of --jobs,
`list datasets` with the points' real reference count, an unused --inception-weights said, progress in a log
file as whole lines."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace

import pytest
from support.grids import one_thread_and_cache, ring_grid  # noqa: F401  (a fixture)

from ganbench.cli import main
from ganbench.progress import PlainProgress, progress_bar
from ganbench.train.timing import estimate_line


@pytest.mark.usefixtures("one_thread_and_cache")
def test_the_estimate_is_printed_once_per_grid(tmp_path, monkeypatch, capsys):
    import ganbench.train.loop as loop
    from ganbench.runner.grid import run_grid

    monkeypatch.setattr(loop, "ESTIMATE_AFTER_S", 0.0)  # every segment would print at its first timed step
    config = ring_grid(tmp_path / "run", overrides={"steps": "6", "batch_size": "16", "width": "0.25"}, eval_every=2,
                       n_generated=100)  # fmt: skip
    run_grid(config, log=lambda line: None)
    lines = [line for line in capsys.readouterr().err.splitlines() if "estimate:" in line]
    assert len(lines) == 1 and "for 2 runs one after another" in lines[0], lines


def test_the_estimate_counts_the_jobs():
    line = estimate_line(10.0, 100, 1000, 4, jobs=2)  # 100 s per run, 4 runs 2 at a time: 200 s
    assert "2m per run" in line and "3m for 4 runs 2 at a time (--jobs 2)" in line
    assert estimate_line(10.0, 100, 1000, 1, jobs=2).endswith("for 1 run one after another")


def test_list_datasets_shows_the_reference_count_scoring_uses(capsys):
    assert main(["list", "datasets"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ring8_r1 "))
    assert "2500/100000" in row


def test_an_unused_inception_weights_file_is_said(tmp_path):
    from ganbench.scoring.config import ScoreConfig
    from ganbench.scoring.job import _WARNED, plan_jobs

    _WARNED.clear()
    plain = ScoreConfig(dataset="ring8")
    config = replace(plain, extractor_config=replace(plain.extractor_config, inception_weights="/nonexistent.pt"))
    with pytest.warns(UserWarning, match="--inception-weights is not used: ring8 is scored without InceptionV3"):
        plan_jobs(config)


def test_progress_in_a_log_file_is_whole_lines():
    stream = io.StringIO()
    bar = PlainProgress(100, desc="train", unit="step", stream=stream)
    for _ in range(100):
        bar.set_postfix({"d_loss": "0.69"})
        bar.update(1)
    text = stream.getvalue()
    assert "\r" not in text and text.count("\n") == 10
    assert text.splitlines()[-1].startswith("train: 100/100 step (100%)") and "d_loss 0.69" in text


def test_progress_bar_is_plain_when_stderr_is_not_a_terminal():
    code = "from ganbench.progress import progress_bar, PlainProgress; print(isinstance(progress_bar(10), PlainProgress))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
    assert not isinstance(progress_bar(10, enabled=False), PlainProgress)
