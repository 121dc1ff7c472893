"""The command line as a user meets it: unwritable or full outputs refused in one sentence before any work,
offline runs told everything that is missing at once, the grid size guard, the leaderboard's default metrics,
`--help` fast and torch-free, tables that line up, and figures that show what they claim."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest
from support.cli import one_line_error

import ganbench.features.weight_downloads as weights_module
import ganbench.paths as paths_module
import ganbench.scoring.score_generator as generator_scoring
from ganbench.cli import COMMAND_MODULES, build_parser, main
from ganbench.report.results import ResultRow, append_rows, rows_to_frame

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [name.removesuffix("_cmd").replace("_", "-") for name in COMMAND_MODULES]  # probe_metrics_cmd: probe-metrics


@pytest.fixture
def blocked(tmp_path) -> Path:
    """A path no one can write to, root included: its parent is a regular file."""
    (tmp_path / "a-file").write_text("x")
    return tmp_path / "a-file" / "out"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A results file with two models x two seeds of mode_kl and modes_covered on ring8."""
    out = tmp_path_factory.mktemp("run")
    protocol = {"extractor": "none (2-d points)", "reference": "ring8", "n_generated": 500}
    rows = [
        ResultRow(model, "ring8", seed, step, key, value + seed * 0.1, protocol, 1.0, {"model_config": {"steps": 20}})
        for model, value in (("gan", 1.0), ("lsgan", 2.0))
        for seed in (0, 1)
        for step in (10, 20)
        for key in ("mode_kl", "modes_covered", "high_quality_fraction")
    ]
    append_rows(out, rows)
    return out


# ---------------------------------------------------------------- unwritable and full outputs, before any work


def test_unwritable_outputs_are_one_sentence_before_any_work(capsys, tmp_path, blocked, run_dir, monkeypatch):
    def must_not_score(*args, **kwargs):
        raise AssertionError("scored although the output cannot be written")

    monkeypatch.setattr(generator_scoring, "score_generator", must_not_score)
    score = ["score", "--generator", "tiny_generators:tiny", "--dataset", "digits", "--metrics", "fid", "--n", "20",
             "--device", "cpu", "--quiet"]  # fmt: skip
    cases = [
        (["run", "--models", "gan", "--dataset", "ring8", "--steps", "2", "--device", "cpu", "--out", blocked], "--out"),
        (["train", "--model", "gan", "--dataset", "ring8", "--steps", "2", "--device", "cpu", "--out", blocked], "--out"),
        (["plot", run_dir, "--out", blocked], "--out"),
        ([*score, "--json", blocked / "s.json"], "--json"),
        ([*score, "--append", blocked / "r.jsonl"], "--append"),
        (["stats", "--dataset", "digits", "--out", blocked / "s.npz", "--device", "cpu"], "--out"),
        (["leaderboard", run_dir, "--out", blocked / "l.csv"], "--out"),
        (["report", run_dir, "--out", blocked], "--out"),
    ]
    for argv, option in cases:
        error = one_line_error(capsys, *argv)
        assert f"cannot write to {option} " in error and "a-file" in error, (argv[0], error)


def test_a_full_disk_is_one_sentence_before_any_work(capsys, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 100))
    error = one_line_error(capsys, "run", "--models", "gan", "--dataset", "ring8", "--steps", "2", "--device", "cpu",
                           "--out", tmp_path / "run")  # fmt: skip
    assert "is full" in error and str(tmp_path / "run") in error
    assert paths_module.MIN_FREE_BYTES > 100


def test_an_os_error_anywhere_is_still_one_line(capsys, monkeypatch):
    import ganbench.cli.list_cmd as list_cmd

    def disk_gone():
        raise OSError(5, "Input/output error", "/mnt/gone/file")

    monkeypatch.setattr(list_cmd, "list_models", disk_gone)
    error = one_line_error(capsys, "list", "models")
    assert "cannot access /mnt/gone/file (Input/output error)" in error


# ---------------------------------------------------------------- offline


def test_no_download_never_downloads_and_names_everything_missing(capsys, tmp_path, monkeypatch):
    def must_not_download(*args, **kwargs):
        raise AssertionError("downloaded despite --no-download")

    monkeypatch.setattr(weights_module, "download_verified", must_not_download)
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    error = one_line_error(capsys, "stats", "--dataset", "cifar10", "--no-download", "--device", "cpu")
    assert "(1) the InceptionV3 weights are not in the cache and downloading is turned off" in error
    assert "(2) dataset 'cifar10' is missing" in error and "cifar-10-python.tar.gz" in error


