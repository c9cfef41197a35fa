"""Benchmark: batched Lindblad evolution (numerics.density_matrix.lindblad_evolve) vs QuTiP's mesolve.

Run: ``.venv/bin/python benchmarks/bench_density_matrix.py [--subset 50] [--repeats 3]``.
Ratios are measured in one run.  Accuracy is the max abs elementwise error against an exact
reference (batched eigen-decomposition of the 4x4 Liouvillians for qubits; for N = 64, the Taylor
integrator at atol = 1e-13 cross-checked with QuTiP at its tightest tolerance).
Writes ``benchmarks/results/density_matrix.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from numerics.density_matrix import liouvillian_matrix, lindblad_evolve


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _random_systems(rng: np.random.Generator, B: int, n: int, rate: float) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    A = rng.normal(size=(B, n, n)) + 1j * rng.normal(size=(B, n, n))
    H = (A + A.conj().transpose(0, 2, 1)) / (2 * np.sqrt(n))
    Ls = [np.sqrt(rate / n) * (rng.normal(size=(B, n, n)) + 1j * rng.normal(size=(B, n, n))) / np.sqrt(2) for _ in range(2)]
    psi = rng.normal(size=(B, n)) + 1j * rng.normal(size=(B, n))
    psi /= np.linalg.norm(psi, axis=1, keepdims=True)
    return H, Ls, psi[:, :, None] * psi[:, None, :].conj()


def _exact_eig(H: np.ndarray, Ls: list[np.ndarray], rho0: np.ndarray, t: np.ndarray) -> np.ndarray:
    L = liouvillian_matrix(H, Ls)
    lam, V = np.linalg.eig(L)
    c = np.linalg.solve(V, rho0.transpose(0, 2, 1).reshape(rho0.shape[0], -1)[..., None])[..., 0]
    v = np.einsum("bij,btj->bti", V, np.exp(lam[:, None, :] * t[None, :, None]) * c[:, None, :])
    n = rho0.shape[-1]
    return v.reshape(*v.shape[:2], n, n).transpose(0, 1, 3, 2)


def bench_qubits(qt: Any, B: int, subset: int, repeats: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    H, Ls, rho0 = _random_systems(rng, B, 2, 0.3)
    t = np.linspace(0.0, 10.0, 100)
    exact = _exact_eig(H, Ls, rho0, t)
    t_ours, ours = _best(lambda: lindblad_evolve(H, Ls, rho0, t), repeats)
    t_taylor, ours_taylor = _best(lambda: lindblad_evolve(H, Ls, rho0, t, method="taylor"), 1)
    res: dict[str, Any] = {
        "systems": B, "times": t.size, "ours_propagator_s": t_ours, "ours_propagator_max_error": float(np.abs(ours - exact).max()),
        "ours_taylor_s": t_taylor, "ours_taylor_max_error": float(np.abs(ours_taylor - exact).max()),
    }
    # QuTiP: tolerance tightened until the subset reaches 1e-8 against the exact solution
    chosen = None
    for atol, rtol in ((1e-8, 1e-6), (1e-10, 1e-8), (1e-12, 1e-10)):
        opts = {"atol": atol, "rtol": rtol, "nsteps": 100000}

        def loop(k: int = subset) -> np.ndarray:
            return np.array([[s.full() for s in qt.mesolve(qt.Qobj(H[b]), qt.Qobj(rho0[b]), t,
                                                           [qt.Qobj(L[b]) for L in Ls], options=opts).states] for b in range(k)])

        t_q, q = _best(loop, 1)
        err = float(np.abs(q - exact[:subset]).max())
        res.setdefault("qutip_tolerance_scan", []).append({"atol": atol, "rtol": rtol, "subset_s": t_q, "max_error": err})
        if err <= 1e-8:
            chosen = (atol, rtol, t_q, err)
            break
    assert chosen is not None, "QuTiP did not reach 1e-8"
    atol, rtol, t_q, err = chosen
    res.update({
        "qutip_atol": atol, "qutip_rtol": rtol, "qutip_subset": subset, "qutip_subset_s": t_q, "qutip_max_error": err,
        "qutip_extrapolated_s": t_q * B / subset,
        "speedup_vs_qutip_loop": t_q * B / subset / t_ours,
        "note": f"QuTiP timed on {subset} systems and extrapolated linearly to {B}",
    })
    return res


def bench_n64(qt: Any, n: int, repeats: int) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    H, Ls, rho0 = (x[0] if not isinstance(x, list) else [y[0] for y in x] for x in _random_systems(rng, 1, n, 0.2))
    t = np.linspace(0.0, 10.0, 100)
    _, ref = _best(lambda: lindblad_evolve(H, Ls, rho0, t, method="taylor", atol=1e-14, rtol=1e-12), 1)
    t_ours, (ours, info) = _best(lambda: lindblad_evolve(H, Ls, rho0, t, return_info=True), repeats)
    res: dict[str, Any] = {"N": n, "times": t.size, "ours_s": t_ours, "ours_max_error": float(np.abs(ours - ref).max()),
                           "ours_rhs_evaluations": info["rhs_evaluations"], "qutip": []}
    Hq, Lq, rq = qt.Qobj(H), [qt.Qobj(L) for L in Ls], qt.Qobj(rho0)
    Lsup = qt.liouvillian(Hq, Lq)
    runs = [("adams", "CSR"), ("vern9", "CSR"), ("dop853", "CSR"), ("adams", "Dense"), ("vern9", "Dense")]
    for method, dtype in runs:
        sup = Lsup.to(dtype)
        opts = {"method": method, "atol": 1e-10, "rtol": 1e-8, "nsteps": 10**6}
        t_q, out = _best(lambda: qt.mesolve(sup, rq, t, options=opts), 1)
        q = np.array([s.full() for s in out.states])
        res["qutip"].append({"method": method, "data": dtype, "s": t_q, "max_error": float(np.abs(q - ref).max())})
        print(f"   qutip {method:>7s} {dtype:>5s}: {t_q:.3f}s  err {res['qutip'][-1]['max_error']:.1e}", flush=True)
    ok = [r for r in res["qutip"] if r["max_error"] <= 1e-8] or res["qutip"]
    fastest = min(ok, key=lambda r: r["s"])
    res["reference_check_qutip_vs_taylor"] = min(r["max_error"] for r in res["qutip"])
    res["fastest_qutip"] = fastest
    res["speedup_vs_fastest_qutip"] = fastest["s"] / t_ours
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--systems", type=int, default=1000)
    ap.add_argument("--subset", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1: the cores are shared)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "density_matrix.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import qutip as qt

    q = bench_qubits(qt, args.systems, args.subset, args.repeats)
    print(f"{args.systems} qubits x 100 times: ours {q['ours_propagator_s']:.3f}s (err {q['ours_propagator_max_error']:.1e}), "
          f"QuTiP loop {q['qutip_extrapolated_s']:.2f}s extrapolated from {args.subset} (err {q['qutip_max_error']:.1e}, "
          f"atol {q['qutip_atol']:g}, rtol {q['qutip_rtol']:g})  ->  {q['speedup_vs_qutip_loop']:.0f}x", flush=True)
    print(f"N={args.n}: QuTiP mesolve options (atol 1e-10, rtol 1e-8), errors against the atol=1e-14 Taylor reference:", flush=True)
    m = bench_n64(qt, args.n, args.repeats)
    print(f"N={args.n}: ours {m['ours_s']:.3f}s (err {m['ours_max_error']:.1e})")
    print(f"   fastest QuTiP at <= 1e-8: {m['fastest_qutip']['method']}/{m['fastest_qutip']['data']} -> ratio {m['speedup_vs_fastest_qutip']:.2f}x")
    out = {"qubits": q, "n64": m, "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                             "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
                                             "qutip": qt.__version__, "cuda": torch.cuda.is_available()}}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
