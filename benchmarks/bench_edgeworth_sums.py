"""Benchmark numerics.edgeworth: throughput and memory of the chunked sum sampler, k-statistics cost.

Ratios are against baselines timed in the same run:
- naive: ``(rng.exponential(size=(size, n)) - 1).sum(1) / sqrt(n)`` holding every draw in memory;
- scipy.stats.kstat (point estimates k1..k4, no standard errors).

Run: ``.venv/bin/python benchmarks/bench_edgeworth_sums.py``; writes ``benchmarks/results/edgeworth_sums.json``.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import stats

from numerics.edgeworth import k_statistics, standardized_sum_counts, standardized_sums


def _timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall time over ``repeat`` runs and the peak traced memory (MiB) of one run."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> None:
    n, size = 100, 100_000  # 10^7 draws
    draw = lambda rng, shape: rng.exponential(size=shape)  # noqa: E731

    def naive() -> np.ndarray:
        return (np.random.default_rng(0).exponential(size=(size, n)) - 1.0).sum(axis=1) / np.sqrt(n)

    rows = {}
    t_naive, m_naive = _timed(naive)
    rows["naive numpy (all draws in memory)"] = (t_naive, m_naive)
    rows["standardized_sums, callable"] = _timed(lambda: standardized_sums(draw, n, size, mean=1.0, var=1.0, seed=0))
    rows["standardized_sums, scipy frozen"] = _timed(lambda: standardized_sums(stats.expon(), n, size, seed=0))
    rows["standardized_sum_counts, callable"] = _timed(
        lambda: standardized_sum_counts(draw, n, size, np.linspace(-4, 4, 81), mean=1.0, var=1.0, seed=0, chunk_draws=2**20)
    )
    x = np.random.default_rng(1).gamma(2.0, size=10**6)
    t_kstat, m_kstat = _timed(lambda: [stats.kstat(x, r) for r in range(1, 5)])
    rows_k = {
        "scipy.stats.kstat k1..k4 (no stderr)": (t_kstat, m_kstat),
        "k_statistics order 4 + jackknife se": _timed(lambda: k_statistics(x, 4)),
        "k_statistics order 6 + jackknife se": _timed(lambda: k_statistics(x, 6)),
    }
    out = {"sums": {}, "kstat": {}, "setup": {"n": n, "size": size, "kstat_samples": x.size}}
    print(f"{'sums of 10^7 Exp(1) draws':45s} {'seconds':>8s} {'ratio':>7s} {'peak MiB':>9s}")
    for k, (t, m) in rows.items():
        print(f"{k:45s} {t:8.3f} {t / t_naive:7.2f} {m:9.1f}")
        out["sums"][k] = {"seconds": t, "ratio_to_naive": t / t_naive, "peak_mib": m}
    print(f"\n{'k-statistics of 10^6 samples':45s} {'seconds':>8s} {'ratio':>7s} {'peak MiB':>9s}")
    for k, (t, m) in rows_k.items():
        print(f"{k:45s} {t:8.3f} {t / t_kstat:7.2f} {m:9.1f}")
        out["kstat"][k] = {"seconds": t, "ratio_to_scipy_kstat": t / t_kstat, "peak_mib": m}
    path = Path(__file__).parent / "results" / "edgeworth_sums.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
