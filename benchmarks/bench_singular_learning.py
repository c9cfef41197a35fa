"""Benchmark: batched LLC estimation against devinterp and against an unbatched loop.

Run: ``.venv/bin/python benchmarks/bench_singular_learning.py [--quick]``

1. Speed: ``numerics.sgld.estimate_llc`` (all chains in one tensor program, index-tensor
   minibatches) against devinterp's ``estimate_learning_coeff`` (1.3.x, if installed) and
   against our own sampler run one chain at a time, for the same chains x draws, model,
   batch size, step size, n*beta and localisation.  Ratios are timed in the same run.
2. Accuracy/time target: deep linear networks up to ~1e4 parameters, estimate against
   Aoyagi's lambda (relative error) and wall time, on the threads given (default 1: the
   shared 2-core machines oversubscribe badly with 2 intra-op threads).

Writes ``benchmarks/results/singular_learning.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numerics.sgld import estimate_llc, sample_local_posterior  # noqa: E402
from numerics.slt_models import DeepLinearNetwork, deep_linear_teacher_student, mse  # noqa: E402
from theory.singular_learning import parameter_count, rlct_deep_linear  # noqa: E402


def _devinterp_time(net, X, Y, *, chains, draws, batch, lr, gamma, nbeta, seed):
    try:
        import devinterp
        from devinterp.optim.sgld import SGLD
        from devinterp.slt.sampler import estimate_learning_coeff
    except ImportError:
        return None, None, None
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=batch, shuffle=True)

    def evaluate(model, data):
        x, y = data
        return mse(model(x), y)

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = estimate_learning_coeff(net, loader, evaluate=evaluate, sampling_method=SGLD,
                                      optimizer_kwargs={"lr": lr, "localization": gamma, "nbeta": nbeta},
                                      num_chains=chains, num_draws=draws, num_burnin_steps=0, seed=seed, verbose=False)
    return time.perf_counter() - t, float(out), devinterp.__version__ if hasattr(devinterp, "__version__") else "1.3.x"


def speed(quick: bool) -> list[dict]:
    rows = []
    configs = [(w, r, n, c) for (w, r, n) in (((10, 10, 10, 10), 2, 1000), ((20, 20, 20), 5, 2000)) for c in (8, 32, 64)]
    if quick:
        configs = [((10, 10, 10, 10), 2, 500, 8)]
    draws, batch = (200 if not quick else 50), 100
    for widths, r, n, chains in configs:
        net, (X, Y) = deep_linear_teacher_student(widths, r, n, seed=0, init_scale=0.0, dtype=torch.float32)
        nbeta, lr, gamma = n / math.log(n), 1e-4, 10.0
        kw = dict(n_beta=nbeta, gamma=gamma, step_size=lr, draws=draws, burn_in=0, batch_size=batch, seed=0)
        estimate_llc(net, mse, (X, Y), chains=chains, bias_diagnostic=False, **{**kw, "draws": 5})  # warm-up
        t = time.perf_counter()
        ours = estimate_llc(net, mse, (X, Y), chains=chains, bias_diagnostic=False, **kw)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        for c in range(chains):  # the same sampler, one chain at a time
            sample_local_posterior(net, mse, (X, Y), chains=1, **{**kw, "seed": c})
        t_loop = time.perf_counter() - t
        _devinterp_time(net, X, Y, chains=2, draws=5, batch=batch, lr=lr, gamma=gamma, nbeta=nbeta, seed=1)  # warm-up
        t_dvi, llc_dvi, ver = _devinterp_time(net, X, Y, chains=chains, draws=draws, batch=batch, lr=lr, gamma=gamma, nbeta=nbeta, seed=0)
        rows.append({
            "widths": list(widths), "rank": r, "params": parameter_count(widths), "n": n, "chains": chains, "draws": draws,
            "batch_size": batch, "seconds_batched": t_ours, "seconds_unbatched_loop": t_loop, "seconds_devinterp": t_dvi,
            "devinterp_version": ver, "speedup_vs_loop": t_loop / t_ours,
            "speedup_vs_devinterp": None if t_dvi is None else t_dvi / t_ours,
            "llc_batched": ours.value, "llc_devinterp": llc_dvi,
        })
    return rows


def accuracy(quick: bool) -> list[dict]:
    """Deep linear networks up to ~1e4 parameters against Aoyagi's lambda, each timed end to end.

    Data: n = 4000 noise-free teacher rows, compressed exactly to p = input-dim rows with
    ``compress_linear_data`` (same loss up to a constant, so the same posterior and LLC);
    n*beta = n / ln n (WBIC, the estimator's default); gamma = 10; step size from the exact
    quadratic stability law, eps (n beta h_max + gamma) / 4 = 0.02 (a 2% worst-direction bias);
    8 chains of 10^4 burn-in + 10^4 draws (the flat directions relax in ~2/(gamma eps) steps).
    """
    from numerics.sgld import hessian_max_eigenvalue
    from numerics.slt_models import compress_linear_data

    rows = []
    configs = [((20, 20, 20, 20), 5), ((50, 50, 50, 50, 50), 10)] if not quick else [((10, 10, 10), 3)]
    steps = 20_000 if not quick else 2_000
    for widths, r in configs:
        d = parameter_count(widths)
        lam = float(rlct_deep_linear(widths, r)[0])
        t = time.perf_counter()
        n = 4000
        net, data = deep_linear_teacher_student(widths, r, n, seed=0, init_scale=0.0, dtype=torch.float32)
        cdata, _ = compress_linear_data(data)
        nbeta, gamma = n / math.log(n), 10.0
        h = hessian_max_eigenvalue(net, mse, cdata)
        eps = 0.08 / (nbeta * h + gamma)
        est = estimate_llc(net, mse, cdata, n_beta=nbeta, gamma=gamma, step_size=eps, chains=8, draws=steps // 2,
                           burn_in=steps // 2, seed=0, bias_diagnostic=True)
        secs = time.perf_counter() - t
        rows.append({"widths": list(widths), "rank": r, "params": d, "lambda": lam, "llc": est.value, "stderr": est.stderr,
                     "relative_error": (est.value - lam) / lam, "step_size_bias": est.diagnostics["step_size_bias"],
                     "step_size": eps, "burn_in": steps // 2, "draws": steps // 2, "gamma": gamma, "n": n, "n_beta": nbeta,
                     "seconds": secs})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    res = {"machine": platform.platform(), "torch": torch.__version__, "threads": args.threads, "speed": speed(args.quick)}
    print(f"{'widths':>18} {'params':>7} {'chains':>6} {'batched s':>10} {'loop s':>8} {'devinterp s':>12} {'x loop':>7} {'x devinterp':>12}")
    for r in res["speed"]:
        dv = "n/a" if r["seconds_devinterp"] is None else f"{r['seconds_devinterp']:.2f}"
        sx = "n/a" if r["speedup_vs_devinterp"] is None else f"{r['speedup_vs_devinterp']:.1f}"
        print(f"{str(r['widths']):>18} {r['params']:>7} {r['chains']:>6} {r['seconds_batched']:>10.2f} {r['seconds_unbatched_loop']:>8.2f} {dv:>12} "
              f"{r['speedup_vs_loop']:>7.1f} {sx:>12}")
    if not args.skip_accuracy:
        res["accuracy"] = accuracy(args.quick)
        print(f"{'widths':>22} {'params':>7} {'lambda':>7} {'llc':>8} {'rel err':>8} {'seconds':>8}")
        for r in res["accuracy"]:
            print(f"{str(r['widths']):>22} {r['params']:>7} {r['lambda']:>7.1f} {r['llc']:>8.2f} {r['relative_error']:>8.3f} {r['seconds']:>8.1f}")
    out = Path(__file__).resolve().parent / "results" / "singular_learning.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not args.quick:
        out.write_text(json.dumps(res, indent=2, default=float))
    else:
        print(json.dumps(res, default=float)[:400])


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    main()
