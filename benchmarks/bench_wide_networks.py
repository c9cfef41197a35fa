"""Benchmark: batched MLP ensembles (numerics.wide_networks) against torch matmul and a Python loop.

Ratios measured in one run (so machine load cancels):

1. forward throughput of the stacked ensemble (``mlp_ensemble_forward``, width >= 256)
   against bare ``torch.matmul`` on the same (E, P, n) x (E, n, n) sizes (target >= 0.5);
2. the same forward against a Python loop over ``torch.nn.Sequential`` members (target >= 20x);
3. init + forward (``mlp_ensemble_outputs``, weights drawn on the fly) against the loop;
4. peak resident-memory increase of ``mlp_ensemble_outputs`` against the ensemble size (fresh
   subprocess each), chunked vs one chunk: flat with chunking, linear without.

Width 32 rows show where batching pays off most (per-member work small, Python overhead dominant).

5. A DIFFERENT ALGORITHM, ``mlp_ensemble_outputs(..., method="function_space")``: exact samples of the
   joint law of the outputs on ``P`` inputs drawn layer by layer from the Gaussian conditionals
   (``P n_l`` normals per layer instead of ``n_{l-1} n_l`` weights; no networks are built).  Timed
   (E members, outputs on P inputs, widths 256 / 1024 / 4096, P = 1, 8, 32) against (a) the Python
   loop over prebuilt ``nn.Sequential`` members, forward only, (b) a loop that also initialises each
   member (``nn.Linear`` + ``nn.init.normal_``), and (c) the explicit-weight batched ensemble
   (``method="weights"``, init + forward).  Rows 1-4 (explicit weights) are unchanged: the >= 20x
   target against the loop's forward pass is met only by this different algorithm (for P << width).

Run: ``.venv/bin/python benchmarks/bench_wide_networks.py`` (writes benchmarks/results/wide_networks.json).
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from numerics.wide_networks import mlp_ensemble_forward, mlp_ensemble_outputs

OUT = Path(__file__).with_name("results") / "wide_networks.json"


def _best(fn, repeat: int = 3) -> float:
    fn()  # warm-up
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts)


def throughput(device: torch.device, width: int = 256, points: int = 32, members: int = 256, depth: int = 2) -> dict:
    d = width
    g = torch.Generator(device=device).manual_seed(0)
    dims = [d] + [width] * depth + [1]
    Ws = [torch.randn((members, a, b), generator=g, device=device) / math.sqrt(a) for a, b in zip(dims[:-1], dims[1:])]
    bs = [torch.randn((members, 1, b), generator=g, device=device) * 0.1 for b in dims[1:]]
    X = torch.randn((points, d), generator=g, device=device)
    Xb = X.expand(members, points, d).contiguous()
    flops = 2 * members * points * sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def ens() -> None:
        with torch.no_grad():
            mlp_ensemble_forward(X, Ws, bs, torch.tanh)
        sync()

    def mm() -> None:
        with torch.no_grad():
            h = Xb
            for W in Ws:
                h = torch.matmul(h, W)
        sync()

    nets = []
    for m in range(members):
        layers: list[torch.nn.Module] = []
        for l, W in enumerate(Ws):
            lin = torch.nn.Linear(W.shape[1], W.shape[2]).to(device)
            with torch.no_grad():
                lin.weight.copy_(W[m].T)
                lin.bias.copy_(bs[l][m, 0])
            layers += [lin] + ([torch.nn.Tanh()] if l < len(Ws) - 1 else [])
        nets.append(torch.nn.Sequential(*layers))

    def loop() -> None:
        with torch.no_grad():
            for net in nets:
                net(X)
        sync()

    def init_fwd() -> None:
        mlp_ensemble_outputs(X.cpu().numpy(), [width] * depth, "tanh", [1.0] * (depth + 1), 0.01,
                             ensemble_size=members, seed=1, device=device)

    # correctness of the comparison: the loop computes the same numbers
    with torch.no_grad():
        ref = mlp_ensemble_forward(X, Ws, bs, torch.tanh)[:3, :, 0]
        alt = torch.stack([nets[m](X)[:, 0] for m in range(3)])
    assert torch.allclose(ref, alt, rtol=1e-4, atol=1e-5)
    t_ens, t_mm, t_loop, t_init = _best(ens), _best(mm), _best(loop, 2), _best(init_fwd, 2)
    return {
        "device": str(device), "width": width, "points": points, "members": members, "hidden_layers": depth,
        "ensemble_forward_s": t_ens, "matmul_s": t_mm, "python_loop_s": t_loop, "init_plus_forward_s": t_init,
        "ensemble_gflops": flops / t_ens / 1e9, "matmul_gflops": flops / t_mm / 1e9,
        "ratio_ensemble_vs_matmul_throughput": t_mm / t_ens,
        "speedup_vs_python_loop": t_loop / t_ens,
        "speedup_init_plus_forward_vs_python_loop_forward_only": t_loop / t_init,
    }


def _sequential(dims: list[int], device: torch.device, gen_seed: int | None = None) -> torch.nn.Sequential:
    """An nn.Sequential MLP with N(0, 1/fan_in) weights, N(0, 0.01) biases and tanh."""
    layers: list[torch.nn.Module] = []
    for l, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        lin = torch.nn.Linear(a, b, device=device)
        torch.nn.init.normal_(lin.weight, std=1 / math.sqrt(a))
        torch.nn.init.normal_(lin.bias, std=0.1)
        layers += [lin] + ([torch.nn.Tanh()] if l < len(dims) - 2 else [])
    return torch.nn.Sequential(*layers)


def function_space(device: torch.device, width: int, points: int, members: int, depth: int = 2) -> dict:
    """Function-space sampler vs Python loops over nn.Sequential (forward only; init + forward) and explicit weights."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn((points, width), generator=g).to(device)
    Xn = X.cpu().numpy()
    dims = [width] + [width] * depth + [1]
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    with torch.no_grad():
        nets = [_sequential(dims, device) for _ in range(members)]

    def loop() -> None:
        with torch.no_grad():
            for net in nets:
                net(X)
        sync()

    def loop_init() -> None:
        with torch.no_grad():
            for _ in range(members):
                _sequential(dims, device)(X)
        sync()

    def fs() -> None:
        mlp_ensemble_outputs(Xn, [width] * depth, "tanh", [1.0] * (depth + 1), 0.01, ensemble_size=members, seed=1,
                             device=device, method="function_space")
        sync()

    def weights() -> None:
        mlp_ensemble_outputs(Xn, [width] * depth, "tanh", [1.0] * (depth + 1), 0.01, ensemble_size=members, seed=1,
                             device=device)
        sync()

    t_fs, t_loop, t_init = _best(fs), _best(loop, 2), _best(loop_init, 1)
    del nets
    t_w = _best(weights, 1) if width <= 1024 else None
    return {
        "algorithm": "function_space (exact output law on the inputs; no weights drawn)",
        "device": str(device), "width": width, "points": points, "members": members, "hidden_layers": depth,
        "function_space_s": t_fs, "python_loop_forward_s": t_loop, "python_loop_init_plus_forward_s": t_init,
        "explicit_weights_init_plus_forward_s": t_w,
        "speedup_vs_python_loop_forward": t_loop / t_fs,
        "speedup_vs_python_loop_init_plus_forward": t_init / t_fs,
        "speedup_vs_explicit_weight_ensemble": None if t_w is None else t_w / t_fs,
    }


