"""Result rows: one measured number per JSON line in `results.jsonl`, appended the moment it exists.

Writers (the benchmark runner, `ganbench score`) call `append_rows(path, rows)`; readers call
`load(paths)` for a pandas DataFrame. The file is append-only: an interrupted run keeps every row
it measured, and several processes may append to the same file at once without mixing their lines.

JSON has no NaN: a missing value (failed or diverged rows) is written as `null` and read back as NaN.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import pandas as pd

from ganbench.atomic import atomic_path
from ganbench.errors import GanbenchError
from ganbench.report.canonical import canonical_json, clean_floats, plain_json, protocol_key

try:  # POSIX advisory locks; O_APPEND alone already keeps lines whole on local file systems
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

#: The file name inside a run directory.
RESULTS_FILE = "results.jsonl"

Status = Literal["ok", "failed", "diverged"]
STATUSES: tuple[str, ...] = ("ok", "failed", "diverged")

#: `metric` value of a row that concerns the whole cell (e.g. training crashed before any metric was measured).
ALL_METRICS = "*"

#: Columns of the DataFrame returned by `load`, in order, with their meaning.
RESULT_COLUMNS: dict[str, str] = {
    "model": "model name",
    "dataset": "dataset name",
    "seed": "training seed (int)",
    "step": "training step the value was measured at (int)",
    "metric": "metric key, e.g. fid, is_mean, precision ('*' for a row about the whole cell)",
    "value": "the measured value (float; NaN for failed and diverged rows)",
    "status": "ok, failed or diverged",
    "reason": "why a row failed or diverged (empty for ok rows)",
    "wall_time_s": "wall-clock seconds the cell had run when the value was measured",
    "run_name": "name of the run that wrote the row (empty if none)",
    "created_at": "ISO 8601 time the row was made (UTC)",
    "protocol_key": "12 hex digits: hash of the comparable protocol fields (ganbench.protocol.COMPARABLE_KEYS); "
    "rows with different keys are never ranked together; empty when the row carries no protocol",
    "protocol": "the full protocol fingerprint (dict)",
    "config": "the run's training config (dict)",
    "source": "the results.jsonl file the row was read from",
}


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds, e.g. 2024-05-01T12:00:00+00:00."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ResultRow:
    """One measured number: metric `metric` of `model` trained on `dataset` with `seed`, at training step `step`.

    `metric` is a metric KEY ("fid", "is_mean", "precision", ...), or "*" for a row about the whole cell
    (e.g. training diverged before anything was measured). `protocol` is the fingerprint from
    `ganbench.protocol.fingerprint`; `config` the run's training config. Rows with status "failed" or
    "diverged" must give a `reason`, and their value is NaN (whatever was passed). An "ok" row needs a
    finite value: a NaN or infinite measurement is a failure, so record it with status "failed" or "diverged".
    """

    model: str
    dataset: str
    seed: int
    step: int
    metric: str
    value: float
    protocol: dict = field(default_factory=dict)
    wall_time_s: float = float("nan")
    config: dict = field(default_factory=dict)
    status: Status = "ok"
    reason: str | None = None
    run_name: str | None = None
    created_at: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        for name in ("model", "dataset", "metric"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty string, not {getattr(self, name)!r}")
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "step", int(self.step))
        object.__setattr__(self, "wall_time_s", float("nan") if self.wall_time_s is None else float(self.wall_time_s))
        object.__setattr__(self, "protocol", dict(self.protocol or {}))
        object.__setattr__(self, "config", dict(self.config or {}))
        if self.status == "ok":
            value = float("nan") if self.value is None else float(self.value)
            if not math.isfinite(value):
                raise ValueError(
                    f"{self.model}/{self.dataset} seed {self.seed} step {self.step}: {self.metric} is {value}; "
                    "record a non-finite measurement with status 'failed' or 'diverged' and a reason"
                )
            object.__setattr__(self, "value", value)
        else:
            if not self.reason:
                raise ValueError(f"a {self.status} row needs a reason")
            object.__setattr__(self, "value", float("nan"))

    def to_json(self) -> dict:
        """A plain JSON-able dict (NaN values become None)."""
        return clean_floats(json.loads(json.dumps(asdict(self), default=plain_json)))

    def to_line(self) -> str:
        """One line of results.jsonl, newline included."""
        return json.dumps(self.to_json(), default=plain_json, allow_nan=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, data: dict) -> ResultRow:
        """The row from `to_json` output; unknown keys are ignored (rows written by newer versions still load)."""
        known = {f.name for f in fields(cls)}
        kwargs = {key: value for key, value in data.items() if key in known}
        if kwargs.get("value") is None:
            kwargs["value"] = float("nan")
        return cls(**kwargs)


def trained(row: ResultRow) -> bool:
    """True for a row measured on a model trained by `ganbench run` / `train` (it carries the training config);
    False for a row `ganbench score --append` made from a user's generator or samples."""
    return "model_config" in row.config


