"""Finding, downloading and checking weight files: sha256-verified, cached, with a clear offline error."""

from __future__ import annotations

import os
from pathlib import Path

from ganbench.atomic import atomic_path
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
