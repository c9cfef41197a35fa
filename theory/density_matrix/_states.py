r"""Subsystems, information quantities, channels (Kraus, Choi) and measurements, symbolically.

References: Nielsen & Chuang, *Quantum Computation and Quantum Information* (2000),
sec. 2.2 (measurements), 2.4 (density operators, partial trace), 2.5 (Schmidt decomposition),
8.2 (operator-sum representation), 9.2 (fidelity), 11.3 (von Neumann entropy); Choi, Lin. Alg.
Appl. 10 (1975) 285; Uhlmann, Rep. Math. Phys. 9 (1976) 273.

Functions of a state check, when the entries are numbers, that it is one (Hermitian, unit trace,
positive semidefinite) and raise ``ValueError`` naming the property that fails; symbolic states
are the caller's assumption.
"""

from __future__ import annotations

import itertools
from typing import Any, Sequence

import sympy as sp

from theory import validate as v
from theory.density_matrix._validate import (
    check_effects,
    check_state,
    matrix,
    num,
    sequence,
)

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


def partial_trace(rho: Any, dims: Sequence[int], keep: Sequence[int]) -> sp.Matrix:
    r"""Partial trace keeping the subsystems ``keep`` of an operator on :math:`\bigotimes_k \mathbb C^{d_k}`.

    :math:`(\mathrm{tr}_B\rho)_{ij} = \sum_k \rho_{(i,k),(j,k)}` with the first factor most
    significant (Nielsen & Chuang sec. 2.4.3).

    Parameters
    ----------
    rho
        ``D x D`` operator, ``D = prod(dims)`` (any operator: the map is linear).
    dims
        Subsystem dimensions (positive integers).
    keep
        Distinct indices of the kept subsystems (may be empty).

    Returns
    -------
    sympy.Matrix
        A new matrix.
    """
    R = matrix(rho, "rho")
    dims_t = v.integers(dims, "dims", minimum=1)
    keep_t = v.integers(keep, "keep", minimum=0, maximum=len(dims_t) - 1, min_length=0)
    if len(set(keep_t)) != len(keep_t):
        raise ValueError(f"keep must not repeat a subsystem; got {keep_t}")
    D = 1
    for d in dims_t:
        D *= d
    if D != R.rows:
        raise ValueError(f"prod(dims) = {D} must equal the size of rho {R.rows}")
    kept = sorted(keep_t)
    idx = list(itertools.product(*[range(d) for d in dims_t]))
    pos = {t: a for a, t in enumerate(idx)}
    out_idx = list(itertools.product(*[range(dims_t[k]) for k in kept]))
    trace_over = [k for k in range(len(dims_t)) if k not in kept]
    rest = list(itertools.product(*[range(dims_t[k]) for k in trace_over]))
    n = len(out_idx)
    out = sp.zeros(n, n)

    def full(o: tuple[int, ...], r: tuple[int, ...]) -> tuple[int, ...]:
        t = [0] * len(dims_t)
        for k, x in zip(kept, o):
            t[k] = x
        for k, x in zip(trace_over, r):
            t[k] = x
        return tuple(t)

    for a, oa in enumerate(out_idx):
        for b, ob in enumerate(out_idx):
            out[a, b] = sum((R[pos[full(oa, r)], pos[full(ob, r)]] for r in rest), sp.S.Zero)
    return out


def _tidy(expr: sp.Expr) -> sp.Expr:
    """``sympy.simplify`` for symbolic expressions only: on numbers (long exact decimals) it can run for hours
    (``logcombine`` raising large rationals to powers) and it changes nothing a numeric evaluation needs."""
    return sp.simplify(expr) if expr.free_symbols else expr


def purity(rho: Any) -> sp.Expr:
    r"""Purity :math:`\mathrm{tr}\,\rho^2` of a state (1 for pure states, :math:`1/d` for the maximally mixed one;
    Nielsen & Chuang exercise 2.71).

    Parameters
    ----------
    rho
        A density matrix (checked when numeric: Hermitian, unit trace, PSD).

    Returns
    -------
    sympy expression

    Raises
    ------
    ValueError
        A numeric ``rho`` that is not a state (the message names the property).
    """
    R = matrix(rho, "rho")
    check_state(R, "rho")
    return sp.simplify((R * R).trace())


