"""Benchmark: batched LLC estimation against devinterp and against an unbatched loop.

Run: ``.venv/bin/python benchmarks/bench_singular_learning.py [--quick]``

1. Speed: ``numerics.singular_learning.estimate_llc`` (all chains in one tensor program, index-tensor
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

from numerics.singular_learning import (  # noqa: E402
    compress_linear_data,
    deep_linear_teacher_student,
    estimate_llc,
    hessian_max_eigenvalue,
    mse,
    sample_local_posterior,
)
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


def _median_time(fn, repeats: int) -> tuple[float, object]:
    ts, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


def speed(quick: bool) -> list[dict]:
    """Same model, data, chains x draws, batch size, step size, n*beta and gamma on every side.

    Ours: the default (hand-written batched pullback, MALA diagnostic every 10 steps); with
    the diagnostic off (``diag_every=None``: the same work devinterp does); and through
    autograd (``model_vjp=False``: what any model without a hand-written pullback gets).
    Every timing is the median of ``repeats`` runs after one warm-up run of each side.
    """
    rows = []
    chain_counts = (8, 10, 16, 32, 64)  # 10: devinterp's default num_chains
    configs = [(w, r, n, c) for (w, r, n) in (((10, 10, 10, 10), 2, 1000), ((20, 20, 20), 5, 2000)) for c in chain_counts]
    if quick:
        configs = [((10, 10, 10, 10), 2, 500, 8)]
    draws, batch, repeats = (200 if not quick else 50), 100, (3 if not quick else 1)
    for widths, r, n, chains in configs:
        net, (X, Y) = deep_linear_teacher_student(widths, r, n, seed=0, init_scale=0.0, dtype=torch.float32)
        nbeta, lr, gamma = n / math.log(n), 1e-4, 10.0
        kw = dict(n_beta=nbeta, gamma=gamma, step_size=lr, draws=draws, burn_in=0, batch_size=batch, seed=0, chains=chains,
                  bias_diagnostic=False)
        variants = {"default": {}, "no_diagnostic": {"diag_every": None}, "autograd": {"model_vjp": False}}
        times, llcs = {}, {}
        for name, extra in variants.items():
            estimate_llc(net, mse, (X, Y), **{**kw, **extra, "draws": 5})  # warm-up
            times[name], est = _median_time(lambda: estimate_llc(net, mse, (X, Y), **{**kw, **extra}), repeats)
            llcs[name] = est.value

        def loop():  # the same sampler, one chain at a time
            for c in range(chains):
                sample_local_posterior(net, mse, (X, Y), **{**{k: v for k, v in kw.items() if k != "bias_diagnostic"},
                                                     "chains": 1, "seed": c, "diag_every": None})

        t_loop, _ = _median_time(loop, repeats)
        _devinterp_time(net, X, Y, chains=2, draws=5, batch=batch, lr=lr, gamma=gamma, nbeta=nbeta, seed=1)  # warm-up
        dvi = [_devinterp_time(net, X, Y, chains=chains, draws=draws, batch=batch, lr=lr, gamma=gamma, nbeta=nbeta, seed=0)
               for _ in range(repeats)]
        t_dvi = None if dvi[0][0] is None else float(np.median([d[0] for d in dvi]))
        rows.append({
            "widths": list(widths), "rank": r, "params": parameter_count(widths), "n": n, "chains": chains, "draws": draws,
            "batch_size": batch, "repeats": repeats,
            "seconds_batched": times["default"], "seconds_batched_no_diagnostic": times["no_diagnostic"],
            "seconds_batched_autograd": times["autograd"], "seconds_unbatched_loop": t_loop, "seconds_devinterp": t_dvi,
            "devinterp_version": dvi[0][2], "speedup_vs_loop": t_loop / times["no_diagnostic"],
            "speedup_vs_devinterp": None if t_dvi is None else t_dvi / times["default"],
            "speedup_vs_devinterp_no_diagnostic": None if t_dvi is None else t_dvi / times["no_diagnostic"],
            "speedup_vs_devinterp_autograd": None if t_dvi is None else t_dvi / times["autograd"],
            "llc_batched": llcs["default"], "llc_batched_autograd": llcs["autograd"], "llc_devinterp": dvi[0][1],
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
    print(f"{'widths':>18} {'chains':>6} {'ours s':>7} {'no-diag s':>9} {'autograd s':>10} {'loop s':>7} {'devinterp s':>11} "
          f"{'x devinterp':>11} {'(no diag)':>9} {'(autograd)':>10} {'x loop':>7}")
    for r in res["speed"]:
        f = lambda v, p=2: "n/a" if v is None else f"{v:.{p}f}"  # noqa: E731
        print(f"{str(r['widths']):>18} {r['chains']:>6} {r['seconds_batched']:>7.3f} {r['seconds_batched_no_diagnostic']:>9.3f} "
              f"{r['seconds_batched_autograd']:>10.3f} {r['seconds_unbatched_loop']:>7.2f} {f(r['seconds_devinterp']):>11} "
              f"{f(r['speedup_vs_devinterp'], 1):>11} {f(r['speedup_vs_devinterp_no_diagnostic'], 1):>9} "
              f"{f(r['speedup_vs_devinterp_autograd'], 1):>10} {r['speedup_vs_loop']:>7.1f}")
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
