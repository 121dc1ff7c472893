"""Ctrl-C during `ganbench run --jobs 2`: one 'interrupted' line, exit 130, no worker left, and no 'leaked
semaphore' warnings from the resource tracker (workers leave SIGINT to the parent and end cleanly on SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def test_ctrl_c_with_two_jobs_leaves_no_leaked_semaphores(tmp_path):
    argv = [sys.executable, "-m", "ganbench", "run", "--models", "gan", "--dataset", "ring8", "--seeds", "0,1",
            "--steps", "100000", "--eval-every", "50000", "--jobs", "2", "--out", str(tmp_path / "run"), "--no-plots"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "default"}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)  # fmt: skip
    training: set[str] = set()
    while len(training) < 2:  # both workers are training (each logs its cell's progress)
        line = process.stdout.readline()
        assert line, process.stderr.read()[-2000:]
        if "] step " in line and "it/s" in line:
            training.add(line.split("]")[0])
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    assert "interrupted" in err
    assert "leaked semaphore" not in err, err[-2000:]
    assert "Traceback" not in err, err[-3000:]