def test_offline_stats_reports_the_weights_and_the_data_at_once(capsys, tmp_path, monkeypatch):
    import ganbench.features.inception as inception

    monkeypatch.setattr(inception, "WEIGHTS_URL", "http://127.0.0.1:9/weights-inception-2015-12-05-6726825d.pth")
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    import socket

    def offline(self, address):
        raise OSError(101, "Network is unreachable (test: offline)")

    monkeypatch.setattr(socket.socket, "connect", offline)  # every download fails at once, as on an offline machine
    error = one_line_error(capsys, "stats", "--dataset", "cifar10", "--device", "cpu", "--data-dir", tmp_path / "data")
    assert "could not download the InceptionV3 weights" in error and "dataset 'cifar10' is missing" in error


# ---------------------------------------------------------------- grid size


def test_a_huge_grid_needs_yes(capsys, tmp_path):
    error = one_line_error(capsys, "run", "--models", "gan,lsgan", "--dataset", "ring8", "--seeds", "0-100000",
                           "--steps", "800", "--out", tmp_path / "run")  # fmt: skip
    assert "200,002 cells (2 model(s) x 100,001 seeds, 160,001,600 generator steps in all)" in error
    assert "--yes" in error and not (tmp_path / "run").exists()


# ---------------------------------------------------------------- leaderboard default


def test_leaderboard_ranks_every_ranked_metric_by_default(capsys, run_dir):
    assert main(["leaderboard", str(run_dir)]) == 0
    out = capsys.readouterr().out
    for title in ("modes covered", "high-quality fraction", "mode KL"):
        assert title in out
    assert out.count("rank  model") == 3


# ---------------------------------------------------------------- --help


def test_help_of_every_command_is_torch_free_fast_and_described():
    """`ganbench --help` and every sub-command's --help: no numpy, torch, pandas, matplotlib or scipy imported,
    under 0.6 s of CPU time each (wall time on a shared 2-core box says little), and a description."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    heavy = "[m for m in ('numpy', 'torch', 'pandas', 'matplotlib', 'scipy') if m in sys.modules]"
    for command in ["", *COMMANDS]:
        argv = [command, "--help"] if command else ["--help"]
        code = (
            "import sys; from ganbench.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', {heavy})"
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert "HEAVY []" in result.stdout, (command, result.stdout[-300:])
        assert cpu < 0.6, f"ganbench {command} --help took {cpu:.2f} s of CPU"
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():
        assert sub.description, f"`ganbench {name} --help` has no description"


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("ganbench 0.")


def test_list_tables_line_up(capsys):
    assert main(["list", "metrics"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {line.index(line.split("  ")[-1].strip()) for line in lines if "  " in line}
    header = lines[0]
    assert header.startswith("name") and len(starts) == 1, starts  # every description starts in one column


# ---------------------------------------------------------------- figures


def test_precision_recall_legend_covers_no_point(tmp_path, monkeypatch):
    import ganbench.report.plots.precision_recall as pr

    captured = {}
    monkeypatch.setattr(pr, "save_figure", lambda fig, out_dir, stem, formats: captured.setdefault("fig", fig) and [])
    rows = [
        ResultRow(model, "cifar10", seed, 10, key, value + 0.01 * seed, {"reference": "cifar10"}, 1.0, {})
        for model, value in (("a", 0.02), ("b", 0.05), ("c", 0.95))
        for seed in (0, 1)
        for key in ("precision", "recall")
    ]
    pr.plot_precision_recall(rows_to_frame(rows), tmp_path)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = captured["fig"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    box = ax.get_legend().get_window_extent(renderer)
    points = np.concatenate([collection.get_offsets() for collection in ax.collections])
    pixels = ax.transData.transform(points)
    assert not any(box.contains(x, y) for x, y in pixels)


def test_a_generator_scored_with_append_is_not_drawn_as_a_training_curve(tmp_path, monkeypatch):
    import ganbench.report.plots.curves as curves

    drawn = []
    monkeypatch.setattr(curves, "save_figure", lambda fig, out_dir, stem, formats: drawn.append(fig) or [])
    trained = [ResultRow("gan", "ring8", 0, step, "mode_kl", 1.0 / step, {}, 1.0, {}) for step in (10, 20)]
    appended = [ResultRow("mine", "ring8", 0, 0, "mode_kl", 0.5, {}, 1.0, {})]
    curves.plot_curves(rows_to_frame(trained + appended), tmp_path)
    ax = drawn[0].axes[0]
    assert [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")] == ["gan (1 seed)"]
    assert all(0 not in line.get_xdata() for line in ax.get_lines())
    assert any("Not drawn (scored without training, step 0 only): mine" in text.get_text() for text in drawn[0].texts)
