"""The README's code: every Python block runs (blocks marked needs=network / needs=gpu skip, saying so), every
`ganbench.x.y` name it writes exists, and its fresh-machine section holds the commands .ci/fresh_venv runs."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from pathlib import Path

import pytest
from support.readme_blocks import README, blocks, dotted_names

ROOT = README.parent
PYTHON_BLOCKS = [block for block in blocks() if block.language == "python"]


def test_the_readme_has_python_blocks_to_run():
    assert PYTHON_BLOCKS, "the README shows the Python API in ```python blocks, which the next test runs"


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"line{block.line}" for block in PYTHON_BLOCKS])
def test_each_python_block_of_the_readme_runs(block, monkeypatch, one_thread):
    if "network" in block.needs:
        pytest.skip(f"README line {block.line} needs a network connection (marked needs=network)")
    if "gpu" in block.needs:
        import torch

        if not torch.cuda.is_available():
            pytest.skip(f"README line {block.line} needs a CUDA device (marked needs=gpu)")
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository root
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block.code, f"README.md:{block.line}", "exec"), {"__name__": "__readme__"})
    assert printed.getvalue().strip(), "a README example shows its result"


def resolve(name: str):
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(name)


@pytest.mark.parametrize("name", dotted_names())
def test_every_ganbench_name_the_readme_writes_exists(name):
    assert resolve(name) is not None


def test_a_name_that_does_not_exist_is_caught():
    assert dotted_names("see `ganbench.results.load(run_dirs)`") == ["ganbench.results.load"]
    with pytest.raises((ModuleNotFoundError, AttributeError)):
        resolve("ganbench.results.load")


def test_block_needs_are_read_from_the_info_string():
    text = "# A\n```python needs=network,gpu\nx = 1\n```\n```bash\nls\n```\n"
    first, second = blocks(text)
    assert (first.language, first.needs, first.line, first.section, first.code) == ("python", ("network", "gpu"), 2, "A", "x = 1\n")
    assert (second.language, second.needs) == ("bash", ())


def test_the_fresh_machine_section_installs_cpu_torch_then_runs_the_two_commands():
    commands = [b.code.strip() for b in blocks() if b.language == "bash" and b.section == "Two commands on a fresh machine"]
    assert commands[0] == "pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu"
    assert commands[1].startswith("pip install -e . && ganbench run ")
    assert commands[2].startswith('pip install -e ".[dev]" && ') and commands[2].endswith("python -m pytest -q")
    assert os.access(ROOT / ".ci" / "fresh_venv", os.X_OK)


def test_fresh_venv_reads_the_same_blocks():
    script = (ROOT / ".ci" / "fresh_venv").read_text()
    assert 'readme_blocks.py" bash "Two commands on a fresh machine"' in script
    assert Path(ROOT / "tests" / "support" / "readme_blocks.py").is_file()
