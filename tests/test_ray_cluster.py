"""A Ray cluster of two nodes on this machine, started as on real machines (`ray start --head`, then
`ray start --address ...` with its own custom resource): the grid runs through both nodes, or only on the second when
cells ask for its resource, with the local executor's rows; and a driver killed mid-run loses nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support.grids import assert_no_duplicates, comparable, ring_grid, run_quietly

from ganbench.report.results import read_rows, results_path
from ganbench.runner.grid import run_grid

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow  # starting two Ray nodes and their workers takes about a minute on 2 shared cores

TESTS = Path(__file__).resolve().parent
#: Test clusters only: Ray's token authentication would need a shared token set up for each node.
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_node(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    """`ray start --block ...` in its own process group (stopped by stop_node)."""
    command = ["ray", "start", "--block", "--node-ip-address=127.0.0.1", "--disable-usage-stats", *args]
    return subprocess.Popen(command, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def stop_node(node: subprocess.Popen) -> None:
    node.send_signal(signal.SIGTERM)  # `ray start --block` stops the processes it started
    try:
        node.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(node.pid, signal.SIGKILL)
        node.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Head (1 CPU) and a second node (1 CPU and the resource `second`) on 127.0.0.1; yields the head's address."""
    logs = tmp_path_factory.mktemp("ray-nodes")
    path = os.pathsep.join(filter(None, [str(TESTS), str(TESTS.parent), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **RAY_ENV, "PYTHONPATH": path, "GANBENCH_CACHE": str(tmp_path_factory.getbasetemp() / "cache")}
    address = f"127.0.0.1:{free_port()}"
    nodes = [start_node(["--head", f"--port={address.split(':')[1]}", "--num-cpus=1", "--include-dashboard=false"],
                        logs / "head.log", env)]  # fmt: skip
    try:
        nodes.append(
            start_node([f"--address={address}", "--num-cpus=1", '--resources={"second": 1}'], logs / "second.log", env)
        )
        with pytest.MonkeyPatch.context() as patch:
            for key, value in RAY_ENV.items():
                patch.setenv(key, value)
            deadline = time.monotonic() + 180
            while True:  # the driver connects once both nodes have joined
                try:
                    ray.init(address=address, log_to_driver=False, logging_level="warning")
                    if ray.cluster_resources().get("second") and len([n for n in ray.nodes() if n["Alive"]]) == 2:
                        break
                except ConnectionError:
                    pass
                if ray.is_initialized():
                    ray.shutdown()
                assert time.monotonic() < deadline, (logs / "head.log").read_text() + (logs / "second.log").read_text()
                time.sleep(1)
            second = next(n["NodeID"][:8] for n in ray.nodes() if n["Alive"] and n["Resources"].get("second"))
            ray.shutdown()  # each run connects by itself, as `ganbench run --ray-address` does
            yield address, second
    finally:
        for node in reversed(nodes):
            stop_node(node)
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"  # `ray stop` would remove it
        if current.is_file() and current.read_text().strip().endswith(address[address.rindex(":") :]):
            current.unlink()


@pytest.fixture(scope="module")
def local_rows(tmp_path_factory):
    return read_rows(run_quietly(ring_grid(tmp_path_factory.mktemp("local") / "run"), tmp_path_factory))


def started_on(lines: list[str]) -> set[str]:
    return {line.split("(")[-1].rstrip(")") for line in lines if "started on node" in line}


def test_a_grid_runs_through_both_nodes_and_pinned_to_the_second(tmp_path, cluster, local_rows, monkeypatch):
    address, second = cluster
    for key, value in RAY_ENV.items():
        monkeypatch.setenv(key, value)
    lines = []
    _, outcomes = run_grid(
        ring_grid(tmp_path / "both" / "run", executor="ray", executor_settings={"address": address}), log=lines.append
    )
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert any(line == f"Ray: the Ray cluster at {address}, 2 node(s), 2 CPUs, 0 GPUs" for line in lines)
    assert any(line.startswith("storage: 2 Ray node(s) see --out") for line in lines)
    assert len(started_on(lines)) == 2  # one CPU per node: the two cells ran at once, one on each node
    rows = read_rows(tmp_path / "both" / "run")
    assert_no_duplicates(rows)
    assert comparable(rows) == comparable(local_rows)

    pinned = {"address": address, "resources": (("second", 1.0),)}
    lines = []
    run_grid(ring_grid(tmp_path / "second" / "run", executor="ray", executor_settings=pinned), log=lines.append)
    assert started_on(lines) == {second}
    assert comparable(read_rows(tmp_path / "second" / "run")) == comparable(local_rows)


def test_a_killed_driver_loses_nothing_and_the_rerun_resumes(tmp_path, cluster, local_rows, monkeypatch):
    """`ganbench run --executor ray` is SIGKILLed once its first rows are on disk; running the same command again
    ends with the rows of an uninterrupted run, each once."""
    address, _ = cluster
    out = tmp_path / "run"
    argv = ["run", "--models", "gan", "--dataset", "ring8", "--seeds", "0,1", "--steps", "20", "--eval-every", "10",
            "--batch-size", "64", "--width", "0.25", "--n-generated", "500", "--checkpoint-every", "5",
            "--device", "cpu", "--out", str(out), "--no-plots", "--executor", "ray", "--ray-address", address]  # fmt: skip
    env = {
        **os.environ,
        **RAY_ENV,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS.parent), os.environ.get("PYTHONPATH")])),
    }
    driver = subprocess.Popen(
        [sys.executable, "-m", "ganbench", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 240
        while not (results_path(out).is_file() and results_path(out).stat().st_size):
            assert driver.poll() is None and time.monotonic() < deadline, "the driver ended before writing a row"
            time.sleep(0.2)
    finally:
        driver.kill()
        driver.wait()
    before = read_rows(out)
    assert 0 < len(before) < len(local_rows)

    for key, value in RAY_ENV.items():
        monkeypatch.setenv(key, value)
    plan, outcomes = run_grid(ring_grid(out, executor="ray", executor_settings={"address": address}), log=lambda line: None)
    rows = read_rows(out)
    assert_no_duplicates(rows)
    assert comparable(rows) == comparable(local_rows)
    assert len(plan.finished) + len(outcomes) == 2
