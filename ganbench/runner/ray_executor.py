"""Running a grid's cells as Ray tasks (`--executor ray`), on a local Ray instance or an existing cluster.

Each (model, seed) cell is one task asking for `cpus_per_cell` CPUs, 1/`--jobs-per-gpu` of a GPU when the grid
runs on GPUs (the worker caps its CUDA memory to that share), `memory_per_cell` GiB and any custom `resources`. A
task does what a local worker does (runner.cell.run_cell); only its rows take another road: the worker delivers
each batch to a mailbox actor and waits until this driver, the only writer of results.jsonl, has appended it (in
completion order). Reference statistics are computed once, here, before any task starts, into the cache folder
the tasks read.

Faults: a task whose worker or node dies is retried by Ray up to `max_retries` times and continues from the cell's
last checkpoint. A row a dead attempt had delivered is appended once: the driver drops a successful row whose
(model, dataset, seed, step, metric) it already holds (a retry that re-measured that step). When the retries run
out, the cell is recorded failed and the grid goes on. If the driver dies, Ray stops its tasks, rows already
appended stay, and running the same command again resumes.

Storage: the run directory and the ganbench cache must be on a filesystem every node mounts at the same path. A
probe task on every node checks this before training (one sentence names the node and the folder when it fails),
and every task checks it again before it writes (nodes can join later). Ray is imported only by this executor.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from ganbench.errors import GanbenchError
from ganbench.paths import cache_dir, data_dir
from ganbench.report.results import ResultRow, append_rows, read_rows, results_path
from ganbench.runner.cell import CellJob, CellOutcome, one_line
from ganbench.runner.grid_config import GridConfig, GridPlan
from ganbench.runner.local_cells import device_slots, record_lost_cell
from ganbench.runner.ray_progress import ProgressBoard
from ganbench.runner.ray_tasks import (
    LogLine,
    Mailbox,
    Rows,
    Started,
    StepReached,
    StorageProbe,
    TaskSettings,
    cell_task,
    probe_task,
)

#: Seconds the driver waits for tasks before it looks at the mailbox again.
POLL_S = 0.25
#: Seconds every node has to answer the storage probe.
PROBE_TIMEOUT_S = 120.0


def import_ray():
    """The ray module, or a GanbenchError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise GanbenchError(
            "--executor ray needs Ray, which is not installed: pip install 'ganbench[ray]' (or 'ray>=2.9')"
        ) from None
    return ray