def von_neumann_entropy(rho: Any) -> sp.Expr:
    r"""Von Neumann entropy :math:`S(\rho) = -\sum_i \lambda_i \ln\lambda_i` of a state (nats; :math:`0\ln 0 = 0`;
    Nielsen & Chuang sec. 11.3), eigenvalues by ``sympy``.

    Parameters
    ----------
    rho
        A density matrix (checked when numeric).

    Returns
    -------
    sympy expression

    Raises
    ------
    ValueError
        A numeric ``rho`` that is not a state (a non-PSD matrix has no entropy).
    """
    R = matrix(rho, "rho")
    check_state(R, "rho")
    S = sp.S.Zero
    for lam, mult in R.eigenvals().items():
        lam = sp.simplify(lam)
        if lam == 0:
            continue
        S -= mult * lam * sp.log(lam)
    return _tidy(S)


def fidelity(rho: Any, sigma: Any) -> sp.Expr:
    r"""Uhlmann fidelity :math:`F = (\mathrm{tr}\sqrt{\sqrt\rho\,\sigma\sqrt\rho})^2` of two states (Nielsen & Chuang
    eq. 9.53, squared convention; Uhlmann, Rep. Math. Phys. 9 (1976) 273).

    For a pure :math:`\rho = |\psi\rangle\langle\psi|` (:math:`\rho^2 = \rho`) this is :math:`\langle\psi|\sigma|\psi\rangle`, used directly.

    Parameters
    ----------
    rho, sigma
        Density matrices of one size (checked when numeric).

    Returns
    -------
    sympy expression
        In :math:`[0, 1]` for states.

    Raises
    ------
    ValueError
        Different sizes, or a numeric input that is not a state (``fidelity(I, I/2)`` is refused).
    """
    R, S = matrix(rho, "rho"), matrix(sigma, "sigma")
    if R.shape != S.shape:
        raise ValueError(f"rho and sigma must have the same shape, got {R.shape} and {S.shape}")
    check_state(R, "rho")
    check_state(S, "sigma")
    if sp.simplify(R * R - R).is_zero_matrix:
        return sp.simplify((R * S).trace())
    sr = R ** sp.Rational(1, 2)
    M = sr * S * sr
    return sp.simplify(sum((sp.sqrt(lam) * m for lam, m in M.eigenvals().items()), sp.S.Zero) ** 2)


def _kraus(kraus: Any) -> list[sp.Matrix]:
    Ks = [matrix(K, f"kraus[{k}]", square=False) for k, K in enumerate(sequence(kraus, "kraus"))]
    if any(K.shape != Ks[0].shape for K in Ks):
        raise ValueError(f"kraus operators must all have one shape; got {[K.shape for K in Ks]}")
    return Ks


def apply_kraus(kraus: Sequence[Any], rho: Any) -> sp.Matrix:
    r"""Channel in operator-sum form :math:`\Phi(\rho) = \sum_k K_k\rho K_k^\dagger` (Nielsen & Chuang eq. 8.11).

    Parameters
    ----------
    kraus
        Non-empty list of ``d_out x d`` Kraus operators.
    rho
        ``d x d`` operator.

    Returns
    -------
    sympy.Matrix
        ``d_out x d_out``.
    """
    R = matrix(rho, "rho")
    Ks = _kraus(kraus)
    if Ks[0].cols != R.rows:
        raise ValueError(f"kraus operators must have {R.rows} columns, got shape {Ks[0].shape}")
    out = sp.zeros(Ks[0].rows, Ks[0].rows)
    for K in Ks:
        out += K * R * K.H
    return out


def choi_matrix(kraus: Sequence[Any]) -> sp.Matrix:
    r"""Choi matrix :math:`J(\Phi) = \sum_{ij} |i\rangle\langle j|\otimes\Phi(|i\rangle\langle j|)`.

    :math:`\Phi` is completely positive iff :math:`J \succeq 0` and trace preserving iff
    :math:`\mathrm{tr}_2 J = I` (Choi, Lin. Alg. Appl. 10 (1975) 285, thm. 2).

    Parameters
    ----------
    kraus
        Non-empty list of ``d_out x d`` Kraus operators.

    Returns
    -------
    sympy.Matrix
        ``(d d_out) x (d d_out)``.
    """
    Ks = _kraus(kraus)
    d_in, d_out = Ks[0].cols, Ks[0].rows
    J = sp.zeros(d_in * d_out, d_in * d_out)
    for i in range(d_in):
        for j in range(d_in):
            E = sp.zeros(d_in, d_in)
            E[i, j] = 1
            J += sp.kronecker_product(E, apply_kraus(Ks, E))
    return J


