"""benchmarks/gpu_check.py, the one prepared GPU check, runs on this CPU (--device cpu --quick) and writes both
summaries with the device named in every heading; --device cuda without a GPU is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "gpu_check.py"
STEPS = ["setup", "pytest-gpu", "score", "knn", "train", "train-cifar10", "grouped", "suite-cost", "pacgan-ring"]


def check(out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), "--device", "cpu", "--quick", "--out", str(out), *extra]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800)


def summaries(out: Path) -> tuple[dict, str]:
    return json.loads((out / "gpu_check.json").read_text()), (out / "gpu_check.md").read_text()


def assert_cpu_only_headings(summary: dict, text: str) -> None:
    assert summary["info"]["device"] == "cpu" and summary["info"]["torch"] == torch.__version__
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) == 1 + len(STEPS)
    assert all(line.endswith("(CPU)") for line in headings) and not any("GPU" in line for line in headings)
    assert [step["name"] for step in summary["steps"]] == STEPS


@pytest.mark.skipif(torch.cuda.is_available(), reason="refusal without a GPU")
def test_cuda_without_a_gpu_is_refused_before_anything_runs(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2 and "no CUDA device" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "gpu_check.json").exists()


def test_quick_cpu_check_of_one_step_writes_both_summaries(tmp_path):
    done = check(tmp_path, "--only", "suite-cost")
    assert done.returncode == 0, done.stderr
    summary, text = summaries(tmp_path)
    assert_cpu_only_headings(summary, text)
    status = {step["name"]: step["status"] for step in summary["steps"]}
    assert status["setup"] == "ok" and status["suite-cost"] == "ok"
    assert all(status[name] == "skipped (--only)" for name in STEPS if name not in ("setup", "suite-cost"))
    cost = next(step for step in summary["steps"] if step["name"] == "suite-cost")
    assert "suite pacgan-ring" in cost["output"] and "pacgan4" in cost["output"]
    assert "pacgan4" in text


@pytest.mark.slow
def test_the_whole_quick_check_runs_every_step_on_the_cpu(tmp_path):
    """The CI step: every step runs (tiny sizes) and the pacgan-ring run resumes when the command is repeated."""
    done = check(tmp_path)
    assert done.returncode == 0, done.stderr
    summary, text = summaries(tmp_path)
    assert_cpu_only_headings(summary, text)
    status = {step["name"]: step["status"] for step in summary["steps"]}
    assert all(value in ("ok", "stopped at cap") for value in status.values()), status
    assert status["pacgan-ring"] == "ok" and status["suite-cost"] == "ok" and status["grouped"] == "ok"
    numbers = {step["name"]: step["numbers"] for step in summary["steps"]}
    assert numbers["pacgan-ring"]["progress"]["rows"] > 0
    assert numbers["suite-cost"]["projected full pacgan-ring table"]["total_hours"] > 0
    again = check(tmp_path, "--only", "pacgan-ring")
    assert again.returncode == 0
    ring = next(step for step in summaries(tmp_path)[0]["steps"] if step["name"] == "pacgan-ring")
    assert "0 cell(s) run, 4 already finished" in ring["output"]
