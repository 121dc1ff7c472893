"""`ganbench report`: one self-contained HTML page, checked in a real browser (headless Chromium): no console
errors, every ranked metric's leaderboard in the DOM and sortable, figures embedded, nothing loaded from the
network, and a screenshot written (set GANBENCH_SCREENSHOT_DIR to keep it)."""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pytest
from PIL import Image
from support.browser import load_page, screenshot
from support.grids import run_quietly

from ganbench.cli import main
from ganbench.report.html import REPORT_FILE
from ganbench.report.results import load
from ganbench.runner.plan import GridConfig

RANKED = ("modes_covered", "high_quality_fraction", "mode_kl")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """gan and lsgan on ring8, 2 seeds, 20 steps scored at 10 and 20; a suite's comparison file and a memorization
    figure beside the rows."""
    config = GridConfig(models=("gan", "lsgan"), dataset="ring8", out=tmp_path_factory.mktemp("run"), seeds=(0, 1),
                        eval_every=10, overrides={"steps": "20", "batch_size": "64", "width": "0.25"},
                        n_generated=500, checkpoint_every=10, device="cpu")  # fmt: skip
    out = run_quietly(config, tmp_path_factory)
    (out / "comparison.csv").write_text("model,metric,paper,ours\ngan,modes_covered,8.0,5.0\nlsgan,modes_covered,8.0,2.0\n")
    (out / "figures").mkdir(exist_ok=True)
    Image.fromarray(np.full((20, 40, 3), 200, np.uint8)).save(out / "figures" / "memorization_gan.png")
    return out


@pytest.fixture(scope="module")
def page(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    return out / REPORT_FILE


def test_the_page_is_self_contained(page):
    text = page.read_text()
    links = re.findall(r'(?:src|href)="([^"]*)"', text)
    outside = [link[:60] for link in links if not link.startswith(("data:", "#"))]
    assert links and not outside, outside
    assert "<link rel=icon" in text and "<script src" not in text and "stylesheet" not in text
    assert text.count('<img src="data:image/svg+xml;base64,') >= 4  # 3 curves + samples


def test_the_page_in_chromium_has_no_console_errors_and_every_leaderboard(page, run_dir, tmp_path):
    loaded = load_page(page)
    assert loaded.console == []
    dom = loaded.dom
    assert 'data-ready="1"' in dom  # the inline script ran to its end
    tables = re.findall(r'<table class="sortable leaderboard" data-metric="([a-z_]+)">(.*?)</table>', dom, re.S)
    assert [metric for metric, _ in tables] == list(RANKED)
    for _, body in tables:
        assert body.count("<tr") == 3 and ">gan<" in body and ">lsgan<" in body  # header + 2 models
    frame = load(run_dir)
    for key in frame.loc[frame["status"] == "ok", "protocol_key"].unique():
        assert f"protocol {key}" in dom
    assert 'id="comparison"' in dom and "<td>modes_covered</td>" in dom
    assert 'id="memorization"' in dom and "memorization_gan.png" in dom
    assert "Welch" in dom and "95% CI" in dom and "mean ± std" in dom

    png = screenshot(page, tmp_path / "report.png")
    assert Image.open(png).size == (1280, 2400)
    keep = os.environ.get("GANBENCH_SCREENSHOT_DIR")
    if keep:
        shutil.copy(png, os.path.join(keep, "report.png"))


def test_clicking_a_header_sorts_the_table(page, tmp_path):
    """Click 'mean ± std' of the mode KL table twice: ascending then descending by the numeric mean."""
    text = page.read_text()
    probe = """<script>
      var table = document.querySelector('table[data-metric="mode_kl"]');
      var header = table.querySelectorAll('thead th')[2];
      function order() { return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
        return r.cells[2].getAttribute('data-v'); }).join(','); }
      header.click(); var up = order(); header.click(); var down = order();
      document.body.setAttribute('data-up', up); document.body.setAttribute('data-down', down);
    </script></body>"""
    probed = tmp_path / "probe.html"
    probed.write_text(text.replace("</body>", probe))
    loaded = load_page(probed)
    assert loaded.console == []
    up = [float(v) for v in re.search(r'data-up="([^"]*)"', loaded.dom).group(1).split(",")]
    down = [float(v) for v in re.search(r'data-down="([^"]*)"', loaded.dom).group(1).split(",")]
    assert up == sorted(up) and down == sorted(up, reverse=True) and len(up) == 2


def test_console_errors_are_caught(tmp_path):
    """The console check can fail: a page that throws is seen."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>nosuchfunction();</script></body></html>")
    assert any("nosuchfunction is not defined" in line for line in load_page(bad).console)


def test_report_of_a_folder_without_results_is_one_sentence(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no results.jsonl" in err


def test_prd_and_birthday_figures_of_a_run_get_their_sections(tmp_path):
    from ganbench.report.html import run_figures_section

    assert run_figures_section([tmp_path]) == ""
    (tmp_path / "figures").mkdir()
    Image.fromarray(np.full((10, 10, 3), 9, np.uint8)).save(tmp_path / "figures" / "prd_curves.png")
    Image.fromarray(np.full((10, 10, 3), 9, np.uint8)).save(tmp_path / "birthday_pairs.png")
    html = run_figures_section([tmp_path])
    assert html.index('id="prd"') < html.index('id="birthday"')
    assert html.count('<img src="data:image/png;base64,') == 2 and "prd_curves.png" in html
