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
