"""The engine: a LocalCluster gives what a serial run gives (sweeps, suites, calibration), bit for bit."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any, Iterator

import pytest

from validation.calibration import calibrate
from validation.cli import main
from validation.engine import SerialEngine, open_engine
from validation.plugins import load_checks
from validation.runner import run_suite
from validation.sweep import calibrate_checks, load, sweep

TOYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sweep_toys.py")

def _load_toys() -> Any:
    """Register the toy checks (as ``--from`` does) and return their module."""
    import sys

    load_checks(TOYS)
    return next(m for n, m in sys.modules.items()
                if n.startswith("theorycheck_user_") and getattr(m, "__file__", None) == TOYS)


toys = _load_toys()
NAME = "toy.sweep.scaling"
VALUES = ["estimate", "stderr", "statistic", "p_value", "prediction", "passed", "verdict", "check_seed",
          "estimate_json", "prediction_json", "params"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One LocalCluster of two single-threaded workers for the module (closed, workers ended, afterwards)."""
    with open_engine(2) as engine:
        yield engine


def _cells(df: Any) -> Any:
    return df.sort_values(["width", "seed"]).reset_index(drop=True)


def test_localcluster_sweep_equals_serial(tmp_path: Any, cluster: Any) -> None:
    grid, seeds = {"width": [4, 8, 16, 32]}, "0..4"
    par = sweep(NAME, grid, seeds, engine=cluster, store=str(tmp_path / "par.sqlite"))
    ser = sweep(NAME, grid, seeds, store=str(tmp_path / "ser.sqlite"))
    a, b = _cells(par.to_frame()), _cells(ser.to_frame())
    assert len(a) == len(b) == 20
    for col in VALUES:
        assert a[col].tolist() == b[col].tolist(), col

    def untimed(rec: str) -> dict[str, Any]:
        return {k: x for k, x in json.loads(rec).items() if k not in ("seconds", "checksum", "environment")}

    assert [untimed(r) for r in a.record] == [untimed(r) for r in b.record]
    assert set(a.worker) <= set(cluster.client.nthreads()) and a.worker.str.startswith("tcp://").all()
    assert b.worker.str.startswith("in-process").all()
    assert par.passed and ser.passed


def test_workers_are_pinned_to_one_thread(cluster: Any) -> None:
    env = cluster.client.run(lambda: {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                                      "OPENBLAS_NUM_THREADS")})
    assert len(env) == 2
    assert all(e == {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"} for e in env.values())
    assert set(cluster.client.nthreads().values()) == {1}


def test_run_suite_on_the_engine_equals_serial(tmp_path: Any, cluster: Any) -> None:
    checks = [toys.SCALING, toys.BIASED]
    ser = run_suite(checks, seed=4, json_path=str(tmp_path / "ser.json"))
    par = run_suite(checks, seed=4, json_path=str(tmp_path / "par.json"), executor=cluster)
    assert [r["name"] for r in par.results] == [c.name for c in checks]
    for x, y in zip(ser.results, par.results):
        for k in ("verdict", "p_value", "statistic", "estimate", "seed", "alpha"):
            assert x[k] == y[k], k
    assert not par.passed and par.results[1]["verdict"] == "FAIL"
    with open(tmp_path / "par.json") as fh:
        doc = json.load(fh)
    assert sorted(r["name"] for r in doc["results"]) == sorted(c.name for c in checks)
    # the serial engine through the same path gives the same too
    again = run_suite(checks, seed=4, executor=SerialEngine())
    assert [r["p_value"] for r in again.results] == [r["p_value"] for r in ser.results]


def test_calibration_on_the_engine_equals_serial_and_resumes(tmp_path: Any, cluster: Any) -> None:
    serial = calibrate(NAME, 6, alpha=1e-3)
    parallel = calibrate(NAME, 6, alpha=1e-3, executor=cluster)
    assert parallel.row() | {"seconds": 0} == serial.row() | {"seconds": 0}
    assert serial.twins[0].power == 1.0 and serial.false_fails == 0
    store = str(tmp_path / "cal.sqlite")
    stored = calibrate_checks([NAME, "toy.sweep.biased"], 6, alpha=1e-3, engine=cluster, store=store)
    assert stored[0].row() | {"seconds": 0} == serial.row() | {"seconds": 0}
    assert stored[1].false_fails == 6 and stored[1].twins[0].power == 0.0  # the biased check's "twin" is its truth
    with sqlite3.connect(store) as c:
        n = c.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
        assert n == 12 and c.execute("SELECT COUNT(*) FROM twins").fetchone()[0] == 12
    # resumable: a second run measures nothing and reads the same table back
    again = calibrate_checks([NAME, "toy.sweep.biased"], 6, alpha=1e-3, store=store)
    assert [c.row() | {"seconds": 0} for c in again] == [c.row() | {"seconds": 0} for c in stored]
    assert len(load(store)) == 12
    # more seeds: only the new ones run
    more = calibrate_checks([NAME], 8, alpha=1e-3, store=store)
    assert more[0].runs == 8 and len(load(store)) == 14


def test_cli_calibrate_writes_the_table(tmp_path: Any, capsys: Any) -> None:
    out = str(tmp_path / "cal.md")
    rc = main(["calibrate", NAME, "--from", TOYS, "--seeds", "5", "--store", str(tmp_path / "c.sqlite"),
               "--out", out, "--alpha", "0.001", "--no-progress"])
    text = capsys.readouterr().out
    assert rc == 0 and "CALIBRATED" in text
    with open(out) as fh:
        md = fh.read()
    assert "| toy.sweep.scaling | quick | 5 | 0 |" in md and "twin `x1.1`" in md and "power 1.000 = 5/5" in md
    assert main(["calibrate", "toy.sweep.biased", "--from", TOYS, "--seeds", "5", "--store",
                 str(tmp_path / "c.sqlite"), "--alpha", "0.001", "--no-progress"]) == 1
    assert main(["calibrate", NAME, "--from", TOYS, "--seeds", "5", "--out", str(tmp_path / "x.txt")]) == 2


def test_cli_run_with_an_unreachable_scheduler_exits_2(capsys: Any) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = main(["run", NAME, "--scheduler", f"127.0.0.1:{port}", "--no-progress"])
    assert rc == 2 and f"tcp://127.0.0.1:{port}" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --workers and --scheduler exclude each other
        main(["run", NAME, "--workers", "2", "--scheduler", f"127.0.0.1:{port}"])