def projective_measurement(rho: Any, projectors: Sequence[Any]) -> tuple[list[sp.Expr], sp.Matrix]:
    r"""Born probabilities :math:`p_k = \mathrm{tr}(P_k\rho)` and the non-selective post-measurement state
    :math:`\sum_k P_k\rho P_k` (the measurement channel with Kraus operators :math:`P_k`; Nielsen & Chuang sec. 2.2.5).

    Parameters
    ----------
    rho
        A density matrix (checked when numeric).
    projectors
        The projectors (Hermitian, PSD and summing to the identity; checked when numeric).

    Returns
    -------
    (list of sympy expressions, sympy.Matrix)
        The probabilities and the post-measurement state.
    """
    R = matrix(rho, "rho")
    check_state(R, "rho")
    Ps = [matrix(P, f"projectors[{k}]") for k, P in enumerate(sequence(projectors, "projectors"))]
    _complete(Ps, R.rows, "projectors")
    probs = [sp.simplify((P * R).trace()) for P in Ps]
    return probs, apply_kraus(Ps, R)


def _complete(Es: list[sp.Matrix], n: int, name: str) -> None:
    for k, E in enumerate(Es):
        if E.shape != (n, n):
            raise ValueError(f"{name}[{k}] must have shape ({n}, {n}), got {E.shape}")
    check_effects(Es, name)
    total = sum(Es, sp.zeros(n, n))
    if all(e.is_number for e in total) and not sp.simplify(total - sp.eye(n)).is_zero_matrix:
        raise ValueError(f"{name} must sum to the identity")


def povm_probabilities(rho: Any, effects: Sequence[Any]) -> list[sp.Expr]:
    r"""Born rule for a POVM :math:`\{E_k\}`, :math:`E_k\succeq0`, :math:`\sum_k E_k = I`: :math:`p_k = \mathrm{tr}(E_k\rho)`
    (Nielsen & Chuang sec. 2.2.6).

    Parameters
    ----------
    rho
        A density matrix (checked when numeric).
    effects
        The POVM elements (Hermitian, PSD, summing to the identity; checked when numeric).

    Returns
    -------
    list of sympy expressions

    Raises
    ------
    ValueError
        A numeric state or POVM that fails a check (the message names the property).
    """
    R = matrix(rho, "rho")
    check_state(R, "rho")
    Es = [matrix(E, f"effects[{k}]") for k, E in enumerate(sequence(effects, "effects"))]
    _complete(Es, R.rows, "effects")
    return [sp.simplify((E * R).trace()) for E in Es]


def _probabilities(coefficients: Any) -> list[sp.Expr]:
    lam = [num(c, f"coefficients[{k}]", sign="nonnegative") for k, c in enumerate(sequence(coefficients, "coefficients"))]
    total = sum(lam, sp.S.Zero)
    if total.is_number and abs(complex(sp.N(total - 1, 30))) > 1e-12:
        raise ValueError(f"coefficients must sum to 1 (they are the Schmidt probabilities); got {total}")
    return lam


def schmidt_state(coefficients: Sequence[Any]) -> sp.Matrix:
    r"""Pure state :math:`|\psi\rangle = \sum_k \sqrt{\lambda_k}\,|k\rangle|k\rangle` on :math:`\mathbb C^d\otimes\mathbb C^d`
    as a density matrix (Nielsen & Chuang thm. 2.7).

    Parameters
    ----------
    coefficients
        The Schmidt probabilities :math:`\lambda_k` (non-negative, summing to 1 when numbers; never strings).

    Returns
    -------
    sympy.Matrix
        :math:`|\psi\rangle\langle\psi|`, ``d^2 x d^2``.
    """
    lam = _probabilities(coefficients)
    d = len(lam)
    psi = sp.zeros(d * d, 1)
    for k, l in enumerate(lam):
        psi[k * d + k] = sp.sqrt(l)
    return psi * psi.H


def entanglement_entropy(coefficients: Sequence[Any]) -> sp.Expr:
    r"""Entropy of either reduced state of a Schmidt state: :math:`S = -\sum_k \lambda_k\ln\lambda_k`
    (Nielsen & Chuang sec. 11.3; the reduced states are :math:`\mathrm{diag}(\lambda)`, thm. 2.7).

    Parameters
    ----------
    coefficients
        The Schmidt probabilities :math:`\lambda_k` (numbers or sympy expressions; never strings).

    Returns
    -------
    sympy expression
    """
    lam = _probabilities(coefficients)
    S = -sum((l * sp.log(l) for l in lam if l != 0), sp.S.Zero)
    return _tidy(S)
