"""Channels, subsystems, information quantities and Born-rule sampling (numpy / torch, batched)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics.estimate import as_generator
from numerics.density_matrix._convert import back, is_torch, pick_device, to_tensor

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
    if isinstance(ops, (str, bytes)) or not isinstance(ops, (list, tuple)) or len(ops) == 0:
        raise TypeError(f"{name} must be a non-empty list/tuple of matrices")
    ts = [to_tensor(f"{name}[{k}]", K, device=dev) for k, K in enumerate(ops)]
    shape = ts[0].shape
    if any(t.shape != shape for t in ts) or len(shape) != 2:
        raise ValueError(f"{name} must all be 2-d with the same shape, got {[tuple(t.shape) for t in ts]}")
    return torch.stack(ts)


def apply_kraus(kraus: Sequence[Any], rho: Any) -> Any:
    r"""Operator-sum channel :math:`\Phi(\rho) = \sum_k K_k\rho K_k^\dagger` (Nielsen & Chuang eq. 8.11).

    ``rho`` is ``(d, d)`` or batched ``(..., d, d)``; Kraus operators are ``(d_out, d)``.
    """
    dev = pick_device(kraus, rho)
    Ks = _stack_ops("kraus", kraus, dev)
    r = to_tensor("rho", rho, device=dev)
    if r.ndim < 2 or r.shape[-1] != r.shape[-2] or r.shape[-1] != Ks.shape[-1]:
        raise ValueError(f"rho must be (..., {Ks.shape[-1]}, {Ks.shape[-1]}), got {tuple(r.shape)}")
    out = (Ks @ r.unsqueeze(-3) @ Ks.conj().transpose(-1, -2)).sum(-3)
    return back(out, is_torch(kraus, rho))


def choi_matrix(kraus: Sequence[Any]) -> Any:
    r"""Choi matrix :math:`J = \sum_{ij}|i\rangle\langle j|\otimes\Phi(|i\rangle\langle j|)`; the channel is completely
    positive iff :math:`J\succeq0` (Choi, Lin. Alg. Appl. 10 (1975) 285)."""
    dev = pick_device(kraus)
    Ks = _stack_ops("kraus", kraus, dev)
    d = Ks.shape[-1]
    # |K>> = vec_row(K) stacked: J = sum_k |K_k>><<K_k| with (i, a) ordering: J_{(i,a),(j,b)} = sum_k K_k[a,i] conj(K_k[b,j])
    v = Ks.transpose(-1, -2).reshape(Ks.shape[0], d * Ks.shape[-2])
    J = v.T @ v.conj()
    return back(J, is_torch(kraus))


def partial_trace(rho: Any, dims: Sequence[int], keep: Sequence[int]) -> Any:
    r"""Partial trace keeping subsystems ``keep`` (first factor most significant; Nielsen & Chuang sec. 2.4.3).
    Batched over leading axes."""
    dev = pick_device(rho)
    r = to_tensor("rho", rho, device=dev)
    dims = [int(d) for d in dims]
    D = int(np.prod(dims)) if dims else 0
    if any(d < 1 for d in dims) or r.ndim < 2 or r.shape[-1] != D or r.shape[-2] != D:
        raise ValueError(f"rho must be (..., {D}, {D}) for dims {dims}, got {tuple(r.shape)}")
    keep = sorted(set(int(k) for k in keep))
    if any(not 0 <= k < len(dims) for k in keep):
        raise ValueError(f"keep must index dims (0..{len(dims) - 1}), got {keep}")
    lead = r.shape[:-2]
    m = len(dims)
    x = r.reshape(*lead, *dims, *dims)
    nl = len(lead)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    row = [letters[i] for i in range(m)]
    col = [letters[m + i] if i in keep else letters[i] for i in range(m)]
    L = "".join(letters[2 * m + i] for i in range(nl)) if nl <= 4 else None
    if L is None:
        raise ValueError("at most 4 batch axes")
    out_sub = L + "".join(row[i] for i in keep) + "".join(col[i] for i in keep)
    y = torch.einsum(f"{L}{''.join(row)}{''.join(col)}->{out_sub}", x)
    dk = int(np.prod([dims[i] for i in keep])) if keep else 1
    return back(y.reshape(*lead, dk, dk), is_torch(rho))


def purity(rho: Any) -> Any:
    r"""Purity :math:`\mathrm{tr}\rho^2 = \sum_{ij}|\rho_{ij}|^2` for Hermitian :math:`\rho` (batched)."""
    r = to_tensor("rho", rho, device=pick_device(rho))
    out = (r.abs() ** 2).sum((-1, -2)).real
    return back(out, is_torch(rho)) if out.ndim else float(out)


def von_neumann_entropy(rho: Any, *, cutoff: float = 1e-12) -> Any:
    r"""Von Neumann entropy :math:`S = -\sum_i\lambda_i\ln\lambda_i` in nats (batched).

    Eigenvalues below ``cutoff`` (rounding noise of a rank-deficient state) contribute 0, so pure
    states give exactly 0 and never NaN (:math:`\lim_{\lambda\to0}\lambda\ln\lambda = 0`;
    Nielsen & Chuang sec. 11.3).  The neglected contribution is at most :math:`d\cdot c\,|\ln c|`.
    """
    if not (isinstance(cutoff, float) and 0 < cutoff < 1):
        raise ValueError(f"cutoff must be a float in (0, 1), got {cutoff!r}")
    r = to_tensor("rho", rho, device=pick_device(rho))
    lam = torch.linalg.eigvalsh((r + r.conj().transpose(-1, -2)) / 2)
    # eigenvalues within ``cutoff`` of 0 or of 1 contribute exactly 0 (so a pure state gives 0.0)
    use = (lam > cutoff) & ((1 - lam).abs() > cutoff)
    safe = torch.where(use, lam, torch.ones_like(lam))
    out = (-(torch.where(use, lam * torch.log(safe), torch.zeros_like(lam))).sum(-1)).clamp(min=0)
    return back(out, is_torch(rho)) if out.ndim else float(out)


def trace_distance(rho: Any, sigma: Any) -> Any:
    r"""Trace distance :math:`\tfrac12\|\rho-\sigma\|_1` (Nielsen & Chuang eq. 9.11), batched."""
    dev = pick_device(rho, sigma)
    d = to_tensor("rho", rho, device=dev) - to_tensor("sigma", sigma, device=dev)
    out = 0.5 * torch.linalg.eigvalsh((d + d.conj().transpose(-1, -2)) / 2).abs().sum(-1)
    return back(out, is_torch(rho, sigma)) if out.ndim else float(out)


def _psd_sqrt(r: torch.Tensor) -> torch.Tensor:
    lam, V = torch.linalg.eigh((r + r.conj().transpose(-1, -2)) / 2)
    return (V * lam.clamp(min=0).sqrt().unsqueeze(-2).to(V.dtype)) @ V.conj().transpose(-1, -2)


def fidelity(rho: Any, sigma: Any) -> Any:
    r"""Uhlmann fidelity :math:`F = (\mathrm{tr}\sqrt{\sqrt\rho\,\sigma\sqrt\rho})^2` (Nielsen & Chuang eq. 9.53 squared),
    batched; negative rounding eigenvalues are clipped to 0."""
    dev = pick_device(rho, sigma)
    r, s = to_tensor("rho", rho, device=dev), to_tensor("sigma", sigma, device=dev)
    sr = _psd_sqrt(r)
    M = sr @ s @ sr
    lam = torch.linalg.eigvalsh((M + M.conj().transpose(-1, -2)) / 2).clamp(min=0)
    out = lam.sqrt().sum(-1) ** 2
    return back(out, is_torch(rho, sigma)) if out.ndim else float(out)


def born_probabilities(rho: Any, effects: Sequence[Any]) -> Any:
    r"""Born rule :math:`p_k = \mathrm{tr}(E_k\rho)` for a POVM :math:`\{E_k\}` (real part; Nielsen & Chuang sec. 2.2.6)."""
    dev = pick_device(rho, effects)
    E = _stack_ops("effects", effects, dev)
    r = to_tensor("rho", rho, device=dev)
    tot = E.sum(0)
    if not torch.allclose(tot, torch.eye(tot.shape[-1], dtype=tot.dtype, device=dev), atol=1e-10):
        raise ValueError("effects must sum to the identity (within 1e-10)")
    p = torch.einsum("kij,...ji->...k", E, r).real
    return back(p, is_torch(rho, effects))


def sample_measurement(rho: Any, effects: Sequence[Any], shots: int, *, seed: int | np.random.Generator) -> np.ndarray:
    r"""Sample ``shots`` outcomes of the POVM ``effects`` on ``rho`` by the Born rule; returns outcome indices.

    Probabilities from :func:`born_probabilities`; rounding negatives (> -1e-12) are clipped and a
    larger negative one raises (``rho`` not PSD).  Randomness from an explicit seed / Generator.
    """
    if not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ValueError(f"shots must be an int >= 1, got {shots!r}")
    p = np.asarray(born_probabilities(rho if not isinstance(rho, torch.Tensor) else rho.detach().cpu().numpy(),
                                      [e.detach().cpu().numpy() if isinstance(e, torch.Tensor) else e for e in effects]))
    if p.ndim != 1:
        raise ValueError("sample_measurement takes one state (2-d rho)")
    if np.any(p < -1e-12):
        raise ValueError(f"negative Born probability {p.min():.3g}: rho is not a density matrix")
    p = np.clip(p, 0, None)
    p = p / p.sum()
    return as_generator(seed).choice(p.size, size=int(shots), p=p)
