"""What the report page shows (issue 25): per-model training losses and leaderboard charts, a suite's comparison
rendered like comparison.md, the sampling said once instead of one row's seed, one p-value per leaderboard row,
2-D samples with each mode marked covered or missed by the metric's rule, one colour per model, shared axes."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from ganbench.cli import main
from ganbench.report.html import REPORT_FILE
from ganbench.report.plots.mode_coverage import coverage, shared_limits
from ganbench.report.results import load


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory):
    """gan and pacgan2 under suite pacgan-ring (ring8_r1), 2 seeds, 20 steps scored at 10 and 20, one thread."""
    out = tmp_path_factory.mktemp("suite-run")
    argv = ["run", "--suite", "pacgan-ring", "--models", "gan,pacgan2", "--seeds", "0,1", "--steps", "20",
            "--eval-every", "10", "--out", str(out), "--threads", "1"]  # fmt: skip
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def page(suite_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["report", str(suite_run), "--out", str(out)]) == 0
    return (out / REPORT_FILE).read_text()


def section(page: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.S)
    assert found, f"no section {anchor}"
    return found.group(1)


def test_the_page_shows_each_models_training_losses_and_the_leaderboard_charts(page):
    losses = section(page, "losses")
    assert losses.count('<img src="data:image/png;base64,') == 2  # gan and pacgan2
    assert "gan:" in losses and "pacgan2:" in losses
    bars = section(page, "bars")
    assert bars.count("<img ") == 3  # modes covered, high-quality fraction, mode KL


def test_a_suites_comparison_is_rendered_like_comparison_md(page):
    comparison = section(page, "comparison")
    assert "PacGAN Table 1" in comparison and "<h4>modes (<code>modes_covered</code>)</h4>" in comparison
    headers = re.findall(r"<thead><tr>(.*?)</tr></thead>", comparison)
    widths = [h.count("<th>") for h in headers]
    assert widths and max(widths) <= 10, widths  # the Markdown's columns (with the chance columns), not the CSV's 23
    cells = re.findall(r"<td>([^<]*)</td>", comparison)
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{6,}", c)], "numbers at full float precision"


def test_the_protocol_says_each_cell_has_its_own_sampling_seed(page):
    protocol = section(page, "protocol")
    assert '&quot;sampling&quot;' not in protocol and '"sampling"' not in protocol
    assert "each cell draws its evaluation samples with its own seed (here 2 seeds: 0, 1)" in protocol


def test_the_p_value_appears_once_per_leaderboard_row(page):
    board = section(page, "leaderboards")
    assert "p (Welch" not in board
    for row in re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", board, re.S):
        assert len(re.findall(r"p[=<]\d", row)) <= 1, row


def test_the_samples_mark_the_modes_the_metric_counts(suite_run, monkeypatch):
    """The covered marks of each panel equal the modes_covered row of that model, seed and step."""
    import ganbench.report.plots.samples as samples

    captured = {}
    monkeypatch.setattr(samples, "save_figure", lambda fig, *args, **kw: captured.setdefault("fig", fig) and [])
    frame = load(suite_run)
    samples.plot_samples(suite_run, suite_run / "unused", frame, ("png",))
    axes = [ax for ax in captured["fig"].axes if ax.get_title()]
    assert len(axes) == 2
    for ax in axes:
        model, where, covered = ax.get_title().split("\n")
        seed, step = (int(n) for n in re.findall(r"\d+", where))
        row = frame[(frame["model"] == model) & (frame["seed"] == seed) & (frame["step"] == step)
                    & (frame["metric"] == "modes_covered")]  # fmt: skip
        assert covered.startswith(f"{int(row['value'].iloc[0])}/8 modes covered")
    assert len({(ax.get_xlim(), ax.get_ylim()) for ax in axes}) == 1, "every points panel has the same axes"


def test_coverage_follows_the_metric_rule():
    modes = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    points = np.array([[0.0, 0.02], [1.04, 0.0], [0.5, 0.5]])  # within 3 std of mode 0; 4 std from mode 1
    found = coverage(points, modes, mode_std=0.01, stds=3.0, min_count=1)
    assert found.covered.tolist() == [True, False, False] and found.radius == pytest.approx(0.03)


def test_shared_limits_hold_every_mode_and_are_square():
    (x0, x1), (y0, y1) = shared_limits([np.array([[-1.0, 0.0], [1.0, 0.0]])], [np.zeros((10, 2))])
    assert x0 < -1 and x1 > 1 and x1 - x0 == pytest.approx(y1 - y0)


def test_a_model_keeps_its_colour_when_another_has_no_curve(monkeypatch, tmp_path):
    """A generator scored with `score --append` (rows at step 0 only) has no curve, but the curves must still
    colour the others as every other figure does."""
    import ganbench.report.plots.curves as curves

    seen = []
    real = curves.model_colours
    monkeypatch.setattr(curves, "model_colours", lambda models: seen.append(sorted(set(models))) or real(models))
    rows = [
        {"model": m, "dataset": "ring8", "seed": 0, "step": s, "metric": "modes_covered", "value": 3.0, "status": "ok",
         "protocol_key": "k", "protocol": {}, "config": {}, "reason": ""}
        for m, steps in (("agen", (0,)), ("gan", (10, 20)), ("pacgan2", (10, 20))) for s in steps
    ]  # fmt: skip
    curves.plot_curves(pd.DataFrame(rows), tmp_path, ("svg",))
    assert seen == [["agen", "gan", "pacgan2"]]


def test_the_grid_file_records_the_threads(suite_run):
    assert json.loads((suite_run / "grid.json").read_text())["threads"] == {"per_cell": 1, "reason": "--threads"}


def test_the_training_losses_use_each_models_colour(suite_run, monkeypatch, tmp_path):
    import ganbench.report.plots.training as training
    from ganbench.report.plots.common import model_colours

    seen = {}
    real = training._panel
    monkeypatch.setattr(training, "_panel", lambda ax, name, per_seed, colour: seen.setdefault(name, []).append(colour)
                        or real(ax, name, per_seed, colour))  # fmt: skip
    training.plot_training_curves(suite_run, tmp_path, ("png",), ["ali", "gan", "pacgan2"])
    colours = model_colours(["ali", "gan", "pacgan2"])
    assert seen["d_loss"] == [colours["gan"], colours["pacgan2"]]


def test_the_page_shows_every_seeds_samples(page):
    """The per-seed figure (where a collapsed seed shows) is on the page, not only in `suite compare`'s folder."""
    samples = section(page, "samples")
    assert samples.count("<img ") == 2  # the one-seed figure and samples_by_seed
    assert "a row per model, modes marked as above: a seed that collapsed covers one mode" in samples
