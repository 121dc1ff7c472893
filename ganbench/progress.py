"""Progress for people: tqdm's bar on a terminal; in a log file (stderr not a terminal) plain lines instead, since
tqdm redraws with carriage returns and turns a log into one endless line."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

#: Plain progress lines per run in a log file (one at each tenth of the work).
PLAIN_LINES = 10


def interactive(stream=None) -> bool:
    """Whether `stream` (default stderr, where progress goes) is a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced by an object without isatty
        return False


class PlainProgress:
    """tqdm's update / set_postfix / close, written as a whole line at each tenth of `total` (and the end)."""

    def __init__(self, total: int, initial: int = 0, desc: str | None = None, unit: str = "it", stream=None) -> None:
        self.total, self.n, self.desc, self.unit = total, initial, desc, unit
        self.stream = sys.stderr if stream is None else stream
        self.start, self.first = time.perf_counter(), initial
        self.postfix: dict[str, str] = {}
        self.next_line = self._after(initial)

    def _after(self, n: int) -> int:
        step = max(1, -(-self.total // PLAIN_LINES))
        return (n // step + 1) * step

    def set_postfix(self, values: dict, refresh: bool = False) -> None:
        self.postfix = {key: str(value) for key, value in values.items()}

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.n >= min(self.next_line, self.total):
            elapsed = time.perf_counter() - self.start
            rate = (self.n - self.first) / elapsed if elapsed > 0 else 0.0
            extra = "".join(f", {key} {value}" for key, value in self.postfix.items())
            head = f"{self.desc}: " if self.desc else ""
            print(f"{head}{self.n:,}/{self.total:,} {self.unit} ({100 * self.n / max(self.total, 1):.0f}%), "
                  f"{rate:.3g} {self.unit}/s{extra}", file=self.stream, flush=True)
            self.next_line = self._after(self.n)

    def close(self) -> None:
        pass

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress_bar(total: int, initial: int = 0, enabled: bool = True, desc: str | None = None, unit: str = "it",
                 plain: bool = True, **options):
    """tqdm on a terminal; elsewhere PlainProgress lines (or nothing, with `plain` False); nothing when disabled."""
    if enabled and interactive():
        return tqdm(total=total, initial=initial, desc=desc, unit=unit, **options)
    if enabled and plain:
        return PlainProgress(total, initial, desc, unit)
    return tqdm(total=total, initial=initial, disable=True)
