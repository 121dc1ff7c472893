"""Finding, downloading and checking weight files: sha256-verified, cached, with a clear offline error."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ganbench.atomic import atomic_path, write_text_atomic
from ganbench.errors import GanbenchError
from ganbench.hashing import sha256_of
from ganbench.paths import cache_dir


def download_verified(url: str, destination: Path, sha256: str, what: str, offline_hint: str) -> Path:
    """Download `url` to `destination` atomically and check its sha256; a failure is one GanbenchError.

    `offline_hint` finishes the error sentence: how to give ganbench a copy by hand.
    """
    from torch.hub import download_url_to_file

    try:
        with atomic_path(destination) as tmp:
            download_url_to_file(url, str(tmp), progress=True)
            got = sha256_of(tmp)
            if got != sha256:
                raise GanbenchError(
                    f"downloaded {what} from {url} has sha256 {got}, expected {sha256}; the download is corrupt, try again"
                )
    except GanbenchError:
        raise
    except Exception as error:
        raise GanbenchError(
            f"could not download {what} from {url} ({type(error).__name__}: {error}); {offline_hint}"
        ) from None
    return destination


def resolve_weights(
    *,
    explicit: str | None,
    env_var: str,
    url: str,
    sha256: str,
    filename: str,
    cache_override: str | None,
    what: str,
    option: str,
    download: bool = True,
) -> Path:
    """The weights file to use: an explicit path, else $env_var, else the cache (downloading into it if needed
    and `download` allows; with download False a missing file is a GanbenchError and nothing is fetched).

    A cached or downloaded file must match `sha256`; a corrupt cached file is reported, never used.
    """
    chosen = explicit or os.environ.get(env_var)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise GanbenchError(f"{what} file {path} does not exist; check the path given to {option} / {env_var}")
        return path
    cached = cache_dir(cache_override) / "weights" / filename
    if cached.is_file():
        got = sha256_of(cached)
        if got != sha256:
            raise GanbenchError(
                f"cached {what} {cached} has sha256 {got}, expected {sha256}; delete it so ganbench downloads it again"
            )
        return cached
    hint = f"download it by hand and pass it with {option} PATH (or set {env_var}), or save it as {cached}"
    if not download:
        raise GanbenchError(f"{what} are not in the cache and downloading is turned off (--no-download); {hint}")
    return download_verified(url, cached, sha256, what, hint)


def first_use_record(path: Path) -> Path:
    """Where the sha256 a weights file had when first seen is kept: beside it, `<name>.sha256`."""
    return path.with_name(path.name + ".sha256")


def resolve_unpinned_weights(
    *,
    explicit: str | None,
    env_var: str,
    url: str,
    filename: str,
    cache_override: str | None,
    what: str,
    option: str,
    allow_custom: bool,
) -> Path:
    """Like `resolve_weights`, for a file whose publisher gives no checksum (trust on first use).

    The first download's sha256 is recorded beside the cached file and said in a warning; from then on the
    cached file must keep that sha256, and a file passed by hand with another one needs `allow_custom`. The
    sha256 of whatever file is used also goes into every protocol fingerprint, so numbers made with
    different files are never ranked together. Nothing here claims the file is the publisher's.
    """
    cached = cache_dir(cache_override) / "weights" / filename
    record = first_use_record(cached)
    recorded = record.read_text().split()[0] if record.is_file() and record.read_text().strip() else None
    chosen = explicit or os.environ.get(env_var)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise GanbenchError(f"{what} file {path} does not exist; check the path given to {option} / {env_var}")
        got = sha256_of(path)
        if recorded is not None and got != recorded and not allow_custom:
            raise GanbenchError(
                f"{path} has sha256 {got}, but the {filename} downloaded from {url} into {cached.parent} had "
                f"{recorded}; pass that file, or --allow-custom-weights to use this one on purpose"
            )
        if recorded is None:
            warnings.warn(
                f"{url} is published without a checksum, so {path} cannot be checked; its sha256 ({got}) is "
                "recorded with every score",
                stacklevel=2,
            )
        return path
    if not cached.is_file():
        hint = f"download it by hand and pass it with {option} PATH (or set {env_var}), or save it as {cached}"
        try:
            with atomic_path(cached) as tmp:
                from torch.hub import download_url_to_file

                download_url_to_file(url, str(tmp), progress=True)
        except Exception as error:
            raise GanbenchError(
                f"could not download {what} from {url} ({type(error).__name__}: {error}); {hint}"
            ) from None
        recorded = None
    got = sha256_of(cached)
    if recorded is None:
        write_text_atomic(record, f"{got}  {url}\n")
        warnings.warn(
            f"{url} is published without a checksum: ganbench recorded the sha256 of {cached} on this first use "
            f"({got}), will refuse the file if it changes, and records it with every score",
            stacklevel=2,
        )
    elif got != recorded:
        raise GanbenchError(
            f"cached {what} {cached} has sha256 {got}, not the {recorded} recorded when it was first downloaded; "
            f"delete {cached} and {record.name} so ganbench downloads it again"
        )
    return cached
