"""Benchmark: a user's torch network sampled through its described law vs the module route.

A user's factory (``nn.Sequential`` 10 -> 256 -> 256 -> 1, tanh, 2 hidden layers) is sampled two ways,
in one run (so machine load cancels), one torch thread, median of 3:

1. the **module route** (:func:`numerics.wide_networks.module_ensemble_outputs`): ``factory()`` per member
   (its own initialiser), ``stack_module_state`` + ``vmap`` per chunk.  Timed on ``MODULE_MEMBERS`` members
   and extrapolated per member to 1e5 (the cost is linear in the members: one module per member);
2. the **described-law route**: :func:`numerics.wide_networks.describe_module` once (architecture and the
   measured laws: uniform for torch's default init), then
   :func:`numerics.wide_networks.mlp_ensemble_outputs` with those laws, 1e5 members drawn as batched
   tensors (explicit weights: exact for any law), chunked by ``max_chunk_bytes``;
3. for a Gaussian-init factory, the same against the described law sampled by exact function-space
   sampling (``method="function_space"``: Gaussian laws only, ``P n`` normals per layer instead of
   ``n^2`` weights);
4. peak resident memory of route 2 at two ensemble sizes (fresh subprocesses): bounded by the chunk.

The explicit-weight route draws every weight: :math:`10\\cdot256 + 256^2 + 256 \\approx 6.8\\cdot10^4` uniforms per
member, :math:`6.8\\cdot10^9` for 1e5 members, which at torch's ~2e8 uniforms/s on one thread is ~35 s of random
number generation alone.  Its speed-up over the module route is therefore bounded by the module route's
cost beyond drawing the same numbers, whatever the implementation; only a route that draws fewer random
numbers than weights (function space, Gaussian laws) goes beyond.

Run: ``.venv/bin/python benchmarks/bench_wide_networks_module.py`` (writes
benchmarks/results/wide_networks_module.json).
"""

from __future__ import annotations

import json
import math
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from numerics.wide_networks import (
    describe_module,
    mlp_ensemble_outputs,
    module_ensemble_outputs,
)

OUT = Path(__file__).with_name("results") / "wide_networks_module.json"
MEMBERS = 100_000
MODULE_MEMBERS = 2_000
WIDTH, D, P = 256, 10, 8


def default_factory() -> torch.nn.Module:
    nn = torch.nn
    return nn.Sequential(nn.Linear(D, WIDTH), nn.Tanh(), nn.Linear(WIDTH, WIDTH), nn.Tanh(), nn.Linear(WIDTH, 1))


def gaussian_factory() -> torch.nn.Module:
    m = default_factory()
    for lin in (m[0], m[2], m[4]):
        torch.nn.init.normal_(lin.weight, std=math.sqrt(1.0 / lin.in_features))
        torch.nn.init.normal_(lin.bias, std=0.1)
    return m


def _median(fn, repeat: int = 3) -> float:
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def _described(factory):
    t = time.perf_counter()
    d = describe_module(factory)
    return d, time.perf_counter() - t


def _fast(d, X, method: str = "weights", members: int = MEMBERS):
    return mlp_ensemble_outputs(X, list(d.hidden_widths), d.activation, list(d.weight_variances),
                                list(d.bias_variances), ensemble_size=members, seed=0, device="cpu",
                                weight_laws=[lay.weight.law.spec for lay in d.layers],
                                bias_laws=[lay.bias.law.spec for lay in d.layers], method=method)


def route(factory, method: str) -> dict:
    X = np.random.default_rng(0).normal(size=(P, D))
    d, t_describe = _described(factory)
    t_module = _median(lambda: module_ensemble_outputs(factory, X, ensemble_size=MODULE_MEMBERS, seed=0, device="cpu"))
    module_per_1e5 = t_module * MEMBERS / MODULE_MEMBERS
    t_fast = _median(lambda: _fast(d, X, method))
    return {
        "laws": [lay.weight.law_name for lay in d.layers], "method": method, "members": MEMBERS,
        "module_route_members_timed": MODULE_MEMBERS, "module_route_s_timed": t_module,
        "module_route_s_per_1e5_extrapolated": module_per_1e5, "describe_s": t_describe,
        "described_law_route_s": t_fast, "ratio_module_vs_described": module_per_1e5 / t_fast,
        "ratio_including_describe": module_per_1e5 / (t_fast + t_describe),
    }


_MEM = """
import resource, sys, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, {root!r})
from benchmarks.bench_wide_networks_module import default_factory, _described, _fast, P, D
d, _ = _described(default_factory)
X = np.random.default_rng(0).normal(size=(P, D))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
_fast(d, X, members={members})
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory() -> dict:
    root = str(Path(__file__).resolve().parents[1])
    out = {}
    for members in (10_000, 40_000):
        r = subprocess.run([sys.executable, "-c", _MEM.format(root=root, members=members)], capture_output=True,
                           text=True, check=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
        before, after = map(int, r.stdout.split()[-2:])
        out[str(members)] = {"peak_rss_increase_mb": (after - before) / 1024, "outputs_mb": members * P * 8 / 2 ** 20}
    return out


def main() -> None:
    torch.set_num_threads(1)
    res = {"machine": platform.machine(), "torch": torch.__version__, "threads": 1, "median_of": 3,
           "network": f"{D} -> {WIDTH} -> {WIDTH} -> 1, tanh, {P} inputs",
           "default_init": route(default_factory, "weights"),
           "gaussian_init_function_space": route(gaussian_factory, "function_space"),
           "memory_default_init": memory()}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
