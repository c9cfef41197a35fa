"""Benchmark: the LLC of a researcher's own ``nn.Sequential`` -- ours against today's main and against devinterp.

Run: ``.venv/bin/python benchmarks/bench_singular_learning_generic.py [--quick] [--devinterp-python PATH]``

The user path (issue 16): teacher-student deep linear network written as a plain
``nn.Sequential`` of bias-free ``nn.Linear`` layers, widths (10, 10, 10, 10), teacher rank 5,
inputs U[-10, 10]^10, n = 1e4 rows, ``nn.MSELoss()``, minibatch 100, gamma = 10,
n beta = n / ln n, 4 chains x 8000 draws, and the step our default rule chooses
(0.2 / (n beta h_max + gamma)) given to every side.  Timed (one torch thread, median of 3,
every side in the same run):

* ours -- ``estimate_llc`` with its defaults (recognised as a deep linear network: hand-written
  batched pullback, data compressed exactly to 10 rows; every diagnostic on, including the
  chains at twice the step), and with ``step_check=False``;
* today's main -- ``estimate_llc`` of main as it was before issue 16 (the first parent of the
  merge of ``feature/llc``; ``--baseline`` to choose another commit), extracted to a temporary
  folder and run in a subprocess (for an ``nn.Sequential`` it took the ``vmap(functional_call)`` +
  autograd route, with its default MALA diagnostic);
* devinterp 1.3.2 (benchmark-only peer library) -- ``estimate_learning_coeff`` with its SGLD on
  a ``DataLoader`` of the same data, in a subprocess of the Python given by ``--devinterp-python``
  (a throwaway environment: it is never installed into the project's).

The same for a small MLP (tanh, two hidden layers of width 32, biases) trained on the same
data: ours (recognised: hand-written batched MLP pullback; and the generic ``vmap`` route
for reference) against devinterp.  Accuracy: our DLN estimate against Aoyagi's lambda.

The two baselines are slow (minutes per run), so ``--baseline-draws D`` times them on ``D`` draws
instead of the full budget and scales the time per draw to the full budget (recorded in the JSON
as ``*_measured_draws`` / ``*_measured_seconds`` next to the scaled ``seconds_*``).  Scaling the
whole run time, setup included, favours the baselines slightly.

Writes ``benchmarks/results/singular_learning_generic.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from numerics.singular_learning import estimate_llc  # noqa: E402
from theory.singular_learning import rlct_deep_linear  # noqa: E402

#: the subprocess run by today's main and by devinterp: load the problem, time it, print JSON
_RUNNER = r'''
import json, sys, time, warnings, torch
torch.set_num_threads(1)
side, path = sys.argv[1], sys.argv[2]
P = torch.load(path, weights_only=False)
net, X, Y, kw, repeats = P["net"], P["X"], P["Y"], P["kw"], P["repeats"]
times, vals = [], []
for r in range(repeats + 1):  # the first run warms up
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if side == "main":
            from numerics.singular_learning import estimate_llc
            e = estimate_llc(net, torch.nn.MSELoss(), (X, Y), n_beta=kw["n_beta"], gamma=kw["gamma"], step_size=kw["step_size"],
                             chains=kw["chains"], draws=kw["draws"] if r else 20, burn_in=0, batch_size=kw["batch_size"], seed=r)
            v = e.value
        else:
            from devinterp.optim.sgld import SGLD
            from devinterp.slt.sampler import estimate_learning_coeff
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=kw["batch_size"], shuffle=True)
            mse = torch.nn.MSELoss()
            v = float(estimate_learning_coeff(net, loader, evaluate=lambda m, b: mse(m(b[0]), b[1]), sampling_method=SGLD,
                      optimizer_kwargs={"lr": kw["step_size"], "localization": kw["gamma"], "nbeta": kw["n_beta"]},
                      num_chains=kw["chains"], num_draws=kw["draws"] if r else 20, num_burnin_steps=0, seed=r, verbose=False))
    if r:
        times.append(time.perf_counter() - t)
        vals.append(v)
print(json.dumps({"seconds": sorted(times)[len(times) // 2], "all_seconds": times, "llc": vals}))
'''


def _seq(ws, act=None, bias=False):
    layers = []
    for i, (a, b) in enumerate(zip(ws[:-1], ws[1:])):
        layers.append(torch.nn.Linear(a, b, bias=bias))
        if act is not None and i < len(ws) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def teacher_data(ws, r, n, seed=0):
    """Inputs U[-10, 10]^d, outputs T x with a rank-r teacher T = U V^T (orthonormal U, V)."""
    g = torch.Generator().manual_seed(seed)
    U, _ = torch.linalg.qr(torch.randn(ws[-1], r, generator=g))
    V, _ = torch.linalg.qr(torch.randn(ws[0], r, generator=g))
    X = torch.rand(n, ws[0], generator=g) * 20 - 10
    return X, X @ (U @ V.T).T


def train(net, X, Y, steps, lr=1e-3, seed=0):
    """Full-batch Adam on nn.MSELoss, as a user would."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(X), Y)
        loss.backward()
        opt.step()
    return float(loss.detach())


def _median(fn, repeats):
    fn(warm=True)
    ts, out = [], None
    for r in range(repeats):
        t = time.perf_counter()
        out = fn(warm=False, seed=r)
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), ts, out


