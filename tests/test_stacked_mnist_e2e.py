"""stacked_mnist end to end: the modes preset counts the 1,000 three-digit modes from per-channel digit labels,
through `ganbench score` (files and generators) and `ganbench run`. The issue's report: every cell failed with
a message that contradicted itself, because the modes preset declared only the point-set inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganbench.cli import main
from ganbench.data.base import DATASETS, DataConfig
from ganbench.report.results import read_rows

SMALL_REFERENCE = ["--n-reference", "300"]  # the modes metric reads no reference; keep the rest of the protocol cheap


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def expected_distinct(n: int, modes: int = 1000) -> float:
    """Expected number of distinct modes among n uniform draws from `modes`."""
    return modes * (1 - (1 - 1 / modes) ** n)


def test_real_stacked_images_cover_about_as_many_modes_as_their_sample_size_allows(tmp_path, capsys):
    test = DATASETS.get("stacked_mnist").load("test", DataConfig())
    pick = np.random.default_rng(0).choice(len(test.data), 2000, replace=False)
    np.savez(tmp_path / "real.npz", images=test.data[pick])
    truth = len(set(test.labels[pick].tolist()))
    code = main(["score", "--samples", str(tmp_path / "real.npz"), "--dataset", "stacked_mnist", "--metrics", "modes",
                 *SMALL_REFERENCE, "--quiet", "--json", str(tmp_path / "s.json")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    metrics = json.loads((tmp_path / "s.json").read_text())["metrics"]
    # 2,000 uniform triples cover 865 modes on average; the classifier (98.3 % per digit) misreads a few
    assert abs(expected_distinct(2000) - 864.8) < 0.1
    assert abs(metrics["modes_covered"] - truth) <= 15 and 830 <= metrics["modes_covered"] <= 900
    assert metrics["high_quality_fraction"] == 1.0 and metrics["mode_kl"] < 0.5


def test_a_generator_that_stacks_one_digit_in_every_channel_covers_one_mode(tmp_path, capsys):
    code = main(["score", "--generator", "tiny_generators:one_digit_stacked", "--dataset", "stacked_mnist", "--metrics",
                 "modes", "--n", "500", *SMALL_REFERENCE, "--quiet", "--json", str(tmp_path / "s.json")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    metrics = json.loads((tmp_path / "s.json").read_text())["metrics"]
    assert metrics["modes_covered"] == 1
    assert metrics["mode_kl"] == pytest.approx(np.log(1000), rel=1e-9)


def test_a_benchmark_run_on_stacked_mnist_measures_modes(tmp_path, capsys):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        code = main(["run", "--models", "dcgan", "--dataset", "stacked_mnist", "--seeds", "0", "--steps", "2",
                     "--eval-every", "2", "--n-generated", "200", *SMALL_REFERENCE, "--batch-size", "16",
                     "--device", "cpu", "--no-plots", "--out", str(tmp_path / "run")])  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    assert code == 0, capsys.readouterr().err
    rows = read_rows(tmp_path / "run")
    assert all(row.status == "ok" for row in rows)
    values = {row.metric: row.value for row in rows}
    assert {"modes_covered", "high_quality_fraction", "mode_kl", "fid", "kid_mean"} <= set(values)
    assert 1 <= values["modes_covered"] <= 200
