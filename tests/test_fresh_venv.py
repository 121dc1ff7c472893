"""The README's two commands on a fresh clone in a fresh virtual environment (.ci/fresh_venv): about an hour on a
2-core CPU (the whole default test suite runs inside), so slow."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_readme_commands_pass_on_a_fresh_clone_in_a_fresh_venv(tmp_path):
    if subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout.strip():
        pytest.skip("the checkout has uncommitted changes, which a clone would not see; commit them first")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    done = subprocess.run([str(ROOT / ".ci" / "fresh_venv"), str(tmp_path / "fresh")], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "README blocks passed on a fresh clone in a fresh venv" in done.stdout
