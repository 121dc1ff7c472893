"""One cell of a benchmark grid: train a (model, seed), evaluate it at its evaluation steps, append the rows.

The cell trains in segments that end at the evaluation steps: `train()` is called with `steps` set to the
next evaluation step, so it resumes from the cell's newest checkpoint, and writes a checkpoint at the end of
the segment, which is then scored. Because a resumed run is bit-identical to an uninterrupted one, the
numbers do not depend on where an interruption happened. Rows go to the cell's row sink the moment they are
measured (by default appended to RUN_DIR/results.jsonl here; the Ray executor sends them to its driver, which
appends them); a step that already has rows is never measured twice.

A step counts as measured only when every key its metrics report has a row that parses: a step whose rows were
lost (a damaged line) is measured again from its checkpoint, and only the missing keys are appended. A run can be
extended (more steps, another evaluation schedule): an evaluation step below the cell's newest checkpoint whose own
checkpoint was pruned can no longer be measured; it is reported once as unavailable (kept in cell.json), and the
cell goes on with the others: its finished rows stay valid and it never fails for that. A cell
is run by one process at a time: its folder's lock is held while it runs, and a cell whose lock is held by a
live process is left to it.

Cell folder: RUN_DIR/cells/{model}/seed{seed}/ holds the training run (checkpoints/, losses.csv, run.json,
result.json), cell.json (the cell's state), .lock and samples_step{N}.png / .npz (what the figures show).
"""

from __future__ import annotations

import dataclasses
import time
import traceback
import warnings
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from ganbench.checkpoint import checkpoint_path, list_checkpoints, newest_good_checkpoint
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.locks import FileLock, LockHeld, acquire
from ganbench.models.base import ModelConfig
from ganbench.report.results import ALL_METRICS, ResultRow, append_rows, read_rows, results_path
from ganbench.runner.cell_state import read_state, steps_text, unavailable_keys, write_state
from ganbench.runner.evaluate import EvalSettings, evaluate_checkpoint
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import TrainResult, train

LOCK_FILE = ".lock"
#: Seconds between two progress lines of a training cell.
PROGRESS_EVERY_S = 10.0
#: Statuses after which a cell is not run again (a diverged run would diverge again: training is seeded).
FINAL_STATUSES = ("ok", "diverged")

#: Where a cell's rows go: called with each batch of rows as it is measured. It returns only once the rows are
#: durable in results.jsonl, because the cell then goes on as if they were (the next step is trained, and a rerun
#: decides what is left from results.jsonl).
RowSink = Callable[[list[ResultRow]], object]


@dataclass(frozen=True)
class CellJob:
    """Everything one cell needs, picklable so it can run in another process.

    `model_config.steps` is the cell's final step; `eval_steps` the steps it is scored at (the last one is
    `model_config.steps`); `evaluation` how each is scored (its dataset is the cell's); `record` the config
    stored with every row; `expected` the metric keys one evaluation of this cell's generator reports (planned
    from the metrics and what the generator draws its samples with: no class-input metrics without a class input).
    """

    model: str
    seed: int
    model_config: ModelConfig
    run_config: RunConfig
    eval_steps: tuple[int, ...]
    evaluation: EvalSettings
    run_dir: Path
    record: dict
    expected: frozenset[str]

    @property
    def dataset(self) -> str:
        return self.evaluation.score.dataset

    @property
    def run_name(self) -> str:
        """The name rows carry: the run directory's own name."""
        return Path(self.run_dir).resolve().name

    @property
    def cell_dir(self) -> Path:
        return cell_dir(self.run_dir, self.model, self.seed)

    @property
    def label(self) -> str:
        return f"{self.model} seed {self.seed}"


@dataclass(frozen=True)
class CellOutcome:
    """How a cell ended: status ok / diverged / failed, the last step reached, why, and rows written now."""

    model: str
    seed: int
    status: str
    step: int
    reason: str = ""
    rows_written: int = 0


def cell_dir(run_dir: Path, model: str, seed: int) -> Path:
    """RUN_DIR/cells/{model}/seed{seed} (the layout ganbench.plots reads sample files from)."""
    return Path(run_dir) / "cells" / model / f"seed{seed}"


def is_finished(job: CellJob, rows: list[ResultRow] | None = None) -> bool:
    """True when an earlier run finished this cell to the same final step (or it diverged) and every evaluation
    step has all its rows. `rows`: the run's rows, when the caller has read them already."""
    state = read_state(job.cell_dir)
    if state.get("status") not in FINAL_STATUSES or state.get("target_steps") != job.model_config.steps:
        return False
    if state["status"] == "diverged":
        return True
    measured, expected, unavailable = measured_keys(job, rows), expected_keys(job), unavailable_keys(state)
    return all(expected <= measured.get(step, set()) | unavailable.get(step, set()) for step in job.eval_steps)


