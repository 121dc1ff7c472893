"""The package layout holds: imports only point down the layers, no import cycles, small files, module headers
that show their dependencies, and subpackage faces that import nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "ganbench"

#: Layers from the top (0) down. A module may import its own package and any package of a lower layer; the
#: packages of one layer do not import each other, except where ALLOWED_SIDEWAYS says so.
LAYERS = [
    ["__main__"],
    ["cli"],
    ["runner"],
    # the metric probe damages real data and scores it through the scoring pipeline, then writes its table and
    # figures with the report's code: an application beside the runner, which never imports it
    ["probe"],
    ["train", "scoring", "report"],
    ["models", "metrics", "features"],
    # suites are published protocols as data (names, pinned settings, published rows): they may refer to datasets
    # but never import what trains or scores; the report compares runs with them and the runner runs them
    ["suites"],
    ["data"],
    [
        "registry",
        "errors",
        "paths",
        "atomic",
        "seeding",
        "protocol",
        "stats",
        "numerics",
        "checkpoint",
        "hashing",
        "devices",
        "config_parsing",
        "locks",
        "progress",
        "__init__",
    ],
]
#: Foundation modules form one layer but may use each other (errors under everything, hashing under checkpoint).
FOUNDATION = set(LAYERS[-1])
#: Sideways imports within a layer that are part of the design (none today: models, metrics and features are
#: independent of one another, and train, scoring and report too).
ALLOWED_SIDEWAYS: set[tuple[str, str]] = set()
#: No file of the package is longer than this: a longer one does more than one job.
MAX_LINES = 400


def layer_of(part: str) -> int:
    for index, names in enumerate(LAYERS):
        if part in names:
            return index
    raise AssertionError(f"ganbench/{part} is on no layer of tests/test_layout.py: add it to LAYERS")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(["ganbench", *parts])] = path
    return found


def ganbench_imports(path: Path, top_level_only: bool) -> list[tuple[str, int]]:
    """(imported ganbench module, line) of every import in a file (or only those at module level)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ganbench") and not node.level:
            known = modules()
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.append((full if full in known else node.module, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("ganbench")]
    return out


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_import_points_down():
    problems = []
    for module, path in modules().items():
        here = package_of(module)
        for target, line in ganbench_imports(path, top_level_only=False):
            there = package_of(target)
            if there == here or (here in FOUNDATION and there in FOUNDATION) or target == "ganbench":
                continue
            if (here, there) in ALLOWED_SIDEWAYS:
                continue
            if layer_of(there) <= layer_of(here):
                problems.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target} (layer {layer_of(there)} "
                                f"from layer {layer_of(here)})")
    assert not problems, "imports that do not point down:\n" + "\n".join(problems)


def test_no_import_cycles():
    known = modules()
    graph = {module: {t for t, _ in ganbench_imports(path, top_level_only=True) if t in known} for module, path in known.items()}
    # a package's face is imported before its modules: ignore edges to it, they cannot close a cycle by themselves
    graph = {m: {t for t in targets if known[t].name != "__init__.py"} for m, targets in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif state.get(target) is None:
                visit(target, stack + [target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT.parent)} has {lines} lines; split it by job (limit {MAX_LINES})"


@pytest.mark.parametrize("path", sorted(ROOT.rglob("__init__.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_subpackage_faces_import_nothing(path):
    """A subpackage's __init__ only describes it: importing `ganbench.metrics.config` must not import every metric."""
    if path.parent == ROOT:
        return
    tree = ast.parse(path.read_text())
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if path.parent.name == "presets":  # the catalogue of the metric registry is this package itself
        return
    if path.parent.name == "cli":  # the program's entry point (`ganbench.cli:main`), imported by nobody below
        return
    assert not imports, f"{path.relative_to(ROOT.parent)} imports modules; keep package faces empty"


def test_parser_builds_without_torch():
    """`ganbench --help` builds every sub-command's parser without importing torch, pandas or matplotlib."""
    code = (
        "import sys; from ganbench.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('torch', 'pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