def _ours(net, X, Y, kw, **extra):
    def run(warm, seed=0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimate_llc(net, torch.nn.MSELoss(), (X, Y), n_beta=kw["n_beta"], gamma=kw["gamma"],
                                step_size=kw["step_size"], chains=kw["chains"], draws=20 if warm else kw["draws"], burn_in=0,
                                batch_size=kw["batch_size"], seed=seed, **extra)
    return run


def _subprocess(side, python, env_path, net, X, Y, kw, repeats):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "problem.pt")
        torch.save({"net": net, "X": X, "Y": Y, "kw": kw, "repeats": repeats}, path)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        if env_path:
            env["PYTHONPATH"] = env_path
        else:
            env.pop("PYTHONPATH", None)
        out = subprocess.run([python, "-c", _RUNNER, side, path], capture_output=True, text=True, env=env, cwd=tmp)
    if out.returncode:
        raise RuntimeError(f"{side} subprocess failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()


def pre_issue_main():
    """The main commit just before issue 16's generic LLC was merged (first parent of the ``feature/llc`` merge)."""
    for line in _git("log", "--first-parent", "--merges", "--format=%H %s", "main").splitlines():
        h, subject = line.split(" ", 1)
        if subject.startswith("Merge feature/llc:"):
            return _git("rev-parse", h + "^1")
    return _git("merge-base", "HEAD", "main")


def main_tree(tmp, base):
    """The numerics package of commit ``base`` extracted into ``tmp``."""
    arc = subprocess.run(["git", "archive", base, "numerics"], capture_output=True, cwd=ROOT, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tmp], input=arc, check=True)
    return base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--devinterp-python", default=None, help="a Python with devinterp 1.3.2 and the same torch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--baseline", default=None, help="the main commit to compare with (default: main before issue 16)")
    ap.add_argument("--baseline-draws", type=int, default=None,
                    help="time the baselines (old main, devinterp) on this many draws and scale per draw")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "singular_learning_generic.json"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    n, draws, repeats = (10_000, 8000, 3) if not a.quick else (2000, 400, 1)
    ws, r = (10, 10, 10, 10), 5
    X, Y = teacher_data(ws, r, n)
    dln = _seq(ws)
    dln_loss = train(dln, X, Y, 4000 if not a.quick else 500)
    mlp = _seq((10, 32, 32, 10), torch.nn.Tanh, bias=True)
    mlp_loss = train(mlp, X / 10, Y / 10, 4000 if not a.quick else 500, lr=3e-3)
    lam = float(rlct_deep_linear(ws, r)[0])
    result = {"machine": platform.platform(), "torch": torch.__version__, "threads": a.threads, "repeats": repeats,
              "n": n, "draws": draws, "chains": 4, "batch_size": 100, "gamma": 10.0, "rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        result["main_commit"] = main_tree(tmp, a.baseline or pre_issue_main())
        peer_draws = min(draws, a.baseline_draws or draws)
        result["baseline_draws"] = peer_draws
        for name, net, Xs, Ys, train_loss in (("deep linear (10,10,10,10) r=5, nn.Sequential of bias-free nn.Linear", dln, X, Y, dln_loss),
                                               ("MLP tanh 10-32-32-10 with biases", mlp, X / 10, Y / 10, mlp_loss)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                probe = estimate_llc(net, torch.nn.MSELoss(), (Xs, Ys), gamma=10.0, chains=4, draws=20, burn_in=0, batch_size=100)
            kw = {"n_beta": n / math.log(n), "gamma": 10.0, "step_size": float(probe.diagnostics["step_size"]), "chains": 4,
                  "draws": draws, "batch_size": 100}
            row = {"model": name, "params": sum(p.numel() for p in net.parameters()), "train_loss": train_loss, **kw,
                   "route": probe.diagnostics["route"]}
            t, ts, est = _median(_ours(net, Xs, Ys, kw), repeats)
            d = est.diagnostics
            row.update({"seconds_ours": t, "all_seconds_ours": ts, "llc_ours": est.value, "stderr_ours": est.stderr,
                        "r_hat": d["r_hat"], "ess": d["ess"], "localization_bias": d["localization_bias"],
                        "llc_double_step": d.get("llc_double_step"), "warnings": d["warnings"]})
            row["seconds_ours_no_step_check"], _, _ = _median(_ours(net, Xs, Ys, kw, step_check=False), repeats)
            if net is mlp:
                row["seconds_ours_generic_route"], _, g = _median(_ours(net, Xs, Ys, kw, model_vjp=False), repeats)
                row["llc_ours_generic_route"] = g.value
            else:
                row["lambda_aoyagi"] = lam
                row["relative_error_vs_aoyagi"] = est.value / lam - 1
                m = _subprocess("main", sys.executable, tmp, net, Xs, Ys, {**kw, "draws": peer_draws}, repeats)
                sm = m["seconds"] * draws / peer_draws
                row.update({"seconds_main": sm, "main_measured_draws": peer_draws, "main_measured_seconds": m["all_seconds"],
                            "llc_main": m["llc"], "speedup_vs_main": sm / t})
            if a.devinterp_python:
                dv = _subprocess("devinterp", a.devinterp_python, None, net, Xs, Ys, {**kw, "draws": peer_draws}, repeats)
                sd = dv["seconds"] * draws / peer_draws
                row.update({"seconds_devinterp": sd, "devinterp_measured_draws": peer_draws,
                            "devinterp_measured_seconds": dv["all_seconds"], "llc_devinterp": dv["llc"],
                            "speedup_vs_devinterp": sd / t, "devinterp_version": "1.3.2"})
            result["rows"].append(row)
            print(json.dumps(row, default=float), flush=True)
    if not a.quick:
        Path(a.out).write_text(json.dumps(result, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
