"""Benchmark the engine (validation.engine, validation.sweep): per-cell overhead and suite speed-up.

overhead (default)
    A 1000-cell sweep of a toy check whose measurement takes 10 ms (a sleep, so the
    cell's own cost does not depend on how busy the machine is), in this process and on a
    LocalCluster of 2 workers.  The overhead per cell is the time not spent in cells,
    per cell: ``(wall * workers - sum of cell seconds) / cells`` (scheduling, pickling,
    the SQLite write of each row, progress).  The cluster's start-up is timed apart.
    Target: < 20 ms per cell.
suite (``--suite``)
    ``theorycheck run --full`` on 2 workers against 1 worker (the same checks, seeds and
    verdicts; checked); target >= 1.7x on 2 cores.  Long: run it on a quiet machine.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--suite [--mode quick|full]] [--no-overhead] [--cells N]``; merges its numbers
into ``benchmarks/results/engine.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from validation.check import Check, Display, Prediction, Twin
from validation.engine import open_engine
from validation.params import Param
from validation.stats import compare_point
from validation.sweep import load, sweep

OUT = Path(__file__).parent / "results" / "engine.json"


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    time.sleep(p["sleep"])
    x = np.random.default_rng(seed).normal(0.0, 1.0, 100)
    return Estimate(x.mean(), x.std(ddof=1) / 10.0, 100, seed)


TOY = Check(
    "bench.cell10ms", "bench", "a 10 ms cell", lambda p: Prediction(0.0), _measure,
    lambda pr, e, p, a: compare_point(pr.value, e.value, e.stderr, alpha=a),
    quick={"sleep": 0.010, "k": 0},
    schema={"sleep": Param("float", "seconds per cell", minimum=0.0), "k": Param("int", "grid index")},
    twins=(Twin("shift", "prediction off by 1", lambda p: Prediction(1.0)),),
    display=Display("mean"),
)


def overhead(cells: int) -> dict[str, Any]:
    """Per-cell overhead of a ``cells``-cell sweep, serial and on 2 workers."""
    grid = {"k": list(range(cells // 10))}
    out: dict[str, Any] = {"cells": cells, "cell_seconds": TOY.quick["sleep"]}
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers in (("serial", None), ("localcluster_2", 2)):
            t0 = time.perf_counter()
            with open_engine(workers) as eng:
                startup = time.perf_counter() - t0
                t1 = time.perf_counter()
                res = sweep(TOY, grid, "0..9", store=os.path.join(tmp, f"{label}.sqlite"), engine=eng)
                wall = time.perf_counter() - t1
            df = load(res.store)
            assert len(df) == cells and res.ran == cells
            busy = float(df.seconds.sum())
            n = eng.workers
            out[label] = {"workers": n, "startup_s": startup, "wall_s": wall, "cells_s": busy,
                          "overhead_ms_per_cell": 1e3 * (wall * n - busy) / cells,
                          "wall_ms_per_cell": 1e3 * wall / cells}
            print(f"{label:16s} workers {n}  wall {wall:7.2f} s  in cells {busy:7.2f} s  "
                  f"overhead {out[label]['overhead_ms_per_cell']:6.2f} ms/cell  (start-up {startup:.1f} s)")
        a = load(os.path.join(tmp, "serial.sqlite")).sort_values("key")
        b = load(os.path.join(tmp, "localcluster_2.sqlite")).sort_values("key")
        out["identical"] = bool((a.estimate.values == b.estimate.values).all() and (a.p_value.values == b.p_value.values).all())
    return out


def suite(mode: str = "full") -> dict[str, Any]:
    """``run --full`` (or ``--quick``): 2 workers against 1, with identical verdicts."""
    from validation.check import all_checks
    from validation.runner import run_suite

    checks = all_checks()
    t0 = time.perf_counter()
    one = run_suite(checks, mode=mode, seed=0)
    t1 = time.perf_counter() - t0
    with open_engine(2) as eng:
        t0 = time.perf_counter()
        two = run_suite(checks, mode=mode, seed=0, executor=eng)
        t2 = time.perf_counter() - t0
    same = [(r["name"], r["verdict"], r["p_value"]) for r in one.results] == \
           [(r["name"], r["verdict"], r["p_value"]) for r in two.results]
    print(f"run --{mode}: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s, speed-up {t1 / t2:.2f}x; identical verdicts: {same}")
    return {"checks": len(checks), "workers_1_s": t1, "workers_2_s": t2, "speedup": t1 / t2, "identical": same}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--suite", action="store_true", help="also time run --full on 2 workers against 1 (long)")
    ap.add_argument("--mode", choices=("quick", "full"), default="full", help="parameter set of the --suite timing")
    ap.add_argument("--no-overhead", action="store_true", help="skip the per-cell overhead measurement")
    args = ap.parse_args()
    out: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    out["machine"] = {"cpus": os.cpu_count(), "load_1min": os.getloadavg()[0], "python": platform.python_version()}
    if not args.no_overhead:
        out["overhead"] = overhead(args.cells)
    if args.suite:
        out[f"suite_{args.mode}"] = suite(args.mode)
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
