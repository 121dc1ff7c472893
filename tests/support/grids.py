"""Tiny benchmark grids for runner tests, and the fixture that runs them single-threaded on a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganbench.runner.plan import GridConfig


def ring_grid(out, **changes) -> GridConfig:
    """gan on ring8, 2 seeds, 20 steps, scored at 10 and 20 on 500 points; checkpoints every 5 steps."""
    settings = dict(
        models=("gan",),
        dataset="ring8",
        out=Path(out),
        seeds=(0, 1),
        overrides={"steps": "20", "batch_size": "64", "width": "0.25"},
        eval_every=10,
        n_generated=500,
        checkpoint_every=5,
        device="cpu",
    )
    return GridConfig(**{**settings, **changes})


def values(rows) -> dict[tuple, float]:
    """(model, seed, step, metric) -> value of the successful rows."""
    return {(r.model, r.seed, r.step, r.metric): r.value for r in rows if r.status == "ok"}


@pytest.fixture
def one_thread_and_cache(tmp_path_factory, monkeypatch):
    """Tiny nets on a shared 2-core box run far faster single-threaded; reference caches go to a temp dir."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    yield
    torch.set_num_threads(threads)


def run_quietly(config: GridConfig, tmp_path_factory) -> Path:
    """Run a grid to the end single-threaded on the session's test cache (for module-scoped fixtures); its out."""
    from ganbench.runner.grid import run_grid

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
            run_grid(config, log=lambda line: None)
    finally:
        torch.set_num_threads(threads)
    return Path(config.out)


def comparable(rows) -> dict[tuple, tuple]:
    """(model, seed, step, metric) -> everything a row says about that measurement (not when it was made, nor how
    long its cell had run): what two executors must agree on."""
    return {
        (r.model, r.seed, r.step, r.metric): (r.value, r.status, r.reason, r.dataset, r.protocol, r.config, r.run_name)
        for r in rows
    }


def assert_no_duplicates(rows) -> None:
    keys = [(r.model, r.seed, r.step, r.metric) for r in rows if r.status == "ok"]
    assert len(keys) == len(set(keys)), "a measurement was recorded twice"