def pruned_evaluations(job: CellJob, measured: dict[int, set[str]], known: dict[int, set[str]]) -> dict[int, set[str]]:
    """Step -> keys of the evaluations that can no longer be made and are not yet `known`: unmeasured, without a
    checkpoint of their own, below the cell's newest good checkpoint (training only goes forward from there)."""
    expected = expected_keys(job)
    missing = {
        step: expected - measured.get(step, set()) - known.get(step, set())
        for step in job.eval_steps
        if not checkpoint_path(job.cell_dir, step).is_file()
    }
    missing = {step: keys for step, keys in missing.items() if keys}
    listed = [step for step, _ in list_checkpoints(job.cell_dir)]
    if not missing or not listed or max(listed) <= min(missing):  # a fresh or unextended cell: nothing to verify
        return {}
    newest = newest_good_checkpoint(job.cell_dir)
    trained = int(newest.meta["step"]) if newest is not None else 0
    return {step: keys for step, keys in missing.items() if step < trained}


def run_rows(run_dir: Path) -> list[ResultRow]:
    """The rows of the run's results.jsonl that parse ([] before the first one is written)."""
    path = results_path(run_dir)
    if not path.is_file():
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged lines are quarantined and reported by the grid before cells run
        return read_rows(path)


def measured_keys(job: CellJob, rows: list[ResultRow] | None = None) -> dict[int, set[str]]:
    """Step -> the metric keys of this cell that already have successful rows (lines that parse) in results.jsonl."""
    measured: dict[int, set[str]] = {}
    for row in run_rows(job.run_dir) if rows is None else rows:
        if row.status == "ok" and (row.model, row.dataset, row.seed) == (job.model, job.dataset, job.seed):
            measured.setdefault(row.step, set()).add(row.metric)
    return measured


def expected_keys(job: CellJob) -> set[str]:
    """The metric keys one evaluation of this cell reports, as planned (runner.plan)."""
    return set(job.expected)


def one_line(error: BaseException) -> str:
    """'TypeName: first line of the message' (a failure reason must fit in one row)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _row(job: CellJob, step: int, metric: str, value: float, protocol: dict, wall: float, **status) -> ResultRow:
    return ResultRow(
        model=job.model,
        dataset=job.dataset,
        seed=job.seed,
        step=step,
        metric=metric,
        value=value,
        protocol=protocol,
        wall_time_s=wall,
        config=job.record,
        run_name=job.run_name,
        **status,
    )


class ProgressLines:
    """'[model seed N] step S/T, R it/s, ETA E s' at most every PROGRESS_EVERY_S seconds while a cell trains."""

    def __init__(self, job: CellJob, log) -> None:
        self.job, self.log = job, log
        self.last = time.perf_counter()

    def __call__(self, step: int, steps_per_s: float) -> None:
        now = time.perf_counter()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        total = self.job.model_config.steps
        eta = f", ETA {(total - step) / steps_per_s:.0f} s of training" if steps_per_s > 0 else ""
        self.log(f"[{self.job.label}] step {step}/{total}, {steps_per_s:.1f} it/s{eta}")


@dataclass(frozen=True)
class TrainRequest:
    """What a cell asks to be trained before its next evaluation: `job`'s model with `config` (its steps set to
    the evaluation step) on `split`, as `train()` takes it."""

    job: CellJob
    config: ModelConfig
    split: ArraySplit
    shape: DataShape
    modes: np.ndarray | None
    progress: ProgressLines


#: A cell's work as a generator: it yields a TrainRequest whenever it needs training, is sent the TrainResult
#: (or thrown the training's exception), and returns the cell's outcome.
CellSteps = Generator[TrainRequest, TrainResult, CellOutcome]


def drive(steps: CellSteps, trainer: Callable[[TrainRequest], TrainResult]) -> CellOutcome:
    """Run a cell's steps to the end, training each request with `trainer`; its exceptions go back to the cell."""
    try:
        request = next(steps)
        while True:
            try:
                result = trainer(request)
            except Exception as error:  # the cell records it as its failure
                request = steps.throw(error)
            else:
                request = steps.send(result)
    except StopIteration as done:
        return done.value


def train_alone(request: TrainRequest) -> TrainResult:
    """Train one cell's request in this process (ganbench.train.loop.train)."""
    job = request.job
    return train(
        job.model, request.config, job.run_config, request.split, job.cell_dir, shape=request.shape,
        modes=request.modes, on_progress=request.progress,
    )


def run_cell(job: CellJob, log=print, sink: RowSink | None = None) -> CellOutcome:
    """Train and evaluate one cell, resuming whatever an earlier run left; never raises for a cell's own error.

    A diverged training run or any exception is recorded as one '*' row (status diverged / failed, with
    the reason) and in cell.json; the outcome says so. KeyboardInterrupt is not caught. A cell another live
    process is running is not touched: the outcome is 'busy' and nothing is written. Rows go to `sink`
    (default: appended to the run's results.jsonl by this process).
    """
    lock = lock_cell(job, log)
    if isinstance(lock, CellOutcome):
        return lock
    with lock:
        return drive(cell_steps(job, log, sink), train_alone)


