"""Faults planted in Ray worker processes, for the Ray executor's tests.

`install` is the `worker_process_setup_hook` of the tests' Ray instance: it wraps a few functions of ganbench in
every worker. Each wrapper reads the JSON file named by $GANBENCH_TEST_FAULTS when it is called, so a test plants
faults by writing that file (Faults.set) before running a grid, and removes them with Faults.clear. Cells are
named 'model/seedN' (the cell folder's last two parts). Keys of the file:

- raise: {cell: message}: training the cell raises RuntimeError(message).
- diverge: {cell: step}: training the cell returns a diverged result at that step.
- kill_after_checkpoint: {cell: {"step": N, "marker": path}}: the worker SIGKILLs itself right after writing the
  cell's checkpoint at step N, once (the marker file, holding the pid, says it happened).
- log: path: every training call ('cell trains'), restore from a checkpoint ('cell step') and reference
  computation ('reference') in a worker is appended there as a line.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

ENV = "GANBENCH_TEST_FAULTS"


class Faults:
    """The fault file a test's Ray workers read."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.clear()

    def set(self, **faults) -> None:
        self.path.write_text(json.dumps(faults))

    def clear(self) -> None:
        self.path.write_text("{}")


def planted() -> dict:
    path = os.environ.get(ENV)
    return json.loads(Path(path).read_text()) if path and Path(path).is_file() else {}


def cell_of(folder) -> str:
    folder = Path(folder)
    return f"{folder.parent.name}/{folder.name}"


def note(line: str) -> None:
    log = planted().get("log")
    if log:
        with open(log, "a") as handle:
            handle.write(line + "\n")


def install() -> None:
    import ganbench.runner.cell as cell_module
    import ganbench.scoring.reference_cache as reference_cache
    import ganbench.train.run_state as loop
    from ganbench.train.loop import TrainResult

    real_train, real_save, real_restore = cell_module.train, loop.save_state, loop.restore_state
    real_compute = reference_cache.compute_reference

    def train(family, config, run, data, out_dir, **kwargs):
        faults, cell = planted(), cell_of(out_dir)
        note(f"{cell} trains")
        if cell in faults.get("raise", {}):
            raise RuntimeError(faults["raise"][cell])
        if cell in faults.get("diverge", {}):
            step = faults["diverge"][cell]
            return TrainResult("diverged", step, f"non-finite loss at step {step}: d_loss", Path(out_dir), None)
        return real_train(family, config, run, data, out_dir, **kwargs)

    def save(run_dir, step, *args, **kwargs):
        path = real_save(run_dir, step, *args, **kwargs)
        kill = planted().get("kill_after_checkpoint", {}).get(cell_of(run_dir))
        if kill and step == kill["step"] and not Path(kill["marker"]).exists():
            Path(kill["marker"]).write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return path

    def restore(checkpoint, *args, **kwargs):
        note(f"{cell_of(Path(checkpoint.path).parent.parent)} {checkpoint.meta['step']}")
        return real_restore(checkpoint, *args, **kwargs)

    def compute_reference(*args, **kwargs):
        note("reference")
        return real_compute(*args, **kwargs)

    cell_module.train, loop.save_state, loop.restore_state = train, save, restore
    reference_cache.compute_reference = compute_reference
