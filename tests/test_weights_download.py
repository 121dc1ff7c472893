"""The real download path: a local HTTP server stands in for the release host."""

from __future__ import annotations

import hashlib
import http.server
import threading
from functools import partial

import pytest

from ganbench.errors import GanbenchError
from ganbench.features.weight_downloads import download_verified, resolve_weights


@pytest.fixture
def served_file(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    payload = b"weights" * 1000
    (root / "w.pth").write_bytes(payload)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/w.pth", hashlib.sha256(payload).hexdigest()
    server.shutdown()


def resolve(url, sha, cache):
    return resolve_weights(
        explicit=None, env_var="GANBENCH_TEST_UNSET", url=url, sha256=sha, filename="w.pth",
        cache_override=str(cache), what="the test weights", option="--test-weights",
    )


def test_download_checks_sha256_and_caches(served_file, tmp_path):
    url, sha = served_file
    path = resolve(url, sha, tmp_path / "cache")
    assert path == tmp_path / "cache" / "weights" / "w.pth"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert resolve("http://127.0.0.1:9/never-contacted", sha, tmp_path / "cache") == path  # cache hit, no network


def test_wrong_checksum_leaves_nothing_behind(served_file, tmp_path):
    url, _ = served_file
    destination = tmp_path / "cache" / "w.pth"
    with pytest.raises(GanbenchError, match="expected 0000"):
        download_verified(url, destination, "0" * 64, "the test weights", "hint")
    assert not destination.exists()
    assert list(destination.parent.iterdir()) == []


def test_corrupt_cached_file_is_reported_not_used(served_file, tmp_path):
    url, sha = served_file
    cached = tmp_path / "cache" / "weights" / "w.pth"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"truncated")
    with pytest.raises(GanbenchError, match="delete it so ganbench downloads it again"):
        resolve(url, sha, tmp_path / "cache")


def test_explicit_path_must_exist(tmp_path):
    with pytest.raises(GanbenchError, match="does not exist"):
        resolve_weights(
            explicit=str(tmp_path / "missing.pth"), env_var="X", url="", sha256="", filename="w",
            cache_override=None, what="the test weights", option="--test-weights",
        )
