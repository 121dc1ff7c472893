"""Headless Chromium for tests: load a page, read its DOM after the scripts ran, its console messages, and a
screenshot. Uses Debian's `chromium` (installed by .ci/run) through its command line only: `--dump-dom` and
`--screenshot`, with console messages read from Chromium's own log on stderr (`CONSOLE` lines)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--enable-logging=stderr",
    "--v=0",
]
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\))?(?::\d+)?\] (.*)$")


def chromium() -> str:
    """The Chromium binary, or skip the test with the reason (CI must have one: .ci/run installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    reason = os.environ.get("GANBENCH_NO_BROWSER_REASON")
    if os.environ.get("CI") and not reason:
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip(f"no chromium: {reason or 'install it with apt-get install chromium'}")


@dataclass
class PageLoad:
    dom: str
    console: list[str]


def _run(url: str, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="ganbench-chromium-") as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def load_page(path: Path) -> PageLoad:
    """The DOM after the page's scripts ran, and every console message it produced (errors included)."""
    result = _run(Path(path).resolve().as_uri(), "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    console = [m.group(1) for line in result.stderr.splitlines() if (m := CONSOLE.search(line))]
    return PageLoad(result.stdout, console)


def screenshot(path: Path, png: Path, width: int = 1280, height: int = 2400) -> Path:
    """A PNG of the page's top `height` pixels at `width`."""
    result = _run(Path(path).resolve().as_uri(), f"--screenshot={png}", f"--window-size={width},{height}", "--hide-scrollbars")
    assert png.is_file() and png.stat().st_size > 0, result.stderr[-2000:]
    return png
