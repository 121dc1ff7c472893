"""The fenced code blocks of the README, for the tests that run them and for .ci/fresh_venv.

A block's info string is its language, then optional words: `needs=network` or `needs=gpu` (comma-separated)
marks a block that cannot run offline or on a CPU; the README test skips it, saying which.

    python tests/support/readme_blocks.py bash "Two commands on a fresh machine"   # blocks NUL-separated
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```(\S*)(.*)$")
#: a dotted name in backticks that starts with `ganbench.`, e.g. `ganbench.report.results.load(run_dirs)`
DOTTED = re.compile(r"`(ganbench(?:\.[A-Za-z_]\w*)+)")


@dataclass(frozen=True)
class Block:
    language: str
    needs: tuple[str, ...]
    line: int  # of the opening fence, 1-based
    section: str  # the nearest heading above it, without the #s
    code: str


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the README (or of `text`), in order."""
    lines = (README.read_text() if text is None else text).splitlines()
    found, section, index = [], "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        opening = FENCE.match(line)
        if opening:
            end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            words = opening.group(2).split()
            needs = tuple(need for word in words if word.startswith("needs=") for need in word[6:].split(",") if need)
            found.append(Block(opening.group(1), needs, index + 1, section, "\n".join(lines[index + 1:end]) + "\n"))
            index = end
        index += 1
    return found


def dotted_names(text: str | None = None) -> list[str]:
    """Every `ganbench.x.y` name the README writes in backticks, once each."""
    return list(dict.fromkeys(DOTTED.findall(README.read_text() if text is None else text)))


if __name__ == "__main__":
    language, section = sys.argv[1], sys.argv[2]
    for block in blocks():
        if block.language == language and block.section == section:
            print(block.code.strip(), end="\0")
