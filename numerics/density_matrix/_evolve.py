r"""Batched Lindblad evolution with a rigorous error bound and work caps: the public entry points."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.density_matrix._convert import (
    back,
    check_density,
    check_hermitian,
    is_torch,
    matrix_list,
    pick_device,
    to_tensor,
    tolerance,
)
from numerics.density_matrix._propagator import propagate, propagator_cost, superop
from numerics.density_matrix._taylor import taylor, taylor_cost

__all__ = ["lindblad_evolve", "liouvillian_matrix", "DEFAULT_MAX_WORK", "DEFAULT_MAX_MEMORY"]

#: default cap on the work of one call: floating-point operations, each tensor operation's fixed cost counted
#: as 3e5 (about 100 s at a nominal 1e10 operations per second)
DEFAULT_MAX_WORK = 1e12
#: default cap on the memory of one call, in bytes (output included)
DEFAULT_MAX_MEMORY = float(4 * 2**30)
_METHODS = ("auto", "propagator", "taylor")
_DTYPES = (torch.complex64, torch.complex128)


def _prepare(H: Any, jump_ops: Any, rho0: Any | None, device: torch.device, dtype: torch.dtype,
             hermitian_tol: float, state_tol: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, bool]:
    Ht = to_tensor("H", H, device=device, dtype=dtype)
    if Ht.ndim not in (2, 3) or Ht.shape[-1] != Ht.shape[-2] or Ht.shape[-1] < 1:
        raise ValueError(f"H must have shape (N, N) or (B, N, N), got {tuple(Ht.shape)}")
    n = Ht.shape[-1]
    ops = matrix_list("jump_ops", jump_ops, allow_empty=True)
    Ls = [to_tensor(f"jump_ops[{k}]", L, device=device, dtype=dtype) for k, L in enumerate(ops)]
    r = None if rho0 is None else to_tensor("rho0", rho0, device=device, dtype=dtype)
    items = [("H", Ht)] + [(f"jump_ops[{k}]", L) for k, L in enumerate(Ls)] + ([("rho0", r)] if r is not None else [])
    sizes = set()
    for name, a in items:
        if a.ndim not in (2, 3) or tuple(a.shape[-2:]) != (n, n):
            raise ValueError(f"{name} must have shape ({n}, {n}) or (B, {n}, {n}) to match H, got {tuple(a.shape)}")
        if a.ndim == 3:
            sizes.add(a.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"batch sizes differ between H, jump_ops and rho0: {sorted(sizes)}")
    batched = bool(sizes)
    B = sizes.pop() if sizes else 1
    if B < 1:
        raise ValueError("batch size must be >= 1")
    Ht = Ht.expand(B, n, n) if Ht.ndim == 2 else Ht
    check_hermitian("H", Ht, hermitian_tol)
    Lst = torch.stack([L.expand(B, n, n) for L in Ls], 1) if Ls else torch.zeros(B, 0, n, n, dtype=dtype, device=device)
    if r is not None:
        r = r.expand(B, n, n).clone() if r.ndim == 2 else r
        check_density("rho0", r, state_tol)
    return Ht, Lst, r, batched


def _options(device: Any, dtype: Any, hermitian_tol: Any, state_tol: Any) -> tuple[float, float]:
    if not isinstance(dtype, torch.dtype) or dtype not in _DTYPES:
        raise TypeError(f"dtype must be torch.complex64 or torch.complex128; got {v.describe(dtype)}")
    if device is not None and not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a string or torch.device; got {v.describe(device)}")
    return tolerance(hermitian_tol, "hermitian_tol"), tolerance(state_tol, "state_tol")


def liouvillian_matrix(H: Any, jump_ops: Sequence[Any], *, device: str | torch.device | None = None,
                       dtype: torch.dtype = torch.complex128, hermitian_tol: float = 1e-10) -> Any:
    r"""Numeric Liouvillian superoperator in column stacking, batched.

    .. math::
        \mathcal L = -i(I\otimes H - H^T\otimes I) + \sum_k \bar L_k\otimes L_k
        - \tfrac12 I\otimes L_k^\dagger L_k - \tfrac12 (L_k^\dagger L_k)^T\otimes I

    so that :math:`\mathrm{vec}\,\dot\rho = \mathcal L\,\mathrm{vec}\,\rho` for the GKSL equation
    (Lindblad, Commun. Math. Phys. 48 (1976) 119; Gorini, Kossakowski & Sudarshan, J. Math. Phys. 17
    (1976) 821; Am-Shallem et al., arXiv:1510.08634, eq. 9).

    Parameters
    ----------
    H
        Hamiltonian, ``(N, N)`` or ``(B, N, N)``; Hermitian up to ``hermitian_tol``.
    jump_ops
        List or tuple of jump operators, each ``(N, N)`` or ``(B, N, N)``.
    device, dtype
        torch device (default: that of torch inputs, else CPU) and complex dtype.
    hermitian_tol
        Tolerance of the Hermiticity check (relative to ``max(1, max|H|)``).

    Returns
    -------
    array or tensor
        ``(N^2, N^2)`` or ``(B, N^2, N^2)``; numpy in -> numpy out, torch in -> torch out.

    Raises
    ------
    TypeError
        An argument of the wrong type.
    ValueError
        Shapes that do not match, non-finite entries, a non-Hermitian ``H``.
    """
    herm_tol, _ = _options(device, dtype, hermitian_tol, 1.0)
    dev = pick_device(H, jump_ops, device=device)
    Ht, Lst, _, batched = _prepare(H, jump_ops, None, dev, dtype, herm_tol, 1.0)
    out = superop(Ht, Lst)
    return back(out if batched else out[0], is_torch(H, jump_ops))


def _check_times(times: Any) -> np.ndarray:
    t = v.array(times, "times", ndim=1, min_size=1)
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")
    return t


def _grid(t: np.ndarray) -> tuple[bool, np.ndarray]:
    """(uniform, time error per output): the grid counts as uniform when all steps agree within 1e-12 relative;
    the solution is then computed at t_0 + k dt_0, and the time error is |t_k - t_0 - k dt_0| (plus its rounding);
    otherwise the steps fl(t_{k+1} - t_k) add up to t_k within u (t_k - t_0)."""
    dts = np.diff(t)
    u = np.finfo(float).eps / 2
    if dts.size and np.max(np.abs(dts - dts[0])) <= 1e-12 * abs(dts[0]):
        k = np.arange(t.size)
        dev = np.abs(t - t[0] - k * dts[0]) + 4 * u * (np.abs(t) + abs(t[0]) + k * abs(dts[0]))
        return True, dev
    return False, 2 * u * np.abs(t - t[0])


def lindblad_evolve(
    H: Any,
    jump_ops: Sequence[Any],
    rho0: Any,
    times: Any,
    *,
    atol: float = 1e-10,
    rtol: float = 1e-8,
    method: str = "auto",
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.complex128,
    hermitian_tol: float = 1e-10,
    state_tol: float = 1e-8,
    max_work: float = DEFAULT_MAX_WORK,
    max_memory: float = DEFAULT_MAX_MEMORY,
    return_info: bool = False,
) -> Any:
    r"""Evolve B density matrices under the Lindblad equation, as one batched tensor program, with an error bound.

    .. math::
        \dot\rho = -i[H,\rho] + \sum_k \Big(L_k\rho L_k^\dagger - \tfrac12\{L_k^\dagger L_k,\rho\}\Big)

    (Lindblad, Commun. Math. Phys. 48 (1976) 119; Gorini, Kossakowski & Sudarshan, J. Math. Phys. 17 (1976)
    821; Breuer & Petruccione, *The Theory of Open Quantum Systems*, 2002, sec. 3.2).

    * ``method="propagator"``: :math:`\mathrm{vec}\rho(t+\Delta) = e^{\mathcal L\Delta}\mathrm{vec}\rho(t)` with the
      column-stacked superoperator (:func:`liouvillian_matrix`): one exponential reused on a uniform grid,
      one per interval otherwise (computed a block at a time).  Exact up to rounding.
    * ``method="taylor"``: the generator in matrix form in a truncated Taylor series on substeps, terms added
      until a rigorous tail bound meets the tolerance (see ``_taylor``).
    * ``method="auto"``: the route with the smaller estimated work.

    Both routes return a running bound on the trace-norm error of every output,
    ``info["error_bound"]`` (shape ``(T,)``, maximum over the batch): truncation (Taylor), rounding
    (Higham 2002, ch. 3) and the time-grid error.  It bounds every matrix element and every expectation
    of an observable of unit operator norm, since :math:`|\mathrm{tr}(O\Delta)| \le \|O\|\,\|\Delta\|_{\rm tr}`.

    Before starting, the work (floating-point operations, plus a fixed 3e5 for each tensor operation's
    overhead) and the memory (bytes) are estimated; a call
    that would exceed ``max_work`` or ``max_memory`` raises ``ValueError`` naming the estimate and the knob.

    Parameters
    ----------
    H
        Hamiltonian, ``(N, N)`` or ``(B, N, N)``; Hermitian up to ``hermitian_tol`` (relative to ``max(1, max|H|)``).
    jump_ops
        List/tuple of jump operators, each ``(N, N)`` or ``(B, N, N)``.
    rho0
        Initial density matrix, ``(N, N)`` or ``(B, N, N)``: Hermitian, unit trace and PSD up to ``state_tol``.
    times
        Strictly increasing 1-d output times; ``times[0]`` is the initial time (the first output is ``rho0``).
    atol, rtol
        Taylor route: the truncation error of the whole run is at most
        ``atol + rtol * sqrt(N) * max ||rho||_F`` in trace norm.  Not used by the propagator.
    method
        ``"auto"``, ``"propagator"`` or ``"taylor"``.
    device, dtype
        torch device (default: that of torch inputs, else CPU) and complex dtype.
    hermitian_tol, state_tol
        Tolerances of the input checks.
    max_work, max_memory
        Caps on the estimated work and bytes (default 1e12, about 100 s at 1e10 operations per second,
        and 4 GiB); ``math.inf`` lifts a cap.
    return_info
        Also return a dict: method, ``error_bound``, ``work_estimate``, ``memory_estimate`` and
        route-specific counts.

    Returns
    -------
    array or tensor
        ``(T, N, N)`` (no batched input) or ``(B, T, N, N)``; numpy in -> numpy out, torch in -> torch out.
        QuTiP ``Qobj`` inputs are accepted (numpy output).

    Raises
    ------
    TypeError
        An argument of the wrong type.
    ValueError
        Bad shapes or values, inputs that are not Hermitian / not states, or a call over its caps.
    """
    v.choice(method, "method", _METHODS)
    atol = tolerance(atol, "atol")
    rtol = tolerance(rtol, "rtol")
    herm_tol, st_tol = _options(device, dtype, hermitian_tol, state_tol)
    max_work = v.real(max_work, "max_work", minimum=0.0, open_min=True, finite=False)
    max_memory = v.real(max_memory, "max_memory", minimum=0.0, open_min=True, finite=False)
    v.boolean(return_info, "return_info")
    if rho0 is None:
        raise TypeError("rho0 must be a density matrix (N, N) or a batch (B, N, N); got None")
    dev = pick_device(H, jump_ops, rho0, device=device)
    t = _check_times(times)
    Ht, Lst, r0, batched = _prepare(H, jump_ops, rho0, dev, dtype, herm_tol, st_tol)
    B, n, K = Ht.shape[0], Ht.shape[-1], Lst.shape[1]
    uniform, time_err = _grid(t)
    u = float(torch.finfo(Ht.real.dtype).eps) / 2
    with torch.no_grad():
        # trace-norm bound of the generator (Hoelder): nu_tr = 2||H||_2 + 2 sum ||L_k||_2^2; also bounds ||f||_F
        Kd = (Lst.conj().transpose(-1, -2) @ Lst).sum(1) if K else torch.zeros_like(Ht)
        nu_tr = 2 * torch.linalg.matrix_norm(Ht, ord=2).double()
        nu_f = 2 * torch.linalg.matrix_norm(Ht - 0.5j * Kd, ord=2).double()
        if K:
            l2 = (torch.linalg.matrix_norm(Lst, ord=2).double() ** 2).sum(1)
            nu_tr, nu_f = nu_tr + 2 * l2, nu_f + l2
        nu_sup = n * float(nu_tr.max())  # ||L||_1 <= N nu_tr (l1 <-> trace norm), for the squaring count
        costs = {"propagator": propagator_cost(B, n, K, t, nu_sup, uniform),
                 "taylor": taylor_cost(B, n, K, t, float(nu_f.max()), atol + rtol)[:2]}
        use = method if method != "auto" else min(costs, key=lambda m: costs[m][0])
        work, memory = costs[use]
        if work > max_work:
            raise ValueError(
                f"lindblad_evolve: the {use} route needs about {work:.3g} operations (flops + per-call overhead) "
                f"(N = {n}, B = {B}, {K} jump operators, {t.size} times, t_end - t_0 = {t[-1] - t[0]:.3g}, "
                f"generator norm {float(nu_f.max()):.3g}), over max_work = {max_work:.3g}; raise max_work "
                f"if this is intended" + ("" if method == "auto" else ", or use method='auto'"))
        if memory > max_memory:
            raise ValueError(
                f"lindblad_evolve: the {use} route needs about {memory / 2**30:.3g} GiB (output {B} x {t.size} "
                f"x {n} x {n} complex), over max_memory = {max_memory / 2**30:.3g} GiB; raise max_memory or "
                f"ask for fewer times or a smaller batch")
        if r0 is None:  # pragma: no cover - excluded above
            raise TypeError("rho0 is required")
        if use == "propagator":
            out, info = propagate(Ht, Lst, r0, t, uniform, u)
        else:
            out, info = taylor(Ht, Lst, r0, t, atol, rtol, u)
    bound = info["error_bound"].cpu().numpy().max(0) + float(nu_tr.max()) * time_err
    info.update({"error_bound": bound, "work_estimate": work, "memory_estimate": memory,
                 "generator_norm": float(nu_tr.max())})
    res = back(out if batched else out[0], is_torch(H, jump_ops, rho0))
    return (res, info) if return_info else res
