"""What runs on the Ray workers of `--executor ray`: the cell task, the storage probe, and the mailbox actor through
which workers hand rows, progress and log lines to the driver.

A cell task runs runner.cell.run_cell, exactly as a local worker does; its row sink delivers each batch to the
mailbox and returns only once the driver has appended it to results.jsonl, so a cell never trains past rows that
are not on disk (the rule the local executor keeps by appending itself). Ray is imported inside the functions:
this module is loaded by every run, Ray only by this executor.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from ganbench.atomic import write_text_atomic
from ganbench.errors import GanbenchError
from ganbench.report.results import ResultRow
from ganbench.runner.cell import CellJob, CellOutcome, run_cell
from ganbench.runner.local_cells import on_device
from ganbench.train.log import LOSSES_FILE

#: Name prefix of the files the driver writes into each shared folder for the workers to find.
PROBE_PREFIX = ".ganbench-ray-probe-"
#: A cell is named by its (model, seed) in the mailbox.
Cell = tuple[str, int]


@dataclass(frozen=True)
class StorageProbe:
    """Folders every node must see at the same path as the driver, as (what, path), and the token the driver wrote
    into each of them (in PROBE_PREFIX + token)."""

    folders: tuple[tuple[str, str], ...]
    token: str

    @classmethod
    def write(cls, folders: dict[str, Path]) -> StorageProbe:
        """Write a fresh token into each folder (created if missing); remove them with `remove` when done."""
        probe = cls(tuple((what, str(Path(folder).resolve())) for what, folder in folders.items()), uuid.uuid4().hex)
        for _, folder in probe.folders:
            write_text_atomic(Path(folder) / (PROBE_PREFIX + probe.token), probe.token)
        return probe

    def remove(self) -> None:
        for _, folder in self.folders:
            (Path(folder) / (PROBE_PREFIX + self.token)).unlink(missing_ok=True)

    def problem(self, node: str) -> str | None:
        """None when this machine sees every folder as the driver does and can write there, else one sentence."""
        for what, folder in self.folders:
            try:
                seen = (Path(folder) / (PROBE_PREFIX + self.token)).read_text()
            except OSError:
                seen = None
            if seen != self.token:
                return (
                    f"Ray node {node} does not see {what} {folder} as the driver does (the file the driver wrote there "
                    "is missing): put it on a filesystem every node mounts at that same path"
                )
            check = Path(folder) / f"{PROBE_PREFIX}{self.token}-{uuid.uuid4().hex}"
            try:
                check.write_text("")
                check.unlink()
            except OSError as error:
                return f"Ray node {node} cannot write to {what} {folder} ({error.strerror}): make it writable there"
        return None


@dataclass(frozen=True)
class TaskSettings:
    """How a cell task runs: CPU threads, its share of one GPU (None: on the CPU), the storage to check first, and
    seconds between two progress reports."""

    threads: int
    gpu_share: float | None
    probe: StorageProbe
    progress_every_s: float = 2.0


@dataclass(frozen=True)
class Started:
    """A cell's task started (again, after a retry) on `node`."""

    cell: Cell
    node: str


@dataclass(frozen=True)
class StepReached:
    """A cell's training reached `step`."""

    cell: Cell
    step: int


@dataclass(frozen=True)
class LogLine:
    """A line a cell logged (an evaluation's numbers, a failure)."""

    cell: Cell
    line: str


@dataclass(frozen=True)
class Rows:
    """A batch of a cell's rows; its worker waits until the driver says `ticket` is stored."""

    cell: Cell
    ticket: int
    rows: list[ResultRow]


class Mailbox:
    """The driver's inbox, a Ray actor: workers post events and deliver rows; `deliver` returns only once the driver
    has said (with `stored`) that the rows are in results.jsonl. The driver takes what was posted, in order."""

    def __init__(self) -> None:
        self._posted: list[Started | StepReached | LogLine | Rows] = []
        self._waiting: dict[int, asyncio.Event] = {}
        self._tickets = 0

    async def post(self, event: Started | StepReached | LogLine) -> None:
        self._posted.append(event)

    async def deliver(self, cell: Cell, rows: list[ResultRow]) -> None:
        ticket, self._tickets = self._tickets, self._tickets + 1
        stored = self._waiting[ticket] = asyncio.Event()
        self._posted.append(Rows(cell, ticket, rows))
        await stored.wait()

    async def take(self) -> list[Started | StepReached | LogLine | Rows]:
        posted, self._posted = self._posted, []
        return posted

    async def stored(self, tickets: list[int]) -> None:
        for ticket in tickets:
            event = self._waiting.pop(ticket, None)
            if event is not None:
                event.set()


def node_label() -> str:
    """'IP (first 8 hex digits of the Ray node id)': the IP alone does not tell two nodes on one machine apart."""
    import ray

    return f"{ray.util.get_node_ip_address()} ({ray.get_runtime_context().get_node_id()[:8]})"


def probe_task(probe: StorageProbe) -> tuple[str, str | None]:
    """Ray task: (this node, what is wrong with its view of the shared folders, or None)."""
    node = node_label()
    return node, probe.problem(node)


def last_step(path: Path) -> int | None:
    """The step of the last complete row of a losses.csv (None before the first one)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - 4096))
            tail = handle.read()
    except OSError:
        return None
    for line in reversed(tail.split(b"\n")[:-1]):  # the part after the last newline may be half-written
        head = line.split(b",", 1)[0]
        if head.isdigit():
            return int(head)
    return None


class StepReporter:
    """While a cell runs, posts the newest step of its losses.csv whenever it changed (from a daemon thread)."""

    def __init__(self, folder: Path, post: Callable[[int], object], every_s: float) -> None:
        self.path, self.post, self.every_s = Path(folder) / LOSSES_FILE, post, every_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="ganbench step reporter", daemon=True)

    def _watch(self) -> None:
        reported = None
        while not self.stop.wait(self.every_s):
            step = last_step(self.path)
            if step is not None and step != reported:
                self.post(step)
                reported = step

    def __enter__(self) -> StepReporter:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def cell_task(job: CellJob, mailbox, settings: TaskSettings) -> CellOutcome:
    """Ray task: run one cell on this worker, its rows delivered to the driver through `mailbox`.

    A worker that does not see the shared folders raises (the driver records the cell failed, with the sentence);
    nothing is written then. On a GPU, Ray has set CUDA_VISIBLE_DEVICES to this task's GPU; the process's CUDA
    memory is capped at its share, since Ray's GPU fractions are only bookkeeping.
    """
    import ray

    cell = (job.model, job.seed)
    node = node_label()
    mailbox.post.remote(Started(cell, node))
    problem = settings.probe.problem(node)
    if problem:
        raise GanbenchError(problem)
    torch.set_num_threads(settings.threads)
    device = "cpu"
    if settings.gpu_share is not None:
        device = "cuda:0"
        torch.cuda.set_per_process_memory_fraction(min(1.0, settings.gpu_share), 0)
    job = on_device(job, device)

    def sink(rows: list[ResultRow]) -> None:
        ray.get(mailbox.deliver.remote(cell, rows))

    def post_step(step: int) -> None:
        mailbox.post.remote(StepReached(cell, step))

    def log(line: str) -> None:
        mailbox.post.remote(LogLine(cell, line))

    with StepReporter(job.cell_dir, post_step, settings.progress_every_s):
        return run_cell(job, log=log, sink=sink)