_CHILD = r"""
import sys, torch, numpy as np
torch.set_num_threads(1)
from numerics.wide_networks import mlp_ensemble_outputs
E, chunked = int(sys.argv[1]), sys.argv[2] == "1"
X = np.ones((8, 64))
mlp_ensemble_outputs(X, [128, 128], "tanh", [1.0, 1.0, 1.0], 0.0, ensemble_size=4, seed=0)  # warm up allocator/kernels
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak-RSS counter (Linux >= 4.0)
base = hwm()
mlp_ensemble_outputs(X, [128, 128], "tanh", [1.0, 1.0, 1.0], 0.0, ensemble_size=E, seed=0,
                     **({"max_chunk_bytes": 16 * 2 ** 20} if chunked else {"chunk_size": E}))
print(base, hwm())
"""


def peak_memory(sizes: tuple[int, ...] = (250, 1_000, 4_000, 16_000)) -> list[dict]:
    """Peak RSS increase while computing an ensemble, chunked (16 MiB budget) and unchunked (one chunk)."""
    out = []
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for E in sizes:
        row: dict = {"ensemble_size": E}
        for chunked in ("1", "0"):
            if chunked == "0" and E > 4_000:
                continue  # one chunk of 16000 members would need ~1.6 GB on a shared machine
            res = subprocess.run([sys.executable, "-c", _CHILD, str(E), chunked], capture_output=True, text=True,
                                 env=env, check=True)
            base, peak = map(int, res.stdout.split())
            row["chunked_peak_increase_mib" if chunked == "1" else "unchunked_peak_increase_mib"] = (peak - base) / 1024
        out.append(row)
    return out


