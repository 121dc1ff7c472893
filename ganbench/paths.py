"""Where ganbench keeps downloads and caches (never inside the installed package), and the names of run files
that more than one layer reads."""

from __future__ import annotations

import os
from pathlib import Path

#: The per-step training curves of a run (step, then one column per value the family's step returns): written by
#: the training loop, drawn by the report's training-curve figure.
LOSSES_FILE = "losses.csv"


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """The ganbench cache root: `override`, else $GANBENCH_CACHE, else $XDG_CACHE_HOME/ganbench, else ~/.cache/ganbench."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("GANBENCH_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ganbench"


def data_dir(override: str | os.PathLike | None = None, cache_override: str | os.PathLike | None = None) -> Path:
    """Root for downloaded datasets: `override`, else $GANBENCH_DATA, else <cache dir>/data."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("GANBENCH_DATA")
    if env:
        return Path(env).expanduser()
    return cache_dir(cache_override) / "data"


#: Free space below which an output folder counts as full (a run writes checkpoints and rows there).
MIN_FREE_BYTES = 1 << 20


def file_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True when `path` is a file whose real location (every link followed) lies inside `folder`: what a report
    may read from a run directory without carrying another file's contents (a link to ~/.ssh/id_rsa) into a page."""
    try:
        return Path(path).is_file() and Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def writable_folder(path: str | os.PathLike, what: str, create: bool = True) -> Path:
    """Create folder `path` if needed and check that a file can be written in it and its disk is not full.

    Called before any work starts, so a read-only or full output location is one sentence, not a traceback
    after minutes of work. `what` names the option, e.g. "--out". With `create` False nothing is created: the
    nearest existing folder above `path` is checked instead (for checks made before the inputs are validated).
    """
    import shutil
    import tempfile

    from ganbench.errors import GanbenchError

    folder = Path(path).expanduser()
    probe = folder
    if not create:
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        elif not probe.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(probe))
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".ganbench-write-check-"):
            pass
    except OSError as error:
        raise GanbenchError(f"cannot write to {what} {folder} ({error.strerror}); choose a writable folder") from None
    if shutil.disk_usage(probe).free < MIN_FREE_BYTES:
        raise GanbenchError(f"the disk holding {what} {folder} is full; free some space or choose another folder")
    return folder


def writable_file(path: str | os.PathLike, what: str) -> Path:
    """Check that file `path` can be written (its folder as in writable_folder; an existing file must be writable)."""
    from ganbench.errors import GanbenchError

    target = Path(path).expanduser()
    writable_folder(target.parent if str(target.parent) else ".", what)
    if target.is_dir():
        raise GanbenchError(f"{what} {target} is a folder; give a file name")
    if target.exists() and not os.access(target, os.W_OK):
        raise GanbenchError(f"cannot write to {what} {target} (it is read-only); choose another file")
    return target
