"""Packaging: the shipped reference statistics live in the top-level reference_stats/ folder and install as
ganbench.reference_stats, so a wheel and an editable install both find them; pyproject lists every package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_lists_every_package():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "ganbench").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"ganbench.reference_stats"}


def test_the_shipped_statistics_are_found_from_a_source_checkout():
    from ganbench.scoring.reference_cache import SOURCE_ROOT, shipped_root

    assert SOURCE_ROOT == ROOT / "reference_stats" and (SOURCE_ROOT / "manifest.json").is_file()
    manifest = json.loads((shipped_root() / "manifest.json").read_text())
    assert {entry["key"]["dataset"] for entry in manifest["entries"]} == {"mnist5k", "digits"}


def test_a_wheel_holds_the_shipped_statistics_and_its_install_finds_them(tmp_path):
    """Build the wheel (in pip's isolated build environment, as `pip install` does: the interpreter's own
    setuptools may be too old or absent), check its files, install it (no dependencies: they are already here)
    into a target folder and ask that copy of ganbench where its statistics are."""
    had_build = (ROOT / "build").exists()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True,
    )
    if not had_build:  # setuptools builds in the source tree; leave the checkout as it was
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(tmp_path.glob("ganbench-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    manifest = json.loads((ROOT / "reference_stats" / "manifest.json").read_text())
    for entry in manifest["entries"]:
        assert f"ganbench/reference_stats/{entry['file']}" in names
    assert "ganbench/reference_stats/manifest.json" in names
    assert "ganbench/weights/mnist_classifier.safetensors" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True)
    code = (
        "import ganbench, json; from ganbench.scoring.reference_cache import shipped_root; "
        "root = shipped_root(); print(ganbench.__file__); "
        "print(len(json.loads((root / 'manifest.json').read_text())['entries'])); print(root / 'manifest.json')"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    module, count, root = out.stdout.split("\n")[:3]
    assert module.startswith(str(target)) and count == "2" and root.startswith(str(target))


def test_an_editable_install_maps_the_shipped_statistics(tmp_path):
    """`pip install -e .` in a fresh virtual environment of its own (its bundled pip; setuptools comes from the
    package index into pip's isolated build environment, as in the README's install, so neither the base
    interpreter's setuptools nor the running environment's is used): the installed ganbench.reference_stats
    package is the repository's reference_stats/ folder. Importing it needs nothing beyond the standard library."""
    venv = tmp_path / "venv"
    # from inside a virtual environment, `-m venv` builds on the base interpreter; ensurepip needs no network
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", "-e", str(ROOT)], capture_output=True, text=True,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    code = (
        "import ganbench.reference_stats as r, json; from importlib import resources; "
        "root = resources.files('ganbench.reference_stats'); "
        "print(len(json.loads((root / 'manifest.json').read_text())['entries'])); print(root / 'manifest.json')"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    count, manifest = out.stdout.split("\n")[:2]
    assert count == "2" and Path(manifest).resolve() == (ROOT / "reference_stats" / "manifest.json").resolve()
