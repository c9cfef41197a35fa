"""Benchmark numerics.training: one batched tensor program vs a Python loop over members.

Target configuration (issue 6): 1000 members, width 512, two hidden layers, 64 points in 16
dimensions, 1000 full-batch GD steps.  On a small shared CPU the full size is too slow, so both
sides run at a reduced, stated size and are extrapolated *linearly* in members x steps (the cost
of either side is linear in both):

- batched: ``train_ensemble`` with ``--batched-members`` members for ``--steps`` steps;
- baseline: a Python loop over ``--loop-members`` members, each an ordinary
  ``torch.nn.Sequential`` trained by hand-written GD with the same loss and learning rate.

The reported ratio is (loop seconds per member-step) / (batched seconds per member-step).

Run: ``.venv/bin/python benchmarks/bench_training.py [--device cuda]``; writes
``benchmarks/results/training.json`` (CPU) or ``training_cuda.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from numerics.training import MLPSpec, train_ensemble


def _loop(X: torch.Tensor, Y: torch.Tensor, members: int, steps: int, lr: float, width: int, device: str) -> float:
    t0 = time.perf_counter()
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
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batched-members", type=int, default=100)
    ap.add_argument("--loop-members", type=int, default=10)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--out", default=None, help="result file name (default training.json / training_<device>.json)")
    a = ap.parse_args()
    width, n_points, d, lr = a.width, 64, 16, 1e-3
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_points, d))
    Y = np.sin(X[:, 0])
    spec = MLPSpec(d, (width, width), "tanh", (1.0, 1.0, 1.0), 0.1)
    # warm-up
    train_ensemble(spec, X, Y, members=2, steps=2, lr=lr, seed=0, device=a.device)
    t0 = time.perf_counter()
    train_ensemble(spec, X, Y, members=a.batched_members, steps=a.steps, lr=lr, seed=0, device=a.device,
                   member_chunk=a.batched_members)
    if a.device == "cuda":
        torch.cuda.synchronize()
    t_b = time.perf_counter() - t0
    Xt = torch.tensor(X, dtype=torch.float32, device=a.device)
    Yt = torch.tensor(Y, dtype=torch.float32, device=a.device)
    t_l = _loop(Xt, Yt, a.loop_members, a.steps, lr, width, a.device)
    per_b = t_b / (a.batched_members * a.steps)
    per_l = t_l / (a.loop_members * a.steps)
    full = 1000 * 1000
    res = {
        "device": a.device, "torch_threads": torch.get_num_threads(),
        "config": {"width": width, "hidden_layers": 2, "points": n_points, "in_dim": d, "dtype": "float32"},
        "batched": {"members": a.batched_members, "steps": a.steps, "seconds": t_b, "per_member_step_s": per_b},
        "loop": {"members": a.loop_members, "steps": a.steps, "seconds": t_l, "per_member_step_s": per_l},
        "ratio_loop_over_batched": per_l / per_b,
        "extrapolated_full_size_seconds": {"batched": per_b * full, "loop": per_l * full,
                                           "note": "linear extrapolation to 1000 members x 1000 steps"},
    }
    print(f"{'method':34s} {'members':>8s} {'steps':>6s} {'seconds':>9s} {'s/member-step':>14s}")
    print(f"{'batched train_ensemble':34s} {a.batched_members:8d} {a.steps:6d} {t_b:9.3f} {per_b:14.3e}")
    print(f"{'python loop of nn.Sequential':34s} {a.loop_members:8d} {a.steps:6d} {t_l:9.3f} {per_l:14.3e}")
    print(f"ratio (loop / batched): {per_l / per_b:.1f}x; full size extrapolated: batched "
          f"{per_b * full / 60:.1f} min, loop {per_l * full / 60:.1f} min")
    name = a.out or ("training.json" if a.device == "cpu" else f"training_{a.device}.json")
    out = Path(__file__).parent / "results" / name
    out.write_text(json.dumps(res, indent=2, default=lambda v: v if math.isfinite(v) else repr(v)))


if __name__ == "__main__":
    main()
