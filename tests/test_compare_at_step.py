"""A suite run still training: its comparison never reads as the full protocol, and `suite compare --at-step N`
compares every seed as it stood at step N (rows, first line and protocol line)."""

from __future__ import annotations

import dataclasses
import json

from ganbench.cli import main
from ganbench.data.base import DataShape
from ganbench.models.base import MODELS
from ganbench.report.comparison import compare
from ganbench.report.comparison_table import protocol_fraction, protocol_status
from ganbench.report.publish import load_suite_rows
from ganbench.report.results import ResultRow, append_rows
from ganbench.suites.base import SUITES

PROTOCOL = {"n_generated": 2500, "metric_settings": {"mode_quality_stds": 3.0, "mode_min_count": 1}}


def unfinished_rows(model: str, modes_by_step: dict[int, float], seeds: int = 5) -> list[ResultRow]:
    """Rows of a cell trained with the suite's pinned 400,000 steps, evaluated at the given steps only."""
    recorded = dataclasses.asdict(MODELS.get(model).default_config(DataShape("points", 2)))
    config = {"model_config": {**recorded, "steps": 400_000}, "machine": "test box"}
    return [
        ResultRow(model, "grid25", seed, step, metric, value, PROTOCOL, 1.0, config)
        for seed in range(seeds)
        for step, modes in modes_by_step.items()
        for metric, value in {"modes_covered": modes + seed, "high_quality_fraction": 0.5, "mode_kl": 0.2}.items()
    ]


def test_a_run_still_training_is_not_called_full_and_compares_at_a_chosen_step(tmp_path, capsys):
    append_rows(tmp_path, unfinished_rows("gan", {100_000: 10.0, 200_000: 15.0}))
    suite = SUITES.get("pacgan-grid")
    latest = compare(load_suite_rows([tmp_path], suite), suite, "x")
    assert "training not finished" in protocol_status(latest) and protocol_status(latest).startswith("REDUCED")
    assert protocol_fraction(latest).startswith("REDUCED protocol: 50% of the steps (200,000 of 400,000)")
    at_step = compare(load_suite_rows([tmp_path], suite, at_step=150_000), suite, "x")
    assert protocol_fraction(at_step).startswith("REDUCED protocol: 25% of the steps (100,000 of 400,000)")
    gan_modes = next(n for n in at_step.numbers if n.label == "GAN" and n.metric == "modes_covered")
    assert gan_modes.ours_mean == 12.0  # 10 + mean of seeds 0..4, the step-100,000 rows
    out = tmp_path / "published"
    code = main(["suite", "compare", str(tmp_path), "--suite", "pacgan-grid", "--out", str(out), "--no-plots",
                 "--at-step", "150000"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    steps = {json.loads(line)["step"] for line in (out / "results.jsonl").read_text().splitlines()}
    assert steps == {100_000}
