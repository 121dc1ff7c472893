"""A mistyped name on the command line: one sentence with the close name, before torch or any registry entry is
imported; the snapshot of built-in names equals the registries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ganbench.cli.known_names import KNOWN, snapshot
from ganbench.registry import close_name


def test_the_snapshot_of_names_equals_the_registries():
    assert KNOWN == snapshot(), "a name was added or removed: run `python -m ganbench.cli.known_names`"


@pytest.mark.parametrize(
    "typo, close, names",
    [
        ("pacgan5", "pacgan4", "model"),
        ("gna", "gan", "model"),
        ("ring8r1", "ring8_r1", "dataset"),
        ("rign8", "ring8", "dataset"),
        ("pacgan-gird", "pacgan-grid", "suite"),
        ("fdi", "fid", "metric"),
    ],
)
def test_the_close_name_is_suggested(typo, close, names):
    assert close_name(typo, KNOWN[names]) == close


def test_a_name_far_from_every_other_gets_no_suggestion():
    assert close_name("stylegan3", KNOWN["model"]) is None


CHECK = """
import sys
from ganbench.cli import main
code = main({argv!r})
heavy = sorted(name for name in ("torch", "scipy", "pandas", "matplotlib") if name in sys.modules)
print("heavy:", heavy, "exit:", code)
"""


@pytest.mark.parametrize(
    "argv, said",
    [
        (["run", "--models", "gan,pacgan5", "--dataset", "ring8"], "unknown model 'pacgan5'; did you mean 'pacgan4'?"),
        (["run", "--models", "gan", "--dataset", "ring8r1"], "unknown dataset 'ring8r1'; did you mean 'ring8_r1'?"),
        (["run", "--models", "gna", "--dataset", "rign8"], "unknown model 'gna'; did you mean 'gan'?"),
        (["run", "--suite", "pacgan-gird"], "unknown suite 'pacgan-gird'; did you mean 'pacgan-grid'?"),
        (["suite", "show", "pacgan-gird"], "unknown suite 'pacgan-gird'; did you mean 'pacgan-grid'?"),
        (["score", "--dataset", "rign8", "--samples", "x.npz"], "unknown dataset 'rign8'; did you mean 'ring8'?"),
    ],
)
def test_a_typo_is_refused_before_any_heavy_import(argv, said):
    done = subprocess.run([sys.executable, "-c", CHECK.format(argv=argv)], capture_output=True, text=True)
    assert said in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "heavy: [] exit: 2" in done.stdout, done.stdout + done.stderr


def test_the_registry_suggests_too():
    from ganbench.errors import GanbenchError
    from ganbench.models.base import MODELS

    with pytest.raises(GanbenchError, match="did you mean 'pacgan4'"):
        MODELS.get("pacgan5")