def lock_cell(job: CellJob, log) -> FileLock | CellOutcome:
    """The cell's lock, acquired; or its 'busy' outcome when another live process holds it (logged)."""
    try:
        return acquire(job.cell_dir / LOCK_FILE, f"cell {job.label}")
    except LockHeld as busy:
        log(f"[{job.label}] skipped: {busy}")
        return CellOutcome(job.model, job.seed, "busy", 0, str(busy))


def cell_steps(job: CellJob, log, sink: RowSink | None = None) -> CellSteps:
    """The work of one locked cell (see run_cell), yielding each training it needs (see CellSteps)."""
    sink = sink or partial(append_rows, job.run_dir)
    folder = job.cell_dir
    folder.mkdir(parents=True, exist_ok=True)
    state = read_state(folder)
    wall_before = float(state.get("wall_time_s", 0.0))
    start = time.perf_counter()
    measured = measured_keys(job)
    expected = expected_keys(job)
    unavailable = unavailable_keys(state)
    step = int(state.get("step", 0))
    written = 0

    def wall() -> float:
        return wall_before + time.perf_counter() - start

    def save(status: str, reason: str = "") -> None:
        write_state(
            folder,
            status=status,
            step=step,
            reason=reason,
            target_steps=job.model_config.steps,
            wall_time_s=wall(),
            model_config=dataclasses.asdict(job.model_config),
            unavailable={str(k): sorted(v) for k, v in sorted(unavailable.items())},
        )

    try:
        pruned = pruned_evaluations(job, measured, unavailable)
        for target, keys in pruned.items():
            unavailable[target] = unavailable.get(target, set()) | keys
        save("running")
        if pruned:
            log(
                f"[{job.label}] evaluation at {steps_text(pruned)} unavailable: the checkpoint was pruned after "
                "training went past it (an extended run, a new --eval-every or a lost row); the other evaluations "
                "are kept"
            )
        split, shape, info = load_training_split(job.dataset, job.evaluation.score.data_config)
        scoring = None  # its extractors are built at the first evaluation, then reused by every other one of the cell
        progress = ProgressLines(job, log)
        for target in job.eval_steps:
            have = measured.get(target, set()) | unavailable.get(target, set())
            if expected <= have:
                continue
            checkpoint = checkpoint_path(folder, target)
            if not checkpoint.is_file():  # else trained before, its rows lost or never written: just measure it
                config = dataclasses.replace(job.model_config, steps=target)
                result = yield TrainRequest(job, config, split, shape, info.modes, progress)
                # the speed estimate is the grid's, once: only the first training segment of its first cell prints it
                job = dataclasses.replace(job, run_config=dataclasses.replace(job.run_config, estimate_runs=0))
                if result.status == "diverged":
                    step = result.step
                    sink(
                        [_row(job, step, ALL_METRICS, float("nan"), {}, wall(), status="diverged", reason=result.reason)],
                    )
                    save("diverged", result.reason)
                    log(f"[{job.label}] diverged at step {step}: {result.reason}")
                    return CellOutcome(job.model, job.seed, "diverged", step, result.reason, written + 1)
            step = target
            if not checkpoint.is_file():
                raise GanbenchError(
                    f"no checkpoint at step {target} in {folder} (an earlier run trained past it); use a new --out"
                )
            scoring = scoring or job.evaluation.scoring.built().with_path_length_network()
            score = evaluate_checkpoint(
                checkpoint,
                job.evaluation,
                info,
                seed=job.seed,
                device=job.run_config.device,
                samples_stem=folder / f"samples_step{target}",
                scoring=scoring,
            )
            rows = [
                _row(job, target, key, value, part.protocol, wall())
                for part in score.parts()
                for key, value in part.metrics.items()
                if key not in have
            ]
            sink(rows)
            written += len(rows)
            save("running")
            log(f"[{job.label}] step {target}: " + ", ".join(f"{row.metric} {row.value:.4g}" for row in rows))
        save("ok")
        return CellOutcome(job.model, job.seed, "ok", step, "", written)
    except Exception as error:  # a cell's failure is a result: record it, let the grid go on
        reason = one_line(error)
        if not isinstance(error, GanbenchError):
            (folder / "error.txt").write_text(traceback.format_exc())
        sink([_row(job, step, ALL_METRICS, float("nan"), {}, wall(), status="failed", reason=reason)])
        save("failed", reason)
        log(f"[{job.label}] failed at step {step}: {reason}")
        return CellOutcome(job.model, job.seed, "failed", step, reason, written + 1)