def check_appendable(path: str | os.PathLike, name: str, dataset: str | None) -> None:
    """A GanbenchError when rows of `name` on `dataset` would be hidden or mixed among the file's rows: `name` is a
    model trained in that run, or `dataset` is not the one the file holds. Nothing to check for a new file."""
    target = results_path(path)
    if not target.is_file():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = read_rows(target)
    if any(row.model == name and trained(row) for row in rows):
        raise GanbenchError(
            f"{name!r} is a model trained in {target}; rows appended under that name would pass for its seed and "
            "step 0, so choose another --name"
        )
    datasets = sorted({row.dataset for row in rows})
    if dataset is not None and datasets and dataset not in datasets:
        raise GanbenchError(
            f"{target} holds results on {', '.join(datasets)}, not {dataset}; append to a results file of "
            f"{dataset} runs (or a new .jsonl file)"
        )


def results_path(path: str | os.PathLike) -> Path:
    """`path` itself if it names a .jsonl file, else `path/results.jsonl`."""
    path = Path(path)
    return path if path.suffix == ".jsonl" else path / RESULTS_FILE


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _open_locked(target: Path) -> int:
    """results.jsonl opened for appending under an exclusive lock, re-opened if it was replaced meanwhile
    (quarantine_damaged_lines swaps in a cleaned file; rows must land in the file at the path, not the old one)."""
    while True:
        try:
            fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise GanbenchError(f"cannot write {target} ({error.strerror}); choose a writable location") from None
        if fcntl is None:
            return fd
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(target).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def append_rows(path: str | os.PathLike, rows: Iterable[ResultRow]) -> Path:
    """Append `rows` to results.jsonl (`path` is a run directory or a .jsonl file); returns the file's path.

    The batch is one write() to a file opened with O_APPEND, under an exclusive fcntl lock, then fsynced:
    concurrent writers from several processes never interleave lines, and rows survive a crash right after.
    A batch lands whole or not at all: if the write fails (a full disk), the file is cut back to its old
    length and a GanbenchError says so. If an earlier writer died mid-line, a newline is written first so the
    new rows start on their own line (`load` skips the broken fragment with a warning).
    """
    rows = list(rows)
    target = results_path(path)
    if not rows:
        return target
    for row in rows:
        if not isinstance(row, ResultRow):
            raise TypeError(f"append_rows takes ResultRow objects, not {type(row).__name__}")
    payload = "".join(row.to_line() for row in rows).encode()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GanbenchError(f"cannot create {target.parent} ({error.strerror}); choose a writable location") from None
    created = not target.exists()
    fd = _open_locked(target)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            payload = b"\n" + payload
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError as error:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise GanbenchError(
                f"could not append {len(rows)} row(s) to {target} ({error.strerror}); none of them was kept, "
                "free some space (or fix the file system) and run again"
            ) from None
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_dir(target.parent)
    return target


def _fsync_dir(directory: Path) -> None:
    """Make a newly created file's directory entry durable (best effort; not possible on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _parse_line(raw: bytes) -> ResultRow | str:
    """The row on one line, or why the line is not a row."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "is not valid JSON"
    try:
        if not isinstance(record, dict):
            raise TypeError("not a JSON object")
        return ResultRow.from_json(record)
    except (TypeError, ValueError) as error:
        return f"is not a valid result row ({error})"


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines


def read_rows(path: str | os.PathLike) -> list[ResultRow]:
    """The rows of one results.jsonl (or run directory), in file order.

    A line that is not valid JSON (a crash mid-write, normally the last line) is skipped with a warning,
    as is a line that is JSON but not a valid row.
    """
    target = results_path(path)
    if not target.is_file():
        where = f"{target.parent} has no {RESULTS_FILE}" if target.name == RESULTS_FILE else f"no such file {target}"
        raise GanbenchError(f"{where}; pass a run directory with a {RESULTS_FILE} or the path of a .jsonl file")
    with open(target, "rb") as handle:
        data = handle.read()
    lines = _lines(data)
    rows: list[ResultRow] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        parsed = _parse_line(raw)
        if isinstance(parsed, ResultRow):
            rows.append(parsed)
            continue
        last = number == len(lines)
        what = "the last line" if last else f"line {number}"
        why = "is incomplete (an interrupted write?)" if last and not data.endswith(b"\n") else parsed
        warnings.warn(f"{target}: {what} {why}; skipped it", stacklevel=2)
    return rows


def quarantine_damaged_lines(path: str | os.PathLike) -> tuple[int, Path]:
    """Move the lines of results.jsonl that are not valid rows to results.jsonl.damaged; returns (count, that file).

    The good lines stay, in order, in a file swapped in atomically under the writers' lock, so a damaged line
    (a crash mid-write) is kept for inspection but is no longer in the way of readers and appenders.
    """
    target = results_path(path)
    damaged = target.with_name(target.name + ".damaged")
    if not target.is_file():
        return 0, damaged
    fd = _open_locked(target)
    try:
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        good, bad = [], []
        for raw in _lines(data):
            if raw.strip():
                (good if isinstance(_parse_line(raw), ResultRow) else bad).append(raw + b"\n")
        if bad:
            with open(damaged, "ab") as handle:
                handle.write(b"".join(bad))
                handle.flush()
                os.fsync(handle.fileno())
            with atomic_path(target) as tmp:
                with open(tmp, "wb") as handle:
                    handle.write(b"".join(good))
                    handle.flush()
                    os.fsync(handle.fileno())
    finally:
        os.close(fd)
    return len(bad), damaged


def rows_to_frame(rows: Sequence[ResultRow], source: str = "") -> pd.DataFrame:
    """Rows as a DataFrame with the columns of RESULT_COLUMNS (in that order)."""
    keys: dict[str, str] = {}

    def key_of(protocol: dict) -> str:
        text = canonical_json(protocol)
        if text not in keys:
            keys[text] = protocol_key(protocol)
        return keys[text]

    records = [
        {
            "model": row.model,
            "dataset": row.dataset,
            "seed": row.seed,
            "step": row.step,
            "metric": row.metric,
            "value": row.value,
            "status": row.status,
            "reason": row.reason or "",
            "wall_time_s": row.wall_time_s,
            "run_name": row.run_name or "",
            "created_at": row.created_at,
            "protocol_key": key_of(row.protocol),
            "protocol": row.protocol,
            "config": row.config,
            "source": source,
        }
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(RESULT_COLUMNS))
    return frame.astype(
        {"seed": "int64", "step": "int64", "value": "float64", "wall_time_s": "float64"}
        | {name: "object" for name in RESULT_COLUMNS if name not in ("seed", "step", "value", "wall_time_s")}
    )


def load(run_dirs_or_files: str | os.PathLike | Iterable[str | os.PathLike]) -> pd.DataFrame:
    """All rows of the given run directories (their results.jsonl) or .jsonl files, as one DataFrame.

    One row per line, in file order, with the columns of RESULT_COLUMNS; `protocol` and `config` hold dicts.
    A file named twice is read once. A truncated last line (a crash mid-write) is skipped with a warning.
    """
    if isinstance(run_dirs_or_files, str | os.PathLike):
        run_dirs_or_files = [run_dirs_or_files]
    frames = []
    seen: set[Path] = set()
    for path in run_dirs_or_files:
        target = results_path(path)
        resolved = target.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        frames.append(rows_to_frame(read_rows(target), source=str(target)))
    if not frames:
        raise GanbenchError("no run directory or results file given")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame[list(RESULT_COLUMNS)]
