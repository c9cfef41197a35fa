r"""Channels, subsystems, information quantities and Born-rule sampling (numpy / torch, batched).

Functions of a *state* (purity, entropy, distances, Born probabilities) check that their inputs
are density matrices (Hermitian, positive semidefinite, unit trace, within ``tol``) and raise
``ValueError`` naming the property that fails; maps (channels, partial trace) accept any operator.
Results are new arrays, never views of the inputs.  References: Nielsen & Chuang, *Quantum
Computation and Quantum Information* (2000), sec. 2.2, 2.4, 8.2, 9.2, 11.3; Choi, Lin. Alg. Appl.
10 (1975) 285.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.density_matrix._convert import (
    back,
    check_density,
    check_hermitian,
    check_psd,
    is_torch,
    matrix_list,
    pick_device,
    to_tensor,
    tolerance,
)

__all__ = [
    "apply_kraus",
    "choi_matrix",
    "partial_trace",
    "purity",
    "von_neumann_entropy",
    "trace_distance",
    "fidelity",
    "born_probabilities",
    "sample_measurement",
]


def _stack_ops(name: str, ops: Sequence[Any], dev: torch.device) -> torch.Tensor:
    items = matrix_list(name, ops, allow_empty=False)
    ts = [to_tensor(f"{name}[{k}]", K, device=dev) for k, K in enumerate(items)]
    shape = ts[0].shape
    if any(t.shape != shape for t in ts) or len(shape) != 2:
        raise ValueError(f"{name} must all be 2-d with the same shape, got {[tuple(t.shape) for t in ts]}")
    return torch.stack(ts)


def _state(name: str, rho: Any, dev: torch.device, tol: float) -> torch.Tensor:
    r = to_tensor(name, rho, device=dev)
    check_density(name, r, tol)
    return r


def _out(t: torch.Tensor, as_torch: bool) -> Any:
    return back(t, as_torch) if t.ndim else float(t)


def apply_kraus(kraus: Sequence[Any], rho: Any) -> Any:
    r"""Operator-sum map :math:`\Phi(\rho) = \sum_k K_k\rho K_k^\dagger` (Nielsen & Chuang eq. 8.11).

    Parameters
    ----------
    kraus
        Non-empty list of ``(d_out, d)`` Kraus operators (all the same shape).
    rho
        An operator ``(d, d)`` or a batch ``(..., d, d)`` (any operator: the map is linear).

    Returns
    -------
    array or tensor
        ``(..., d_out, d_out)``.
    """
    dev = pick_device(kraus, rho)
    Ks = _stack_ops("kraus", kraus, dev)
    r = to_tensor("rho", rho, device=dev)
    if r.ndim < 2 or r.shape[-1] != r.shape[-2] or r.shape[-1] != Ks.shape[-1]:
        raise ValueError(f"rho must be (..., {Ks.shape[-1]}, {Ks.shape[-1]}), got {tuple(r.shape)}")
    out = (Ks @ r.unsqueeze(-3) @ Ks.conj().transpose(-1, -2)).sum(-3)
    return back(out, is_torch(kraus, rho))


def choi_matrix(kraus: Sequence[Any]) -> Any:
    r"""Choi matrix :math:`J = \sum_{ij}|i\rangle\langle j|\otimes\Phi(|i\rangle\langle j|)`.

    The map is completely positive iff :math:`J\succeq0` and trace preserving iff :math:`\mathrm{tr}_2 J = I`
    (Choi, Lin. Alg. Appl. 10 (1975) 285, thm. 2).

    Parameters
    ----------
    kraus
        Non-empty list of ``(d_out, d)`` Kraus operators.

    Returns
    -------
    array or tensor
        ``(d d_out, d d_out)``.
    """
    dev = pick_device(kraus)
    Ks = _stack_ops("kraus", kraus, dev)
    d = Ks.shape[-1]
    # J_{(i,a),(j,b)} = sum_k K_k[a,i] conj(K_k[b,j])
    w = Ks.transpose(-1, -2).reshape(Ks.shape[0], d * Ks.shape[-2])
    J = w.T @ w.conj()
    return back(J, is_torch(kraus))


def partial_trace(rho: Any, dims: Sequence[int], keep: Sequence[int]) -> Any:
    r"""Partial trace keeping the subsystems ``keep`` of an operator on :math:`\bigotimes_k\mathbb C^{d_k}`.

    :math:`(\mathrm{tr}_B\rho)_{ij} = \sum_k\rho_{(i,k),(j,k)}`, first factor most significant (Nielsen &
    Chuang sec. 2.4.3); batched over up to 4 leading axes.

    Parameters
    ----------
    rho
        ``(..., D, D)`` with ``D = prod(dims)`` (any operator).
    dims
        Subsystem dimensions (positive integers).
    keep
        Indices of the kept subsystems (distinct; may be empty: then the result is the ``1 x 1`` trace).

    Returns
    -------
    array or tensor
        ``(..., d_keep, d_keep)``, a new array.
    """
    dev = pick_device(rho)
    r = to_tensor("rho", rho, device=dev)
    dims_t = v.integers(dims, "dims", minimum=1)
    keep_t = v.integers(keep, "keep", minimum=0, maximum=len(dims_t) - 1, min_length=0)
    if len(set(keep_t)) != len(keep_t):
        raise ValueError(f"keep must not repeat a subsystem; got {keep_t}")
    D = int(np.prod(dims_t))
    if r.ndim < 2 or r.shape[-1] != D or r.shape[-2] != D:
        raise ValueError(f"rho must be (..., {D}, {D}) for dims {list(dims_t)}, got {tuple(r.shape)}")
    kept = sorted(keep_t)
    lead = r.shape[:-2]
    m = len(dims_t)
    nl = len(lead)
    if nl > 4:
        raise ValueError(f"rho may have at most 4 batch axes; got shape {tuple(r.shape)}")
    x = r.reshape(*lead, *dims_t, *dims_t)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if 2 * m + nl > len(letters):
        raise ValueError(f"too many subsystems ({m})")
    row = [letters[i] for i in range(m)]
    col = [letters[m + i] if i in kept else letters[i] for i in range(m)]
    L = "".join(letters[2 * m + i] for i in range(nl))
    out_sub = L + "".join(row[i] for i in kept) + "".join(col[i] for i in kept)
    y = torch.einsum(f"{L}{''.join(row)}{''.join(col)}->{out_sub}", x)
    dk = int(np.prod([dims_t[i] for i in kept])) if kept else 1
    return back(y.reshape(*lead, dk, dk).clone(), is_torch(rho))


def purity(rho: Any, *, tol: float = 1e-8) -> Any:
    r"""Purity :math:`\mathrm{tr}\rho^2 = \sum_{ij}|\rho_{ij}|^2` of a state (batched; Nielsen & Chuang exercise 2.71).

    Parameters
    ----------
    rho
        Density matrix ``(d, d)`` or a batch ``(..., d, d)``.
    tol
        Tolerance of the state check (Hermitian, unit trace, PSD).

    Returns
    -------
    float or array
        One purity per state, in :math:`[1/d, 1]`.

    Raises
    ------
    ValueError
        ``rho`` is not a density matrix within ``tol`` (the message names the property).
    """
    r = _state("rho", rho, pick_device(rho), tolerance(tol, "tol"))
    return _out((r.abs() ** 2).sum((-1, -2)).real, is_torch(rho))


def von_neumann_entropy(rho: Any, *, cutoff: float = 1e-12, tol: float = 1e-8) -> Any:
    r"""Von Neumann entropy :math:`S = -\sum_i\lambda_i\ln\lambda_i` in nats of a state (batched).

    Eigenvalues within ``cutoff`` of 0 or of 1 contribute exactly 0, so pure states give 0 and never NaN
    (:math:`\lim_{\lambda\to0}\lambda\ln\lambda = 0`; Nielsen & Chuang sec. 11.3); the neglected contribution
    is at most :math:`d\,c\,|\ln c|` (``c`` the cutoff).

    Parameters
    ----------
    rho
        Density matrix ``(d, d)`` or a batch ``(..., d, d)``.
    cutoff
        Eigenvalue cut-off in ``(0, 1)``.
    tol
        Tolerance of the state check.

    Returns
    -------
    float or array
        Entropies in nats, in :math:`[0, \ln d]`.

    Raises
    ------
    ValueError
        ``rho`` is not a density matrix within ``tol`` (a non-PSD matrix has no entropy).
    """
    c = v.real(cutoff, "cutoff", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    r = _state("rho", rho, pick_device(rho), tolerance(tol, "tol"))
    lam = torch.linalg.eigvalsh((r + r.conj().transpose(-1, -2)) / 2)
    use = (lam > c) & ((1 - lam).abs() > c)
    safe = torch.where(use, lam, torch.ones_like(lam))
    out = (-(torch.where(use, lam * torch.log(safe), torch.zeros_like(lam))).sum(-1)).clamp(min=0)
    return _out(out, is_torch(rho))


def trace_distance(rho: Any, sigma: Any, *, tol: float = 1e-8) -> Any:
    r"""Trace distance :math:`\tfrac12\|\rho-\sigma\|_1` of two states (Nielsen & Chuang eq. 9.11), batched.

    Parameters
    ----------
    rho, sigma
        Density matrices of one shape ``(..., d, d)``.
    tol
        Tolerance of the state checks.

    Returns
    -------
    float or array
        Distances in :math:`[0, 1]`.

    Raises
    ------
    ValueError
        An input is not a density matrix within ``tol``.
    """
    dev = pick_device(rho, sigma)
    tl = tolerance(tol, "tol")
    d = _state("rho", rho, dev, tl) - _state("sigma", sigma, dev, tl)
    out = 0.5 * torch.linalg.eigvalsh((d + d.conj().transpose(-1, -2)) / 2).abs().sum(-1)
    return _out(out, is_torch(rho, sigma))


def _psd_sqrt(r: torch.Tensor) -> torch.Tensor:
    lam, V = torch.linalg.eigh((r + r.conj().transpose(-1, -2)) / 2)
    return (V * lam.clamp(min=0).sqrt().unsqueeze(-2).to(V.dtype)) @ V.conj().transpose(-1, -2)


def fidelity(rho: Any, sigma: Any, *, tol: float = 1e-8) -> Any:
    r"""Uhlmann fidelity :math:`F = (\mathrm{tr}\sqrt{\sqrt\rho\,\sigma\sqrt\rho})^2` of two states (Nielsen & Chuang
    eq. 9.53, squared convention; Uhlmann, Rep. Math. Phys. 9 (1976) 273), batched; :math:`0 \le F \le 1`.

    Parameters
    ----------
    rho, sigma
        Density matrices of one shape ``(..., d, d)``.
    tol
        Tolerance of the state checks.

    Returns
    -------
    float or array

    Raises
    ------
    ValueError
        An input is not a density matrix within ``tol`` (``fidelity(I, I/2)`` used to return 2).
    """
    dev = pick_device(rho, sigma)
    tl = tolerance(tol, "tol")
    r, s = _state("rho", rho, dev, tl), _state("sigma", sigma, dev, tl)
    sr = _psd_sqrt(r)
    M = sr @ s @ sr
    lam = torch.linalg.eigvalsh((M + M.conj().transpose(-1, -2)) / 2).clamp(min=0)
    return _out(lam.sqrt().sum(-1) ** 2, is_torch(rho, sigma))


def born_probabilities(rho: Any, effects: Sequence[Any], *, tol: float = 1e-8) -> Any:
    r"""Born rule :math:`p_k = \mathrm{tr}(E_k\rho)` for a state and a POVM :math:`\{E_k\}` (Nielsen & Chuang sec. 2.2.6).

    ``rho`` must be a density matrix and every :math:`E_k` Hermitian and PSD with :math:`\sum_k E_k = I`, each within
    ``tol``.

    Parameters
    ----------
    rho
        Density matrix ``(d, d)`` or a batch ``(..., d, d)``.
    effects
        The POVM elements, a non-empty list of ``(d, d)`` matrices.
    tol
        Tolerance of the state and POVM checks.

    Returns
    -------
    array or tensor
        ``(..., K)`` probabilities.

    Raises
    ------
    ValueError
        The state or the POVM fails a check (the message names the property).
    """
    dev = pick_device(rho, effects)
    tl = tolerance(tol, "tol")
    E = _stack_ops("effects", effects, dev)
    r = _state("rho", rho, dev, tl)
    if E.shape[-1] != E.shape[-2] or E.shape[-1] != r.shape[-1]:
        raise ValueError(f"effects must be ({r.shape[-1]}, {r.shape[-1]}); got {tuple(E.shape[1:])}")
    check_hermitian("effects", E, tl)
    check_psd("effects", E, tl)
    tot = E.sum(0)
    if float((tot - torch.eye(tot.shape[-1], dtype=tot.dtype, device=dev)).abs().max()) > tl:
        raise ValueError(f"effects must sum to the identity (within {tl:g})")
    p = torch.einsum("kij,...ji->...k", E, r).real
    return back(p, is_torch(rho, effects))


def sample_measurement(rho: Any, effects: Sequence[Any], shots: int, *, seed: int | np.random.Generator,
                       tol: float = 1e-8) -> np.ndarray:
    r"""Sample ``shots`` outcomes of the POVM ``effects`` on one state by the Born rule; returns outcome indices.

    Probabilities from :func:`born_probabilities` (which checks the state and the POVM); rounding
    negatives within ``tol`` are clipped (Nielsen & Chuang sec. 2.2.6).

    Parameters
    ----------
    rho
        One density matrix ``(d, d)``.
    effects
        The POVM elements.
    shots
        Number of outcomes (an integer >= 1).
    seed
        A non-negative integer seed or a ``numpy.random.Generator``.
    tol
        Tolerance of the checks.

    Returns
    -------
    numpy.ndarray
        ``(shots,)`` outcome indices.

    Raises
    ------
    TypeError, ValueError
        Bad arguments, or a state / POVM that fails a check.
    """
    shots = v.integer(shots, "shots", minimum=1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(v.seed(seed))
    p = np.asarray(born_probabilities(rho if not isinstance(rho, torch.Tensor) else rho.detach().cpu().numpy(),
                                      [e.detach().cpu().numpy() if isinstance(e, torch.Tensor) else e
                                       for e in matrix_list("effects", effects, allow_empty=False)], tol=tol))
    if p.ndim != 1:
        raise ValueError("sample_measurement takes one state (a 2-d rho)")
    p = np.clip(p, 0, None)
    return rng.choice(p.size, size=shots, p=p / p.sum())
