"""Test-only Monte Carlo of MLP ensembles with explicit weights of several laws (independent of numerics).

Draws every member's weights with plain torch calls (not ``numerics.wide_networks``), so theory tests
compare with a computation that shares no code with the package's samplers.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
import torch

KURTOSIS = {"gaussian": 0.0, "uniform": -1.2, "rademacher": -2.0}


def law_kurtosis(law: str) -> float:
    """Excess kurtosis of a law name ("t10" is Student t with 10 degrees of freedom)."""
    return KURTOSIS[law] if law in KURTOSIS else 6.0 / (float(law[1:]) - 4.0)


def draw(law: str, shape: tuple[int, ...], g: torch.Generator) -> torch.Tensor:
    """Standardised draws of a law: gaussian, uniform, rademacher or "t<nu>"."""
    if law == "gaussian":
        return torch.randn(shape, generator=g, dtype=torch.float64)
    if law == "uniform":
        return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * math.sqrt(3)
    if law == "rademacher":
        return torch.randint(0, 2, shape, generator=g).double() * 2 - 1
    nu = float(law[1:])
    rng = np.random.default_rng(int(torch.randint(0, 2 ** 31, (1,), generator=g)))
    return torch.from_numpy(rng.standard_t(nu, size=shape) * math.sqrt((nu - 2) / nu))


def ensemble(X: np.ndarray, act: Callable[[torch.Tensor], torch.Tensor], widths: Sequence[int], cw: Sequence[float],
             cb: Sequence[float], wlaw: str, blaw: str, members: int, seed: int = 0, chunk: int = 20_000,
             ntk: bool = False) -> dict[str, Any]:
    """Outputs, conditional covariance / fourth cumulant given the last hidden layer and (optionally) the NTK
    (standard parameterisation, rates 1/n_{l-1} on weights, 1 on biases, by autograd)."""
    g = torch.Generator().manual_seed(seed)
    Xt = torch.as_tensor(X, dtype=torch.float64)
    dims = [Xt.shape[1], *widths, 1]
    kw, kb = law_kurtosis(wlaw), law_kurtosis(blaw)
    out: dict[str, list[Any]] = {"z": [], "S": [], "Q": [], "ntk": []}
    for s in range(0, members, chunk):
        b = min(chunk, members - s)
        Ws = [(draw(wlaw, (b, dims[l], dims[l + 1]), g) * math.sqrt(cw[l] / dims[l])).requires_grad_(ntk)
              for l in range(len(dims) - 1)]
        bs = [(draw(blaw, (b, 1, dims[l + 1]), g) * math.sqrt(cb[l])).requires_grad_(ntk) for l in range(len(dims) - 1)]
        h = Xt.expand(b, *Xt.shape)
        for l in range(len(dims) - 1):
            z = h @ Ws[l] + bs[l]
            if l < len(dims) - 2:
                h = act(z)
        n = dims[-2]
        hd = h.detach()
        out["S"].append(cb[-1] + cw[-1] * hd @ hd.transpose(1, 2) / n)
        out["Q"].append(kw * cw[-1] ** 2 / n ** 2 * (hd ** 4).sum(-1) + kb * cb[-1] ** 2)
        out["z"].append(z.detach()[..., 0])
        if ntk:
            P = Xt.shape[0]
            grads = []
            for a in range(P):
                gr = torch.autograd.grad(z[:, a, 0].sum(), Ws + bs, retain_graph=True)
                grads.append([gw * math.sqrt(1.0 / dims[l]) for l, gw in enumerate(gr[:len(Ws)])] + list(gr[len(Ws):]))
            th = torch.zeros(b, P, P, dtype=torch.float64)
            for a in range(P):
                for c in range(P):
                    th[:, a, c] = sum((ga * gc).flatten(1).sum(1) for ga, gc in zip(grads[a], grads[c]))
            out["ntk"].append(th)
    res = {k: torch.cat(v).numpy() for k, v in out.items() if v}
    return res


def ratio_se(a: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """mean(a)/mean(s)^2 and its delta-method standard error."""
    n = a.size
    ma, ms = a.mean(), s.mean()
    g = np.array([1 / ms ** 2, -2 * ma / ms ** 3])
    return float(ma / ms ** 2), float(math.sqrt(g @ (np.cov(np.stack([a, s])) / n) @ g))
