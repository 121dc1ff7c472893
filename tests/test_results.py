"""Result rows: JSONL round trip, crash tolerance, and concurrent appends from several processes."""

from __future__ import annotations

import json
import math
import multiprocessing
import warnings

import numpy as np
import pytest
from support.rows import protocol

from ganbench.errors import GanbenchError
from ganbench.report.results import RESULT_COLUMNS, ResultRow, append_rows, load, protocol_key, read_rows

PROTOCOL = protocol(ganbench_version="0.1.0", torch_version="2.3", numpy_version="1.26", device="cpu")


def make_rows() -> list[ResultRow]:
    return [
        ResultRow(
            "dcgan", "cifar10", 0, 1000, "fid", 41.5, PROTOCOL, 12.5, {"lr": 2e-4, "betas": (0.5, 0.999)}, run_name="r1"
        ),
        ResultRow("dcgan", "cifar10", 0, 1000, "precision", np.float32(0.75), PROTOCOL, 12.5, {"lr": 2e-4}),
        ResultRow("dcgan", "cifar10", 1, 2000, "*", 0.0, PROTOCOL, 20.0, {}, status="diverged", reason="loss is NaN"),
        ResultRow(
            "sngan", "cifar10", np.int64(2), 3000, "fid", 30.25, PROTOCOL, 33.0, {}, status="failed", reason="OOM"
        ),
    ]


def test_rows_round_trip_through_jsonl(tmp_path):
    rows = make_rows()
    path = append_rows(tmp_path, rows)
    assert path == tmp_path / "results.jsonl"
    lines = path.read_text().splitlines()
    assert len(lines) == len(rows)
    for line in lines:  # strict JSON: no NaN tokens
        json.loads(line, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    again = read_rows(tmp_path)
    for before, after in zip(rows, again, strict=True):
        for name in (
            "model",
            "dataset",
            "seed",
            "step",
            "metric",
            "status",
            "reason",
            "run_name",
            "created_at",
            "config",
        ):
            assert getattr(after, name) == json.loads(json.dumps(getattr(before, name), default=list)), name
        assert after.protocol == before.protocol
        assert (math.isnan(after.value) and math.isnan(before.value)) or after.value == before.value

    frame = load(tmp_path)
    assert list(frame.columns) == list(RESULT_COLUMNS)
    assert len(frame) == len(rows)
    assert frame["value"].iloc[0] == 41.5 and frame["value"].iloc[1] == pytest.approx(0.75)
    assert frame["value"].iloc[2:].isna().all()  # failed and diverged rows carry NaN
    assert list(frame["status"]) == ["ok", "ok", "diverged", "failed"]
    assert list(frame["reason"]) == ["", "", "loss is NaN", "OOM"]
    assert frame["seed"].dtype == np.int64 and frame["step"].dtype == np.int64
    assert frame["config"].iloc[0] == {"lr": 2e-4, "betas": [0.5, 0.999]}
    assert frame["protocol"].iloc[0] == PROTOCOL
    assert frame["run_name"].tolist() == ["r1", "", "", ""]
    assert frame["protocol_key"].nunique() == 1 and len(frame["protocol_key"].iloc[0]) == 12
    # a .jsonl path works as well, and a file named twice is read once
    assert len(load([path, tmp_path])) == len(rows)


def test_protocol_key_ignores_versions_and_device_only():
    key = protocol_key(PROTOCOL)
    assert key == protocol_key(PROTOCOL | {"device": "cuda", "torch_version": "9.9", "ganbench_version": "2.0"})
    assert key != protocol_key(PROTOCOL | {"n_generated": 1000})
    assert key != protocol_key(PROTOCOL | {"metric_settings": {"pr_k": 5}})
    assert protocol_key({}) == "" and protocol_key(None) == ""


def test_row_validation():
    with pytest.raises(ValueError, match="status 'failed' or 'diverged'"):
        ResultRow("m", "d", 0, 1, "fid", float("nan"), PROTOCOL, 1.0, {})
    with pytest.raises(ValueError, match="needs a reason"):
        ResultRow("m", "d", 0, 1, "fid", float("nan"), PROTOCOL, 1.0, {}, status="failed")
    with pytest.raises(ValueError, match="status must be"):
        ResultRow("m", "d", 0, 1, "fid", 1.0, PROTOCOL, 1.0, {}, status="crashed")
    row = ResultRow("m", "d", 0, 1, "fid", 3.0, PROTOCOL, 1.0, {}, status="diverged", reason="x")
    assert math.isnan(row.value)
    assert row.created_at.endswith("+00:00")


def test_truncated_last_line_is_skipped_and_later_appends_start_a_new_line(tmp_path):
    rows = make_rows()
    path = append_rows(tmp_path, rows[:2])
    with open(path, "ab") as handle:  # a writer killed mid-line
        handle.write(rows[0].to_line().encode()[:40])
    with pytest.warns(UserWarning, match="last line is incomplete"):
        frame = load(tmp_path)
    assert len(frame) == 2

    append_rows(path, rows[2:])  # a resumed run appends after the fragment
    assert path.read_bytes().count(b"\n") == 5  # 2 rows, the fragment closed off, 2 rows
    with pytest.warns(UserWarning, match="line 3 is not valid JSON"):
        frame = load(tmp_path)
    assert len(frame) == 4
    assert list(frame["status"]) == ["ok", "ok", "diverged", "failed"]


def test_load_errors(tmp_path):
    with pytest.raises(GanbenchError, match="has no results.jsonl"):
        load(tmp_path)
    with pytest.raises(GanbenchError, match="no such file"):
        load(tmp_path / "other.jsonl")
    (tmp_path / "results.jsonl").write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = load(tmp_path)
    assert empty.empty and list(empty.columns) == list(RESULT_COLUMNS)


WORKERS, BATCHES, PER_BATCH = 4, 40, 3


def _writer(args):
    path, worker = args
    padding = "x" * 6000  # lines longer than PIPE_BUF (4096 bytes)
    for batch in range(BATCHES):
        rows = [
            ResultRow(f"model{worker}", "ring8", worker, batch, f"m{i}", float(i), PROTOCOL, 0.0, {"pad": padding})
            for i in range(PER_BATCH)
        ]
        append_rows(path, rows)


def test_concurrent_appends_never_interleave(tmp_path):
    path = tmp_path / "results.jsonl"
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(WORKERS) as pool:
        pool.map(_writer, [(str(path), worker) for worker in range(WORKERS)])
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    lines = lines[:-1]
    assert len(lines) == WORKERS * BATCHES * PER_BATCH
    seen = {(r["model"], r["step"], r["metric"]) for r in map(json.loads, lines)}  # every line intact JSON
    assert len(seen) == len(lines)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load(path)) == len(lines)
