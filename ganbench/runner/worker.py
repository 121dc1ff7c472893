"""Entry point of a worker process, light to import: it is armed to die with its parent before the cell's job
(and with it torch) is even unpickled, so killing `ganbench run` at any moment leaves no worker behind.

On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); everywhere a watchdog thread notices
that the parent is gone (the worker is re-parented) within WATCHDOG_EVERY_S.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

#: Seconds between two checks of the watchdog that the parent is alive.
WATCHDOG_EVERY_S = 0.5


def die_with_parent(parent_pid: int) -> None:
    """End this process as soon as `parent_pid` (the process that started it) is gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_EVERY_S)
        os._exit(137)

    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(137)
    threading.Thread(target=watch, name="ganbench parent watchdog", daemon=True).start()


def stop_on_request() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker leaves it to `ganbench run`, which stops the
    workers with SIGTERM; SIGTERM then ends the worker through SystemExit, so its exit handlers run and release
    the semaphores it holds (tqdm's lock is one) instead of the resource tracker reporting them leaked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))


def worker_main(parent_pid: int, payload: bytes) -> None:
    """Arm the parent-death checks and the stop signals, then run `function(*args)` from
    `payload = pickle.dumps((function, args))`."""
    die_with_parent(parent_pid)
    stop_on_request()
    function, args = pickle.loads(payload)
    function(*args)