def main() -> None:
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))
    results: dict = {"machine": platform.processor() or platform.machine(), "torch": torch.__version__,
                     "threads": torch.get_num_threads(), "throughput": [], "memory": None}
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for dev in devices:
        for width, points in ((256, 1), (256, 32), (32, 1), (32, 32)):
            r = throughput(dev, width=width, points=points, members=128 if dev.type == "cpu" else 1024)
            results["throughput"].append(r)
    results["function_space"] = []
    for dev in devices:
        for width, members in ((256, 128), (1024, 32), (4096, 4)):
            for points in (1, 8, 32):
                results["function_space"].append(function_space(dev, width, points, members if dev.type == "cpu"
                                                                 else 8 * members))
    results["memory"] = peak_memory()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    print(f"{'device':6s} {'n':>4s} {'P':>3s} {'E':>5s} {'ens GF/s':>9s} {'mm GF/s':>8s} {'ens/mm':>7s} {'vs loop':>8s} {'init+fwd vs loop':>17s}")
    for r in results["throughput"]:
        print(f"{r['device']:6s} {r['width']:4d} {r['points']:3d} {r['members']:5d} {r['ensemble_gflops']:9.2f} {r['matmul_gflops']:8.2f} "
              f"{r['ratio_ensemble_vs_matmul_throughput']:7.2f} {r['speedup_vs_python_loop']:8.1f} "
              f"{r['speedup_init_plus_forward_vs_python_loop_forward_only']:17.2f}")
    print("function-space sampler (a different algorithm: exact output law, no weights) vs loops / explicit weights:")
    print(f"{'device':6s} {'n':>5s} {'P':>3s} {'E':>4s} {'vs loop fwd':>11s} {'vs loop init+fwd':>16s} {'vs weights ens':>14s}")
    for r in results["function_space"]:
        w = r["speedup_vs_explicit_weight_ensemble"]
        print(f"{r['device']:6s} {r['width']:5d} {r['points']:3d} {r['members']:4d} "
              f"{r['speedup_vs_python_loop_forward']:11.1f} {r['speedup_vs_python_loop_init_plus_forward']:16.1f} "
              f"{'-' if w is None else f'{w:14.1f}'}")
    print("peak RSS increase (MiB) vs ensemble size (width 128, 2 hidden layers, 8 inputs):")
    for m in results["memory"]:
        un = m.get("unchunked_peak_increase_mib")
        print(f"  E = {m['ensemble_size']:6d}: chunked (16 MiB budget) {m['chunked_peak_increase_mib']:7.1f}   "
              f"one chunk {'-' if un is None else f'{un:7.1f}'}")


if __name__ == "__main__":
    main()
