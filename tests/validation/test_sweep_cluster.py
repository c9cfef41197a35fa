"""A sweep on a hand-started Dask cluster survives a worker killed with SIGKILL: every cell stored exactly once,
with the values of a serial run.

The test starts ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, runs
``theorycheck sweep --scheduler`` in a subprocess, kills one worker while cells are running,
and ends every process it started, also when it fails.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any, Iterator

import pytest

from validation.plugins import load_checks
from validation.sweep import load, sweep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOYS = os.path.join(ROOT, "tests", "validation", "_sweep_toys.py")
load_checks(TOYS)
NAME = "toy.sweep.scaling"
WIDTHS, SEEDS, SLEEP = (4, 8, 16), range(10), 0.12


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return env


def _wait(predicate: Any, what: str, timeout: float = 120.0) -> Any:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        out = predicate()
        if out:
            return out
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class _Processes:
    """Processes started by the test; all ended on exit, whatever happens."""

    def __init__(self, tmp: Any) -> None:
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(os.path.join(self.tmp, f"{name}.log"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
        log.close()
        self.procs[name] = p
        return p

    def log(self, name: str) -> str:
        with open(os.path.join(self.tmp, f"{name}.log"), errors="replace") as fh:
            return fh.read()

    def close(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


@pytest.fixture
def processes(tmp_path: Any) -> Iterator[_Processes]:
    ps = _Processes(str(tmp_path))
    try:
        yield ps
    finally:
        ps.close()


def _dask(*args: str) -> list[str]:
    return [sys.executable, "-m", "dask", *args]


def test_sweep_survives_a_worker_killed_midway(tmp_path: Any, processes: _Processes) -> None:
    sched_file = str(tmp_path / "scheduler.json")
    processes.start("scheduler", _dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                       "--scheduler-file", sched_file))
    _wait(lambda: os.path.exists(sched_file) and os.path.getsize(sched_file) > 0, "the scheduler file")
    with open(sched_file) as fh:
        address = json.load(fh)["address"]
    assert address.startswith("tcp://127.0.0.1:")
    workers = {}
    for w in ("victim", "survivor"):
        workers[w] = processes.start(w, _dask("worker", "--scheduler-file", sched_file, "--nthreads", "1",
                                              "--no-nanny", "--host", "127.0.0.1", "--name", w, "--no-dashboard"))
    from distributed import Client

    client = Client(address, timeout=60, set_as_default=False)
    try:
        client.wait_for_workers(2, timeout=120)
        names = {info["name"]: addr for addr, info in client.scheduler_info(n_workers=-1)["workers"].items()}
        store = str(tmp_path / "sweep.sqlite")
        cmd = [sys.executable, "-c", "import sys; from validation.cli import main; sys.exit(main(sys.argv[1:]))",
               "sweep", NAME, "--from", TOYS, "--param", "width=" + ",".join(map(str, WIDTHS)),
               "--param", f"sleep={SLEEP}", "--seeds", f"{SEEDS[0]}..{SEEDS[-1]}", "--scheduler", address,
               "--store", store, "--no-progress"]
        run = processes.start("sweep", cmd)
        total = len(WIDTHS) * len(SEEDS)

        def victim_has_worked() -> bool:
            if not os.path.exists(store):
                return False
            try:
                with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as c:
                    n, mine = c.execute("SELECT COUNT(*), SUM(worker = ?) FROM cells", (names["victim"],)).fetchone()
            except sqlite3.Error:
                return False
            return n >= 4 and (mine or 0) >= 2

        _wait(victim_has_worked, "cells from the victim worker", timeout=180)
        assert run.poll() is None, "the sweep ended before the worker was killed"
        held = _wait(lambda: client.processing(workers=[names["victim"]])[names["victim"]], "a cell on the victim")
        os.kill(workers["victim"].pid, signal.SIGKILL)
    finally:
        client.close()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as c:
        stored_at_kill = {k for (k,) in c.execute("SELECT key FROM cells")}
    lost = {k.split("-")[1] for k in held} - stored_at_kill  # task keys name their first cell
    assert lost, "no cell was running on the victim when it was killed"
    assert workers["victim"].wait(timeout=30) == -signal.SIGKILL
    rc = run.wait(timeout=300)
    assert rc == 0, processes.log("sweep")
    assert len(stored_at_kill) < total

    with sqlite3.connect(store) as c:
        assert c.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM cells").fetchone() == (total, total)
        by_worker = dict(c.execute("SELECT worker, COUNT(*) FROM cells GROUP BY worker").fetchall())
        rerun = {w for (w,) in c.execute(f"SELECT worker FROM cells WHERE key IN ({','.join('?' * len(lost))})",
                                           sorted(lost))}
    assert set(by_worker) == {names["victim"], names["survivor"]}
    assert rerun == {names["survivor"]}  # the killed worker's cells were rescheduled, and stored once
    df = load(store)
    assert sorted(zip(df.width, df.seed)) == sorted((w, s) for w in WIDTHS for s in SEEDS)
    assert df.passed.all()
    # the values of a serial run of the same grid
    ref = sweep(NAME, {"width": list(WIDTHS), "sleep": [SLEEP]}, list(SEEDS), store=str(tmp_path / "serial.sqlite")).to_frame()
    a, b = df.sort_values(["width", "seed"]), ref.sort_values(["width", "seed"])
    for col in ("estimate", "stderr", "statistic", "p_value", "prediction", "check_seed", "estimate_json"):
        assert a[col].tolist() == b[col].tolist(), col
