"""Subsystems, information quantities, channels (Kraus, Choi) and measurements, symbolically.

References: Nielsen & Chuang, *Quantum Computation and Quantum Information* (2000),
sec. 2.4 (density operators, partial trace), 8.2 (operator-sum representation),
9.2 (fidelity), 11.3 (von Neumann entropy); Choi, Lin. Alg. Appl. 10 (1975) 285.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = [
    "partial_trace",
    "purity",
    "von_neumann_entropy",
    "fidelity",
    "apply_kraus",
    "choi_matrix",
    "projective_measurement",
    "povm_probabilities",
    "schmidt_state",
    "entanglement_entropy",
]


def _sq(name: str, A: object) -> sp.Matrix:
    M = sp.Matrix(A)
    if M.rows != M.cols:
        raise ValueError(f"{name} must be square, got shape {M.shape}")
    return M


def partial_trace(rho: object, dims: Sequence[int], keep: Sequence[int]) -> sp.Matrix:
    r"""Partial trace keeping the subsystems ``keep`` of a state on :math:`\bigotimes_k \mathbb C^{d_k}`.

    :math:`(\mathrm{tr}_B\rho)_{ij} = \sum_k \rho_{(i,k),(j,k)}` with the first factor most
    significant (Nielsen & Chuang sec. 2.4.3).
    """
    rho = _sq("rho", rho)
    dims = [int(d) for d in dims]
    if any(d < 1 for d in dims):
        raise ValueError(f"dims must be positive ints, got {dims}")
    D = 1
    for d in dims:
        D *= d
    if D != rho.rows:
        raise ValueError(f"prod(dims) = {D} must equal the size of rho {rho.rows}")
    keep = sorted(set(int(k) for k in keep))
    if any(not 0 <= k < len(dims) for k in keep):
        raise ValueError(f"keep must index dims (0..{len(dims) - 1}), got {keep}")
    import itertools

    idx = list(itertools.product(*[range(d) for d in dims]))
    pos = {t: a for a, t in enumerate(idx)}
    kd = [dims[k] for k in keep]
    out_idx = list(itertools.product(*[range(d) for d in kd]))
    trace_over = [k for k in range(len(dims)) if k not in keep]
    rest = list(itertools.product(*[range(dims[k]) for k in trace_over]))
    n = len(out_idx)
    out = sp.zeros(n, n)

    def full(o: tuple[int, ...], r: tuple[int, ...]) -> tuple[int, ...]:
        t = [0] * len(dims)
        for k, v in zip(keep, o):
            t[k] = v
        for k, v in zip(trace_over, r):
            t[k] = v
        return tuple(t)

    for a, oa in enumerate(out_idx):
        for b, ob in enumerate(out_idx):
            out[a, b] = sum((rho[pos[full(oa, r)], pos[full(ob, r)]] for r in rest), sp.S.Zero)
    return out


def purity(rho: object) -> sp.Expr:
    r"""Purity :math:`\mathrm{tr}\,\rho^2` (1 for pure states, :math:`1/d` for the maximally mixed one)."""
    rho = _sq("rho", rho)
    return sp.simplify((rho * rho).trace())


def von_neumann_entropy(rho: object) -> sp.Expr:
    r"""Von Neumann entropy :math:`S(\rho) = -\sum_i \lambda_i \ln\lambda_i` (nats; :math:`0\ln 0 = 0`).

    Eigenvalues by ``sympy``; Nielsen & Chuang sec. 11.3.
    """
    rho = _sq("rho", rho)
    S = sp.S.Zero
    for lam, mult in rho.eigenvals().items():
        lam = sp.simplify(lam)
        if lam == 0:
            continue
        S -= mult * lam * sp.log(lam)
    return sp.simplify(S)


def fidelity(rho: object, sigma: object) -> sp.Expr:
    r"""Uhlmann fidelity :math:`F = (\mathrm{tr}\sqrt{\sqrt\rho\,\sigma\sqrt\rho})^2` (Nielsen & Chuang eq. 9.53, squared convention).

    For a pure :math:`\rho = |\psi\rangle\langle\psi|` (purity 1) this is
    :math:`\langle\psi|\sigma|\psi\rangle`, used directly.
    """
    rho, sigma = _sq("rho", rho), _sq("sigma", sigma)
    if rho.shape != sigma.shape:
        raise ValueError(f"rho and sigma must have the same shape, got {rho.shape} and {sigma.shape}")
    if sp.simplify((rho * rho - rho)).is_zero_matrix:
        return sp.simplify((rho * sigma).trace())
    sr = rho ** sp.Rational(1, 2)
    M = sr * sigma * sr
    return sp.simplify(sum((sp.sqrt(lam) * m for lam, m in M.eigenvals().items()), sp.S.Zero) ** 2)


def apply_kraus(kraus: Sequence[object], rho: object) -> sp.Matrix:
    r"""Channel in operator-sum form :math:`\Phi(\rho) = \sum_k K_k\rho K_k^\dagger` (Nielsen & Chuang eq. 8.11)."""
    rho = _sq("rho", rho)
    Ks = [sp.Matrix(K) for K in kraus]
    if not Ks:
        raise ValueError("kraus must contain at least one operator")
    out = sp.zeros(*rho.shape)
    for k, K in enumerate(Ks):
        if K.cols != rho.rows:
            raise ValueError(f"kraus[{k}] must have {rho.rows} columns, got shape {K.shape}")
        out += K * rho * K.H
    return out


def choi_matrix(kraus: Sequence[object]) -> sp.Matrix:
    r"""Choi matrix :math:`J(\Phi) = \sum_{ij} |i\rangle\langle j|\otimes\Phi(|i\rangle\langle j|)`.

    :math:`\Phi` is completely positive iff :math:`J \succeq 0` and trace preserving iff
    :math:`\mathrm{tr}_2 J = I` (Choi 1975, Theorem 2).
    """
    Ks = [sp.Matrix(K) for K in kraus]
    if not Ks:
        raise ValueError("kraus must contain at least one operator")
    d_in, d_out = Ks[0].cols, Ks[0].rows
    J = sp.zeros(d_in * d_out, d_in * d_out)
    for i in range(d_in):
        for j in range(d_in):
            E = sp.zeros(d_in, d_in)
            E[i, j] = 1
            J += sp.kronecker_product(E, apply_kraus(Ks, E))
    return J


def projective_measurement(rho: object, projectors: Sequence[object]) -> tuple[list[sp.Expr], sp.Matrix]:
    r"""Born probabilities :math:`p_k = \mathrm{tr}(P_k\rho)` and the non-selective post-measurement state
    :math:`\sum_k P_k\rho P_k` (the measurement channel with Kraus operators :math:`P_k`; Nielsen & Chuang sec. 2.2.5)."""
    rho = _sq("rho", rho)
    Ps = [sp.Matrix(P) for P in projectors]
    probs = [sp.simplify((P * rho).trace()) for P in Ps]
    return probs, apply_kraus(Ps, rho)


def povm_probabilities(rho: object, effects: Sequence[object]) -> list[sp.Expr]:
    r"""Born rule for a POVM :math:`\{E_k\}`, :math:`E_k\succeq0`, :math:`\sum_k E_k = I`: :math:`p_k = \mathrm{tr}(E_k\rho)`
    (Nielsen & Chuang sec. 2.2.6)."""
    rho = _sq("rho", rho)
    Es = [sp.Matrix(E) for E in effects]
    total = sum(Es, sp.zeros(*rho.shape))
    if all(e.is_number for e in total) and not sp.simplify(total - sp.eye(rho.rows)).is_zero_matrix:
        raise ValueError("effects must sum to the identity")
    return [sp.simplify((E * rho).trace()) for E in Es]


def schmidt_state(coefficients: Sequence[object]) -> sp.Matrix:
    r"""Pure state :math:`|\psi\rangle = \sum_k \sqrt{\lambda_k}\,|k\rangle|k\rangle` on :math:`\mathbb C^d\otimes\mathbb C^d`
    as a density matrix (Nielsen & Chuang Theorem 2.7); ``coefficients`` are the :math:`\lambda_k` (summing to 1)."""
    lam = [sp.sympify(c) for c in coefficients]
    d = len(lam)
    if d < 1:
        raise ValueError("coefficients must be non-empty")
    psi = sp.zeros(d * d, 1)
    for k, l in enumerate(lam):
        psi[k * d + k] = sp.sqrt(l)
    return psi * psi.H


def entanglement_entropy(coefficients: Sequence[object]) -> sp.Expr:
    r"""Entropy of either reduced state of a Schmidt state: :math:`S = -\sum_k \lambda_k\ln\lambda_k`
    (Nielsen & Chuang sec. 11.3.1)."""
    return sp.simplify(-sum((sp.sympify(l) * sp.log(l) for l in coefficients if sp.sympify(l) != 0), sp.S.Zero))