def parse_resources(text: str) -> tuple[tuple[str, float], ...]:
    """'name=1,other=0.5' -> (('name', 1.0), ('other', 0.5)): custom Ray resources each cell asks for."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, equals, amount = part.partition("=")
        try:
            value = float(amount)
        except ValueError:
            value = -1.0
        if not equals or not name.strip() or value <= 0:
            raise GanbenchError(
                f"bad Ray resource {part!r}; give NAME=AMOUNT with AMOUNT > 0, e.g. --ray-resources ssd=1"
            )
        pairs.append((name.strip(), value))
    return tuple(pairs)


@dataclass(frozen=True)
class RayExecutor:
    """Cells as Ray tasks. address None: $RAY_ADDRESS, else a new local Ray instance (stopped at the end).
    max_retries: times Ray reruns a cell whose worker or node died. cpus_per_cell, memory_per_cell (GiB, None: no
    reservation), resources: what each cell's task reserves. live None: redraw progress in place when stdout is a
    terminal. report_every_s: seconds between progress lines when not live."""

    address: str | None = None
    max_retries: int = 3
    cpus_per_cell: float = 1.0
    memory_per_cell: float | None = None
    resources: tuple[tuple[str, float], ...] = ()
    live: bool | None = None
    report_every_s: float = 30.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise GanbenchError("--ray-max-retries must be at least 0")
        if self.cpus_per_cell <= 0:
            raise GanbenchError("--ray-cpus-per-cell must be more than 0")
        if self.memory_per_cell is not None and self.memory_per_cell <= 0:
            raise GanbenchError("--ray-memory-per-cell must be more than 0 (GiB)")

    def slots(self, device: str, jobs: int | None, jobs_per_gpu: int) -> tuple[str, ...]:
        """Where this process warms the reference cache: its first GPU when it has one and `device` allows, else the
        CPU. The cells' devices are Ray's to assign, so a GPU of this machine (cuda:N) cannot be chosen. Checks
        that Ray is installed (planning comes before anything is written)."""
        import_ray()
        if device not in ("auto", "cpu", "cuda"):
            raise GanbenchError(
                f"--device {device} with --executor ray: use auto, cpu or cuda (Ray gives each cell its GPU share)"
            )
        return tuple(device_slots("cpu" if device == "cpu" else "auto", jobs, jobs_per_gpu)[:1])

    @contextlib.contextmanager
    def session(self, config: GridConfig, log: Callable[[str], None]) -> Iterator[Callable]:
        ray = import_ray()
        started = connect(ray, self.address, log)
        probe = None
        try:
            use_gpu = wants_gpu(config.device, ray.cluster_resources())
            scoring = config.scoring
            probe = StorageProbe.write(
                {"--out": Path(config.out), "the ganbench cache": cache_dir(scoring.data_config.cache_dir)}
            )
            check_storage(ray, probe, log)
            self.warn_unoffered(ray, log)
            yield partial(self.run_cells, ray, config, probe, use_gpu, log)
        finally:
            if probe is not None:
                probe.remove()
            if started:
                ray.shutdown()

    def task_options(self, use_gpu: bool, jobs_per_gpu: int) -> dict:
        """Ray options of every cell task (name and scheduling aside)."""
        options = {"num_cpus": self.cpus_per_cell, "max_retries": self.max_retries, "retry_exceptions": False}
        if use_gpu:
            options["num_gpus"] = 1 / jobs_per_gpu
        if self.memory_per_cell is not None:
            options["memory"] = int(self.memory_per_cell * 2**30)
        if self.resources:
            options["resources"] = dict(self.resources)
        return options

    def warn_unoffered(self, ray, log: Callable[[str], None]) -> None:
        total = ray.cluster_resources()
        for name, amount in (("CPU", self.cpus_per_cell), *self.resources):
            if total.get(name, 0) < amount:
                log(f"warning: no Ray node offers {name}={amount:g} now; the cells wait until one joins the cluster")

    def run_cells(
        self, ray, config: GridConfig, probe: StorageProbe, use_gpu: bool, log, jobs: Sequence[CellJob], plan: GridPlan
    ) -> list[CellOutcome]:
        """Run `jobs` as tasks (at most `config.jobs` at once, when given); outcomes in the order of `jobs`."""
        options = self.task_options(use_gpu, config.jobs_per_gpu)
        settings = TaskSettings(
            threads=plan.threads.threads if plan.threads is not None else max(1, int(self.cpus_per_cell)),
            gpu_share=1 / config.jobs_per_gpu if use_gpu else None,
            probe=probe,
        )
        where = f"{'GPU' if use_gpu else 'CPU'} tasks ({', '.join(f'{k}={v:g}' for k, v in _shown(options))})"
        log(f"running {len(jobs)} cell(s) as Ray {where}")
        mailbox = ray.remote(num_cpus=0)(Mailbox).remote()
        task = ray.remote(cell_task)
        live = sys.stdout.isatty() if self.live is None else self.live
        board = ProgressBoard(jobs, log, live, self.report_every_s)
        ledger = RowLedger(Path(config.out))
        pending = deque(enumerate(pinned(job) for job in jobs))
        running: dict = {}
        outcomes: dict[int, CellOutcome] = {}
        limit = config.jobs or len(jobs)
        try:
            while pending or running:
                while pending and len(running) < limit:
                    index, job = pending.popleft()
                    ref = task.options(name=f"ganbench {job.label}", **options).remote(job, mailbox, settings)
                    running[ref] = (index, job)
                ready, _ = ray.wait(list(running), num_returns=len(running), timeout=POLL_S)
                handle_posts(ray.get(mailbox.take.remote()), ledger, board, mailbox)
                for ref in ready:
                    index, job = running.pop(ref)
                    outcomes[index] = self.outcome(ray, ref, job)
                    board.ended(outcomes[index])
                board.tick()
        finally:
            for ref in running:  # interrupted: stop the tasks of this run
                ray.cancel(ref, force=True)
            board.close()
            ray.kill(mailbox)
        return [outcomes[i] for i in range(len(jobs))]

    def outcome(self, ray, ref, job: CellJob) -> CellOutcome:
        """The task's outcome; a task that raised or whose retries ran out is recorded failed here."""
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as error:  # it raised outside run_cell: its storage check, or the mailbox
            cause = error.cause if isinstance(getattr(error, "cause", None), BaseException) else error
            return record_lost_cell(job, str(cause) if isinstance(cause, GanbenchError) else one_line(cause))
        except ray.exceptions.RayError as error:  # its worker or node died more often than it may be retried
            return record_lost_cell(
                job,
                f"{one_line(error)} (Ray reran it up to --ray-max-retries {self.max_retries} times; killed, out of "
                "memory or node lost? Rerun to resume from its last checkpoint)",
            )


def _shown(options: dict) -> list[tuple[str, float]]:
    shown = [(key, float(options[key])) for key in ("num_cpus", "num_gpus") if key in options]
    if "memory" in options:
        shown.append(("memory_GiB", options["memory"] / 2**30))
    return shown + list(options.get("resources", {}).items())


