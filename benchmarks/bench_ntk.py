"""Benchmark numerics.ntk.train_ensemble: one batched tensor program vs a Python loop over members.

Target configuration (issue 6): 1000 members, width 512, two hidden layers, 64 points in 16
dimensions, 1000 full-batch GD steps, batched >= 20x faster than a Python loop over members.
On a small shared CPU the full size is too slow, so every side runs at a reduced, stated size
and is reported per member-step (the cost of either side is linear in members x steps):

- batched: ``train_ensemble`` (hand-written batched backprop, member blocks sized for cache);
- loop: a Python loop over members, each an ordinary ``torch.nn.Sequential`` trained by
  autograd GD with the same loss and learning rate (the baseline of the target);
- loop_same_kernel: a Python loop calling ``train_ensemble`` with one member at a time
  (isolates the gain of batching from the gain of the hand-written kernel).

Widths 32, 128 and 512 are measured in one run, sides interleaved, each the best of
``--repeats`` (the machine is shared; the minimum is the least disturbed run).

Roofline.  Both sides do the same floating-point work, ``2 N (3 sum_l n_{l-1} n_l - d n_1)``
flops per member-step (forward, weight gradients, input gradients).  The script also times a
bare ``torch.matmul`` of the dominant shape ``(N, w) @ (w, w)`` and reports achieved GFLOP/s of
every side next to it.  When the loop already runs near that matmul rate (width 512 on a CPU:
each member is a compute-bound GEMM) no batching can beat it by more than
``matmul GFLOP/s / loop GFLOP/s``; the 20x target is then impossible on a CPU and the honest
goal is "batched not slower".  Large ratios appear only where the loop is dominated by
per-operation Python/dispatch overhead (small widths) or on a GPU.

Run: ``.venv/bin/python benchmarks/bench_ntk.py [--threads 1] [--device cuda]``; writes
``benchmarks/results/ntk.json`` (CPU) or ``ntk_<device>.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from numerics.ntk import MLPSpec, train_ensemble

# (width, batched members, loop members) at ``--steps`` steps
_SIZES = {32: (1000, 20), 128: (200, 10), 512: (40, 6)}


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _loop(X: torch.Tensor, Y: torch.Tensor, members: int, steps: int, lr: float, width: int, device: str) -> None:
    for e in range(members):
        torch.manual_seed(e)
        net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], width), torch.nn.Tanh(), torch.nn.Linear(width, width),
                                  torch.nn.Tanh(), torch.nn.Linear(width, 1)).to(device)
        for _ in range(steps):
            loss = 0.5 * ((net(X).squeeze(-1) - Y) ** 2).sum()
            grads = torch.autograd.grad(loss, list(net.parameters()))
            with torch.no_grad():
                for p, g in zip(net.parameters(), grads):
                    p -= lr * g
    _sync(device)


def _best(f: Callable[[], None], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def _flops(sizes: tuple[int, ...], N: int) -> float:
    s = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 2.0 * N * (3 * s - sizes[0] * sizes[1])


def _matmul_gflops(N: int, w: int, device: str, dtype: torch.dtype, repeats: int) -> float:
    A = torch.randn(N, w, device=device, dtype=dtype)
    B = torch.randn(w, w, device=device, dtype=dtype)
    n = max(10, int(2e9 / (2 * N * w * w)))

    def f() -> None:
        for _ in range(n):
            A @ B
        _sync(device)

    f()
    return 2.0 * N * w * w * n / _best(f, repeats) / 1e9


def _one_width(width: int, X: np.ndarray, Y: np.ndarray, steps: int, repeats: int, device: str) -> dict:
    n_points, d = X.shape
    lr = 1e-3
    E_b, E_l = _SIZES.get(width, (100, 10))
    spec = MLPSpec(d, (width, width), "tanh", (1.0, 1.0, 1.0), 0.1)
    Xt = torch.tensor(X, dtype=torch.float32, device=device)
    Yt = torch.tensor(Y, dtype=torch.float32, device=device)

    def batched() -> None:
        train_ensemble(spec, X, Y, members=E_b, steps=steps, lr=lr, seed=0, device=device, member_chunk=E_b)
        _sync(device)

    def loop() -> None:
        _loop(Xt, Yt, E_l, steps, lr, width, device)

    def loop_kernel() -> None:
        for e in range(E_l):
            train_ensemble(spec, X, Y, members=1, steps=steps, lr=lr, seed=e, device=device)
        _sync(device)

    train_ensemble(spec, X, Y, members=2, steps=2, lr=lr, seed=0, device=device)  # warm-up
    _loop(Xt, Yt, 1, 2, lr, width, device)
    times = {"batched": float("inf"), "loop": float("inf"), "loop_same_kernel": float("inf")}
    for _ in range(repeats):  # interleaved, so load changes hit all sides alike
        times["batched"] = min(times["batched"], _best(batched, 1))
        times["loop"] = min(times["loop"], _best(loop, 1))
        times["loop_same_kernel"] = min(times["loop_same_kernel"], _best(loop_kernel, 1))
    members = {"batched": E_b, "loop": E_l, "loop_same_kernel": E_l}
    fl = _flops(spec.layer_sizes, n_points)
    per = {k: times[k] / (members[k] * steps) for k in times}
    mm = _matmul_gflops(n_points, width, device, torch.float32, repeats)
    return {
        "width": width, "steps": steps, "members": members, "seconds": times,
        "per_member_step_s": per,
        "gflops_per_member_step": fl / 1e9,
        "achieved_gflops": {k: fl / per[k] / 1e9 for k in per},
        "bare_matmul_gflops": mm,
        "ratio_loop_over_batched": per["loop"] / per["batched"],
        "ratio_loop_same_kernel_over_batched": per["loop_same_kernel"] / per["batched"],
        "max_possible_ratio_vs_loop": mm / (fl / per["loop"] / 1e9),
        "extrapolated_full_size_seconds": {"batched": per["batched"] * 1e6, "loop": per["loop"] * 1e6},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1, as every benchmark)")
    ap.add_argument("--widths", type=int, nargs="+", default=[32, 128, 512])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None, help="result file name (default ntk.json / ntk_<device>.json)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 16))
    Y = np.sin(X[:, 0])
    rows = [_one_width(w, X, Y, a.steps, a.repeats, a.device) for w in a.widths]
    print(f"{'width':>5s} {'side':>17s} {'members':>7s} {'us/member-step':>15s} {'GFLOP/s':>8s} {'matmul GFLOP/s':>15s}")
    for r in rows:
        for k in ("batched", "loop", "loop_same_kernel"):
            print(f"{r['width']:5d} {k:>17s} {r['members'][k]:7d} {r['per_member_step_s'][k] * 1e6:15.1f} "
                  f"{r['achieved_gflops'][k]:8.1f} {r['bare_matmul_gflops']:15.1f}")
        print(f"      ratio loop/batched {r['ratio_loop_over_batched']:.2f}x (same kernel looped: "
              f"{r['ratio_loop_same_kernel_over_batched']:.2f}x); roofline bound {r['max_possible_ratio_vs_loop']:.2f}x")
    res = {
        "device": a.device, "torch_threads": torch.get_num_threads(),
        "config": {"hidden_layers": 2, "points": 64, "in_dim": 16, "activation": "tanh", "dtype": "float32",
                   "target": "1000 members x 1000 steps at width 512, batched >= 20x faster than a loop"},
        "note": ("Both sides do the same flops. On a CPU at width 512 the loop already runs each member as a "
                 "compute-bound GEMM near bare-matmul GFLOP/s, so the ratio is bounded by "
                 "max_possible_ratio_vs_loop (about 1-2x): the 20x target is unreachable on a CPU there; "
                 "batching pays where per-op overhead dominates (small widths) and on GPUs."),
        "widths": rows,
    }
    name = a.out or ("ntk.json" if a.device == "cpu" else f"ntk_{a.device}.json")
    out = Path(__file__).parent / "results" / name
    out.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
