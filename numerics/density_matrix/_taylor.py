r"""The Taylor route of :func:`lindblad_evolve`: the generator applied in matrix form, with error control.

The generator acts on a Hermitian :math:`X` as
:math:`f(X) = AX + (AX)^\dagger + \sum_k L_k X L_k^\dagger` with :math:`A = -iH_{\rm eff} = -i(H - \tfrac i2\sum_k L_k^\dagger L_k)`
(Breuer & Petruccione 2002, sec. 3.2); the :math:`N^2\times N^2` superoperator is never built.  One substep
:math:`h` sums the Taylor series of :math:`e^{hf}` (Al-Mohy & Higham, SIAM J. Sci. Comput. 33 (2011) 488)
with :math:`h\nu_F \le \theta = 4`, :math:`\nu_F = 2\|A\|_2 + \sum_k\|L_k\|_2^2` (so
:math:`\|f(Y)\|_F \le \nu_F\|Y\|_F` for every :math:`Y`).

Error control, per substep, in Frobenius norm (converted to trace norm by :math:`\sqrt N`):

* truncation after term :math:`J`: the exact terms obey :math:`\|T_{J+i}\|_F \le \|T_J\|_F r^i` with
  :math:`r = h\nu_F/(J+1) < 1`, so the tail is at most :math:`(\|\hat T_J\|_F + e_J)\,r/(1-r)`; terms are
  added until it is below the substep's share of the tolerance;
* rounding (Higham 2002, sec. 3.5-3.6): computing :math:`f` costs at most
  :math:`\tilde\gamma_{2N+K+2}\,\nu_{\rm abs}\|Y\|_F` with :math:`\nu_{\rm abs} = 2\|A\|_F + \sum_k\|L_k\|_F^2`, so the error
  of term :math:`j` obeys :math:`e_j \le \tfrac hj(\nu_F e_{j-1} + \tilde\gamma\,\nu_{\rm abs}\|\hat T_{j-1}\|_F) + 3u\|\hat T_j\|_F`
  (each term is replaced by its Hermitian part, which the exact term is, so that :math:`f` is applied only
  to Hermitian matrices, where it is the generator; on anti-Hermitian rounding errors the matrix form
  would not be contractive),
  and each addition to the sum costs :math:`u\|\hat S_j\|_F`;
* the rounding of :math:`A` itself perturbs the generator by at most
  :math:`\delta = 2\tilde\gamma_{NK+1}(\|H\|_F + \tfrac12\sum_k\|L_k\|_F^2)` in trace norm, which costs
  :math:`h\delta e^{h\delta}\|\hat X\|_{\rm tr}` per substep (Duhamel's formula).

The exact flow is trace-norm contractive, so the bound at an output time is the sum of the local
bounds before it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch

from numerics.density_matrix._propagator import OP_OVERHEAD, gamma

__all__ = ["taylor", "taylor_cost", "THETA", "MAX_TERMS"]

THETA = 4.0
MAX_TERMS = 80


def _terms_needed(theta: np.ndarray, rel_tol: np.ndarray) -> np.ndarray:
    """Smallest J with theta^J / J! * r / (1 - r) <= rel_tol, r = theta / (J + 1) < 1 (a-priori term counts)."""
    J = np.full(theta.shape, MAX_TERMS)
    term = np.ones(theta.shape)
    done = np.zeros(theta.shape, bool)
    for j in range(1, MAX_TERMS + 1):
        term = term * theta / j
        r = theta / (j + 1)
        ok = ~done & (r < 1) & (term * r / np.maximum(1 - r, 1e-300) <= rel_tol)
        J[ok] = j
        done |= ok
        if done.all():
            break
    return J


def taylor_cost(B: int, n: int, K: int, t: np.ndarray, norm_bound: float, tol: float) -> tuple[float, float, int]:
    r"""(work, bytes, substeps) of the Taylor route, estimated before it starts.

    Substeps :math:`\lceil\Delta t_k\nu_F/\theta\rceil` per interval, of size :math:`h_k`; terms per substep
    :math:`J_k` from the tail bound at :math:`h_k\nu_F` and the substep's share of the tolerance; each term costs
    :math:`8(1+2K)N^3` flops per batch member plus :data:`OP_OVERHEAD` for each of its about 30 tensor
    operations (10 more per substep).  Memory: the output :math:`16BTN^2` bytes plus :math:`16B(K+8)N^2`.
    """
    dts = np.diff(t)
    if dts.size == 0:
        return 0.0, 16.0 * B * t.size * n * n, 0
    span = float(t[-1] - t[0])
    steps = np.maximum(1, np.ceil(dts * norm_bound / THETA))
    h = dts / steps
    J = _terms_needed(h * norm_bound, np.maximum(tol * h / span / math.sqrt(n), 1e-300))
    per_term = B * 8.0 * (1 + 2 * K) * n**3 + 30 * OP_OVERHEAD
    work = float(np.sum(steps * (J * per_term + 10 * OP_OVERHEAD)))
    memory = 16.0 * B * t.size * n * n + 16.0 * B * (K + 8) * n * n
    return work, memory, int(steps.sum())


def taylor(Ht: torch.Tensor, Lst: torch.Tensor, r0: torch.Tensor, t: np.ndarray, atol: float, rtol: float,
           u: float) -> tuple[torch.Tensor, dict[str, Any]]:
    r"""Evolve with the Taylor route; ``info["error_bound"]`` (shape ``(B, T)``) bounds the trace-norm error.

    Substeps stop adding terms when :math:`\sqrt N\times` the tail bound is below
    :math:`(\mathrm{atol} + \mathrm{rtol}\sqrt N\|\hat X\|_F)\,h/(t_{\rm end}-t_0)`, so the truncation error of the
    whole run is at most :math:`\mathrm{atol} + \mathrm{rtol}\sqrt N\max\|\hat\rho\|_F` in trace norm; the
    rounding bounds of the module docstring are added to it.
    """
    B, n = Ht.shape[0], Ht.shape[-1]
    K = Lst.shape[1]
    rdt = torch.float64
    Kd = (Lst.conj().transpose(-1, -2) @ Lst).sum(1) if K else torch.zeros_like(Ht)
    A = -1j * (Ht - 0.5j * Kd)
    Ld = Lst.conj().transpose(-1, -2)

    def f(X: torch.Tensor) -> torch.Tensor:
        AX = A @ X
        Y = AX + AX.conj().transpose(-1, -2)
        if K:
            Y = Y + (Lst @ X.unsqueeze(1) @ Ld).sum(1)
        return Y

    def fro(X: torch.Tensor) -> torch.Tensor:
        return torch.linalg.matrix_norm(X).to(rdt)

    nu = 2 * torch.linalg.matrix_norm(A, ord=2).to(rdt)
    nu_abs = 2 * fro(A)
    lf2 = torch.zeros(B, dtype=rdt, device=Ht.device)
    if K:
        nu = nu + (torch.linalg.matrix_norm(Lst, ord=2).to(rdt) ** 2).sum(1)
        lf2 = (torch.linalg.matrix_norm(Lst).to(rdt) ** 2).sum(1)
        nu_abs = nu_abs + lf2
    g_f = gamma(2 * n + K + 2, u)
    delta = 2 * gamma(n * K + 1, u) * (fro(Ht) + 0.5 * lf2)
    sqn = math.sqrt(n)
    nbound = float(nu.max())
    out = torch.empty(B, t.size, n, n, dtype=Ht.dtype, device=Ht.device)
    out[:, 0] = r0
    bound = torch.zeros(B, t.size, dtype=rdt, device=Ht.device)
    acc = torch.zeros(B, dtype=rdt, device=Ht.device)
    X = r0.clone()
    span = float(t[-1] - t[0]) if t.size > 1 else 1.0
    evals, substeps, worst = 0, 0, 0.0
    for k in range(t.size - 1):
        dT = float(t[k + 1] - t[k])
        steps = max(1, math.ceil(dT * nbound / THETA))
        h = dT / steps
        for _ in range(steps):
            S = X.clone()
            T = X
            nX = fro(X)
            local_tol = (atol + rtol * sqn * nX) * (h / span)
            e_prev = torch.zeros(B, dtype=rdt, device=Ht.device)
            e_sum = torch.zeros(B, dtype=rdt, device=Ht.device)
            s_err = torch.zeros(B, dtype=rdt, device=Ht.device)
            nT_prev = nX
            for j in range(1, MAX_TERMS + 1):
                Y = f(T) * (h / j)
                T = (Y + Y.conj().transpose(-1, -2)) / 2  # Hermitian part: f is the generator only on Hermitian input
                evals += 1
                S = S + T
                nT = fro(T)
                e_j = (h / j) * (nu * e_prev + g_f * nu_abs * nT_prev) + 3 * u * nT
                e_sum = e_sum + e_j
                s_err = s_err + u * fro(S)
                r = h * nu / (j + 1)
                tail = torch.where(r < 1, (nT + e_j) * r / (1 - r).clamp(min=1e-300), torch.full_like(r, math.inf))
                e_prev, nT_prev = e_j, nT
                if bool((sqn * tail <= local_tol).all()):
                    break
            else:
                worst = max(worst, float((sqn * tail / local_tol).max()))
            hd = h * delta
            acc = acc + sqn * (e_sum + s_err + tail) + hd * torch.exp(hd) * sqn * nX
            X = S
            substeps += 1
        out[:, k + 1] = X
        bound[:, k + 1] = acc
    if worst > 0:
        warnings.warn(f"lindblad_evolve: Taylor series did not reach the tolerance in {MAX_TERMS} terms "
                      f"(tail {worst:.3g} times its share); the error bound includes the tail", RuntimeWarning,
                      stacklevel=3)
    return out, {"method": "taylor", "rhs_evaluations": evals, "substeps": substeps, "norm_bound": nbound,
                 "error_bound": bound}
