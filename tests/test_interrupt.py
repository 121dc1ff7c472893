"""Ctrl-C during `ganbench run --jobs 2`: one 'interrupted' line, exit 130, no worker left, and no 'leaked
semaphore' warnings from the resource tracker (workers leave SIGINT to the parent and end cleanly on SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_with_two_jobs_leaves_no_leaked_semaphores(tmp_path):
    argv = [sys.executable, "-m", "ganbench", "run", "--models", "gan", "--dataset", "ring8", "--seeds", "0,1",
            "--steps", "100000", "--eval-every", "50000", "--jobs", "2", "--out", str(tmp_path / "run"), "--no-plots"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "default"}
    # SIGINT at its default in the child: a test run started in the background of a non-interactive shell (`pytest
    # &`) ignores SIGINT, the child inherits that, and Python then never turns Ctrl-C into KeyboardInterrupt (the
    # cause of this test's two timeouts at load 17-20: the run kept training, the parent waiting in poll)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True, preexec_fn=default_sigint)  # fmt: skip
    training: set[str] = set()
    while len(training) < 2:  # both workers are training (each logs its cell's progress)
        line = process.stdout.readline()
        assert line, process.stderr.read()[-2000:]
        if "] step " in line and "it/s" in line:
            training.add(line.split("]")[0])
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # say where it hangs before failing (seen twice at load 17-20)
        tree = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,pcpu,wchan:20,cmd", "-g", str(process.pid)],
                              capture_output=True, text=True).stdout  # fmt: skip
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise AssertionError(f"still running 120 s after SIGINT:\n{tree}\nstderr: {err[-2000:]}") from None
    assert process.returncode == 130, err[-2000:]
    assert "interrupted" in err
    assert "leaked semaphore" not in err, err[-2000:]
    assert "Traceback" not in err, err[-3000:]


def ignore_sigterm_and_sleep(ready) -> None:
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ready.set()
    time.sleep(60)


def test_a_worker_that_does_not_end_on_sigterm_is_killed_after_the_grace_period():
    """Ctrl-C must stop the run even where a worker's exit hangs: before, the run waited for it without end."""
    import multiprocessing
    import time

    from ganbench.runner.local_cells import stop_workers

    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    worker = context.Process(target=ignore_sigterm_and_sleep, args=(ready,))
    worker.start()
    assert ready.wait(120)  # the spawned interpreter has set its handler
    start = time.monotonic()
    stop_workers([worker], grace_s=1.0)
    assert time.monotonic() - start < 15
    assert not worker.is_alive() and worker.exitcode == -signal.SIGKILL
