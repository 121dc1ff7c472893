"""One cell of a benchmark grid: train a (model, seed), evaluate it at its evaluation steps, append the rows.

The cell trains in segments that end at the evaluation steps: `train()` is called with `steps` set to the
next evaluation step, so it resumes from the cell's newest checkpoint, and writes a checkpoint at the end of
the segment, which is then scored. Because a resumed run is bit-identical to an uninterrupted one, the
numbers do not depend on where an interruption happened. Rows go to the cell's row sink the moment they are
measured (by default appended to RUN_DIR/results.jsonl here; the Ray executor sends them to its driver, which
appends them); a step that already has rows is never measured twice.

Cell folder: RUN_DIR/cells/{model}/seed{seed}/ holds the training run (checkpoints/, losses.csv, run.json,
result.json), cell.json (the cell's state) and samples_step{N}.png / .npz (what the figures show).
"""

from __future__ import annotations

import dataclasses
import json
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ganbench.atomic import write_text_atomic
from ganbench.checkpoint import checkpoint_path
from ganbench.errors import GanbenchError
from ganbench.models.base import ModelConfig
from ganbench.report.results import ALL_METRICS, ResultRow, append_rows, read_rows, results_path
from ganbench.runner.evaluate import EvalSettings, evaluate_checkpoint, evaluation_extractor
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train

STATE_FILE = "cell.json"
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
    stored with every row.
    """

    model: str
    seed: int
    model_config: ModelConfig
    run_config: RunConfig
    eval_steps: tuple[int, ...]
    evaluation: EvalSettings
    run_dir: Path
    record: dict

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


def read_state(folder: Path) -> dict[str, Any]:
    """The cell's cell.json ({} when the cell never started or the file is unreadable)."""
    try:
        return json.loads((folder / STATE_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_state(folder: Path, **state: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True, default=str))


def is_finished(job: CellJob) -> bool:
    """True when an earlier run already finished this cell to the same final step (or it diverged)."""
    state = read_state(job.cell_dir)
    return state.get("status") in FINAL_STATUSES and state.get("target_steps") == job.model_config.steps


def measured_steps(job: CellJob) -> set[int]:
    """Steps of this cell that already have successful rows in the run's results.jsonl."""
    path = results_path(job.run_dir)
    if not path.is_file():
        return set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a truncated last line is reported when the results are loaded for reports
        rows = read_rows(path)
    return {
        row.step
        for row in rows
        if row.status == "ok" and (row.model, row.dataset, row.seed) == (job.model, job.dataset, job.seed)
    }


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


def run_cell(job: CellJob, log=print, sink: RowSink | None = None) -> CellOutcome:
    """Train and evaluate one cell, resuming whatever an earlier run left; never raises for a cell's own error.

    A diverged training run or any exception is recorded as one '*' row (status diverged / failed, with
    the reason) and in cell.json; the outcome says so. KeyboardInterrupt is not caught. Rows go to `sink`
    (default: appended to the run's results.jsonl by this process).
    """
    sink = sink or partial(append_rows, job.run_dir)
    folder = job.cell_dir
    folder.mkdir(parents=True, exist_ok=True)
    state = read_state(folder)
    wall_before = float(state.get("wall_time_s", 0.0))
    start = time.perf_counter()
    done = measured_steps(job)
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
        )

    try:
        save("running")
        split, shape, info = load_training_split(job.dataset, job.evaluation.score.data_config)
        extractor = None  # built at the first evaluation, then reused by every other one of the cell
        for target in job.eval_steps:
            if target in done:
                continue
            config = dataclasses.replace(job.model_config, steps=target)
            result = train(job.model, config, job.run_config, split, folder, shape=shape, modes=info.modes)
            if result.status == "diverged":
                step = result.step
                sink([_row(job, step, ALL_METRICS, float("nan"), {}, wall(), status="diverged", reason=result.reason)])
                save("diverged", result.reason)
                log(f"[{job.label}] diverged at step {step}: {result.reason}")
                return CellOutcome(job.model, job.seed, "diverged", step, result.reason, written + 1)
            step = target
            checkpoint = checkpoint_path(folder, target)
            if not checkpoint.is_file():
                raise GanbenchError(
                    f"no checkpoint at step {target} in {folder} (an earlier run trained past it); use a new --out"
                )
            extractor = extractor or evaluation_extractor(job.evaluation, info)
            score = evaluate_checkpoint(
                checkpoint,
                job.evaluation,
                info,
                seed=job.seed,
                device=job.run_config.device,
                samples_stem=folder / f"samples_step{target}",
                extractor=extractor,
            )
            rows = [_row(job, target, key, value, score.protocol, wall()) for key, value in score.metrics.items()]
            sink(rows)
            written += len(rows)
            save("running")
            log(f"[{job.label}] step {target}: " + ", ".join(f"{k} {v:.4g}" for k, v in score.metrics.items()))
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
