"""Exclusive locks held by a live process: one holder at a time, released by the kernel when the holder dies.

A lock is an `fcntl.flock` on a small file that also records who holds it (pid, host, start time, command), so
a refused caller can say which process is in the way. Because the kernel drops the lock with its holder's last
file descriptor, a lock left by a killed process is free again at once: a stale lock is taken over safely, and
a live holder is never overridden.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ganbench.errors import GanbenchError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking, one process per run directory is then on the user
    fcntl = None


class LockHeld(GanbenchError):
    """The lock is held by another live process; `holder` says which (may be empty when it cannot be read)."""

    def __init__(self, message: str, holder: dict) -> None:
        super().__init__(message)
        self.holder = holder


def describe_holder(holder: dict) -> str:
    """'pid 123 on host, since 2024-05-01T12:00:00+00:00 (ganbench run ...)' from a lock file's record."""
    if not holder.get("pid"):
        return "another process"
    text = f"pid {holder['pid']}"
    if holder.get("host") and holder["host"] != socket.gethostname():
        text += f" on {holder['host']}"
    if holder.get("started"):
        text += f", since {holder['started']}"
    if holder.get("command"):
        text += f" ({holder['command']})"
    return text


def read_holder(path: Path) -> dict:
    """The record a holder wrote into the lock file ({} when empty or unreadable)."""
    try:
        record = json.loads(Path(path).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


@dataclass
class FileLock:
    """A held lock; `release()` (or leaving the `with` block) frees it."""

    path: Path
    fd: int | None

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)  # a later reader must not take a finished holder for a live one
        except OSError:
            pass
        os.close(self.fd)  # closing the descriptor releases the flock
        self.fd = None

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire(path: str | os.PathLike, what: str) -> FileLock:
    """Take the lock at `path` without waiting, or raise LockHeld naming the holder.

    `what` completes the refusal: '{what} is in use by pid N (...)'. The lock file is created (with its folder)
    when missing; the holder's record is written into it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise GanbenchError(f"cannot create the lock file {path} ({error.strerror}); choose a writable folder") from None
    if fcntl is None:  # pragma: no cover
        return FileLock(path, fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = read_holder(path)
        raise LockHeld(f"{what} is in use by {describe_holder(holder)}; wait for it to finish or stop it", holder) from None
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["ganbench", *sys.argv[1:]]) if sys.argv and sys.argv[0] else "",
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)
    return FileLock(path, fd)
