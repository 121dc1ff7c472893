"""Opening a torchvision dataset: local copy first, a download only if allowed, one clear error otherwise."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ganbench.data.base import DataConfig
from ganbench.data.published_formats import DatasetFilesError
from ganbench.errors import GanbenchError
from ganbench.paths import data_dir

T = TypeVar("T")

# Per socket operation, not per download: a slow but live connection still finishes,
# a network that silently drops packets fails within seconds instead of hanging.
NETWORK_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Source:
    """Where a torchvision dataset lives under the data root and how a person puts it there by hand."""

    name: str
    #: path under the data root that exists once the dataset is in place (torchvision's own layout)
    folder: str
    #: finishes the sentence "…; <manual>": which files to fetch from where
    manual: str


def data_root(config: DataConfig) -> Path:
    """The folder torchvision datasets are read from: DataConfig.data_dir, else $GANBENCH_DATA, else <cache>/data."""
    return data_dir(config.data_dir, config.cache_dir)


@contextlib.contextmanager
def network_timeout(seconds: float) -> Iterator[None]:
    """Give every new socket a timeout inside the block (torchvision's downloads set none)."""
    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(saved)


def open_local_or_download(source: Source, config: DataConfig, open_dataset: Callable[[Path, bool], T]) -> T:
    """`open_dataset(root, download)` with download=False, then (if DataConfig.download) with download=True.

    Any failure becomes one GanbenchError naming the dataset, the expected path and how to place the files by hand.
    """
    root = data_root(config)
    local = ""
    try:
        return open_dataset(root, False)
    except DatasetFilesError as error:  # say which file is missing or damaged
        local = f" ({_brief(error, limit=300).split(': ', 1)[-1]})"
    except Exception:  # torchvision raises RuntimeError for missing or corrupt files; its advice does not apply here
        pass
    if not config.download:
        raise _missing(source, root, local, "and downloading is turned off")
    try:
        with network_timeout(NETWORK_TIMEOUT_S):
            return open_dataset(root, True)
    except Exception as error:  # no network, HTTP errors, checksum mismatches, gdown missing...
        raise _missing(source, root, local, f"and could not be downloaded ({_brief(error)})") from None


def _missing(source: Source, root: Path, local: str, why: str) -> GanbenchError:
    return GanbenchError(
        f"dataset {source.name!r} is missing or incomplete at {root / source.folder}{local} {why}; {source.manual} "
        f"(or point GANBENCH_DATA / the data dir at a folder that already holds it)"
    )


def _brief(error: Exception, limit: int = 200) -> str:
    """The error's type and message squeezed onto one short line, so the user message stays one line."""
    text = " ".join(str(error).split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
