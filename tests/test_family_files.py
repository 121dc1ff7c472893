"""Each GAN family file stands alone: without it only its own registered names are gone, and every other family
still registers. The package is copied, one family file at a time is removed from the copy, and the registry is
imported afresh from it (in one subprocess, so torch is imported once)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from ganbench.models.base import MODELS

PACKAGE = Path(__file__).resolve().parent.parent / "ganbench"

#: In the subprocess: for each family module, remove its file, import the registry from scratch, record the names.
SCRIPT = r"""
import importlib, json, sys
from pathlib import Path
root, modules = Path(sys.argv[1]), json.loads(sys.argv[2])
sys.path.insert(0, str(root))
out = {}
for module in modules:
    path = root / "ganbench" / "models" / f"{module}.py"
    hidden = path.with_suffix(".hidden")
    path.rename(hidden)
    for name in [m for m in sys.modules if m == "ganbench" or m.startswith("ganbench.")]:
        del sys.modules[name]
    base = importlib.import_module("ganbench.models.base")
    assert base.__file__.startswith(str(root)), base.__file__
    out[module] = base.MODELS.names()
    hidden.rename(path)
print(json.dumps(out))
"""


def names_by_module() -> dict[str, set[str]]:
    """Registered names grouped by the module that defines their family (where its networks are built)."""
    found: dict[str, set[str]] = defaultdict(set)
    for name in MODELS.names():
        found[MODELS.get(name).build_networks.__module__.rsplit(".", 1)[-1]].add(name)
    return dict(found)


def test_removing_one_family_file_removes_only_that_family(tmp_path):
    owned = names_by_module()
    assert len(owned) >= 17 and {"pacgan2", "pacdcgan4"} <= owned["gan"] | owned["dcgan"]
    shutil.copytree(PACKAGE, tmp_path / "ganbench", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), json.dumps(sorted(owned))],
        capture_output=True, text=True, env=env, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    left = json.loads(done.stdout)
    everything = set(MODELS.names())
    for module, names in owned.items():
        assert set(left[module]) == everything - names, module