def connect(ray, address: str | None, log: Callable[[str], None]) -> bool:
    """Connect this process to Ray unless it already is; True when this call connected (the session disconnects)."""
    started = False
    target = address or os.environ.get("RAY_ADDRESS") or "local"
    if not ray.is_initialized():
        try:
            ray.init(address=target, log_to_driver=False, logging_level=logging.WARNING)
        except Exception as error:  # Ray raises ConnectionError, ValueError, RuntimeError... for a bad address
            what = "start a local Ray instance" if target == "local" else f"connect to the Ray cluster at {target}"
            raise GanbenchError(f"could not {what} ({one_line(error)}); check --ray-address or $RAY_ADDRESS") from None
        started = True
    resources = ray.cluster_resources()
    nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
    how = "a new local Ray instance" if started and target == "local" else f"the Ray cluster at {target}"
    log(f"Ray: {how}, {nodes} node(s), {resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs")
    return started


def wants_gpu(device: str, resources: dict) -> bool:
    """Whether cells ask Ray for a GPU share: `--device cuda` (the cluster must have GPUs) or `auto` on a GPU cluster."""
    gpus = resources.get("GPU", 0)
    if device == "cuda" and not gpus:
        raise GanbenchError("--device cuda: the Ray cluster has no GPU; use --device cpu or auto")
    return device != "cpu" and gpus > 0


def check_storage(ray, probe: StorageProbe, log: Callable[[str], None]) -> None:
    """Run the storage probe on every alive node that can run cells; a GanbenchError when one cannot see a folder."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [
        node["NodeID"]
        for node in ray.nodes()
        if node.get("Alive") and (node["Resources"].get("CPU", 0) > 0 or node["Resources"].get("GPU", 0) > 0)
    ]
    task = ray.remote(probe_task)
    refs = [
        task.options(
            num_cpus=0, max_retries=0, scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)
        ).remote(probe)
        for node in nodes
    ]
    ready, late = ray.wait(refs, num_returns=len(refs), timeout=PROBE_TIMEOUT_S)
    for ref in late:
        ray.cancel(ref, force=True)
    for _, problem in ray.get(ready):
        if problem:
            raise GanbenchError(problem)
    folders = " and ".join(f"{what} {folder}" for what, folder in probe.folders)
    log(f"storage: {len(ready)} Ray node(s) see {folders}")
    if late:
        log(f"warning: {len(late)} Ray node(s) did not answer the storage probe; cells check it where they land")


def pinned(job: CellJob) -> CellJob:
    """`job` with every folder it reads or writes made absolute as this process resolves it (a worker's working
    directory and environment are not the driver's): the run directory, the cache, the data folder, weights files."""

    def absolute(path: str | None) -> str | None:
        return None if path is None else str(Path(path).expanduser().resolve())

    def pinned_score(score):
        data, extractor = score.data_config, score.extractor_config
        cache = str(cache_dir(data.cache_dir).resolve())
        return replace(
            score,
            data_config=replace(data, cache_dir=cache, data_dir=str(data_dir(data.data_dir, data.cache_dir).resolve())),
            extractor_config=replace(
                extractor,
                cache_dir=str(cache_dir(extractor.cache_dir).resolve()),
                weights_path=absolute(extractor.weights_path),
                inception_weights=absolute(extractor.inception_weights),
            ),
        )

    return replace(job, run_dir=Path(job.run_dir).resolve(), evaluation=job.evaluation.configured(pinned_score))


def row_key(row: ResultRow) -> tuple:
    return (row.model, row.dataset, row.seed, row.step, row.metric)


class RowLedger:
    """The driver's side of results.jsonl: appends rows as they arrive, except a successful row whose key (model,
    dataset, seed, step, metric) the file already holds (a retried task re-measuring what a dead attempt had
    delivered: evaluation is seeded, so the value is the same)."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.held: set[tuple] = set()
        if results_path(self.run_dir).is_file():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a damaged line is reported when the results are loaded for reports
                self.held = {row_key(row) for row in read_rows(self.run_dir) if row.status == "ok"}

    def append(self, rows: Sequence[ResultRow]) -> int:
        """Append the rows not held yet as one batch; returns how many were appended."""
        fresh = []
        for row in rows:
            if row.status == "ok":
                if row_key(row) in self.held:
                    continue
                self.held.add(row_key(row))
            fresh.append(row)
        append_rows(self.run_dir, fresh)
        return len(fresh)


def handle_posts(posts: list, ledger: RowLedger, board: ProgressBoard, mailbox) -> None:
    """Act on what the workers posted, in order; rows are appended, then acknowledged (their worker goes on)."""
    stored = []
    for event in posts:
        match event:
            case Rows():
                ledger.append(event.rows)
                stored.append(event.ticket)
            case Started():
                board.started(event.cell, event.node)
            case StepReached():
                board.step(event.cell, event.step)
            case LogLine():
                board.message(event.line)
    if stored:
        mailbox.stored.remote(stored)
