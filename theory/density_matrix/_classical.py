r"""The classical limit of Lindblad dynamics: dephasing turns coherent hopping into a Markov chain.

References: Gardiner & Zoller, *Quantum Noise* (2004) sec. 5.1 and Cao & Silbey, J. Phys.
Chem. A 113 (2009) 13825 (adiabatic elimination of coherences, Haken-Strobl-Reineker model:
Haken & Strobl, Z. Phys. 262 (1973) 135); Breuer & Petruccione (2002) sec. 3.2 (embedding of a
classical master equation with jump operators :math:`\sqrt{w_{ij}}|i\rangle\langle j|`).
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = [
    "dephased_step_markov",
    "strong_dephasing_rates",
    "classical_generator",
    "classical_embedding_jump_ops",
    "classical_populations",
    "two_site_exact_rates",
    "two_site_rate_series",
]


def dephased_step_markov(U: object) -> sp.Matrix:
    r"""A unitary step followed by full dephasing in the basis :math:`\{|i\rangle\}` is the Markov chain
    :math:`T_{ij} = |U_{ij}|^2 = P(i\leftarrow j)` (column stochastic; unistochastic; Nielsen & Chuang sec. 8.3.6).

    Proof: :math:`\mathrm{diag}(U|j\rangle\langle j|U^\dagger)_i = |U_{ij}|^2`, and full dephasing keeps only the diagonal.
    """
    U = sp.Matrix(U)
    if U.rows != U.cols:
        raise ValueError(f"U must be square, got {U.shape}")
    return U.applyfunc(lambda u: sp.simplify(u * sp.conjugate(u)))


def strong_dephasing_rates(H: object, g: object) -> sp.Matrix:
    r"""Classical hopping rates of a dephased tight-binding Hamiltonian (second order in :math:`J/g`).

    For :math:`H = \sum_i \epsilon_i|i\rangle\langle i| + \sum_{i\ne j} J_{ij}|i\rangle\langle j|` and site
    dephasing :math:`L_i = \sqrt g\,|i\rangle\langle i|` (coherences decay at rate :math:`g`), eliminating
    the coherences adiabatically gives
    :math:`w_{ij} = 2|J_{ij}|^2 g / (g^2 + (\epsilon_i-\epsilon_j)^2)`, i.e. :math:`2J^2/g` on resonance,
    with relative corrections :math:`O((J/g)^2)` (Cao & Silbey 2009; Gardiner & Zoller sec. 5.1).
    Returns the matrix of rates :math:`w_{ij}` (zero diagonal).
    """
    H = sp.Matrix(H)
    g = sp.sympify(g)
    n = H.rows
    return sp.Matrix(
        n, n,
        lambda i, j: sp.S.Zero if i == j
        else sp.simplify(2 * H[i, j] * sp.conjugate(H[i, j]) * g / (g**2 + (H[i, i] - H[j, j]) ** 2)),
    )


def classical_generator(rates: object) -> sp.Matrix:
    r"""Generator :math:`Q_{ij} = w_{ij}` (:math:`i \ne j`), :math:`Q_{jj} = -\sum_{i\ne j} w_{ij}` of
    :math:`\dot p = Qp` (Norris, *Markov Chains*, 1997, sec. 2.1)."""
    w = sp.Matrix(rates)
    n = w.rows
    return sp.Matrix(n, n, lambda i, j: w[i, j] if i != j else -sum(w[k, j] for k in range(n) if k != j))


def classical_embedding_jump_ops(Q: object) -> list[sp.Matrix]:
    r"""Jump operators :math:`L_{ij} = \sqrt{Q_{ij}}\,|i\rangle\langle j|` (:math:`i\ne j`, :math:`Q_{ij} > 0`).

    With :math:`H = 0`, on a diagonal :math:`\rho = \mathrm{diag}(p)`:
    :math:`\sum D[L_{ij}]\rho = \sum_{ij} Q_{ij}(p_j|i\rangle\langle i| - p_j|j\rangle\langle j|) = \mathrm{diag}(Qp)`,
    and diagonal states stay diagonal, so :math:`\dot p = Qp` exactly (Breuer & Petruccione sec. 3.2).
    """
    Q = sp.Matrix(Q)
    n = Q.rows
    ops = []
    for i in range(n):
        for j in range(n):
            if i != j and Q[i, j] != 0:
                L = sp.zeros(n, n)
                L[i, j] = sp.sqrt(Q[i, j])
                ops.append(L)
    return ops


def classical_populations(Q: object, p0: Sequence[object], t: object) -> sp.Matrix:
    r""":math:`p(t) = e^{Qt}p_0` (Norris sec. 2.1)."""
    Q = sp.Matrix(Q)
    p0 = sp.Matrix(p0)
    if p0.shape != (Q.rows, 1):
        raise ValueError(f"p0 must have length {Q.rows}, got shape {p0.shape}")
    return (Q * sp.sympify(t)).exp() * p0


def two_site_exact_rates(J: object, g: object) -> tuple[sp.Expr, sp.Expr]:
    r"""Exact decay rates of the population imbalance of a dephased dimer.

    :math:`H = J\sigma_x`, :math:`L_i = \sqrt g|i\rangle\langle i|`: :math:`z = \rho_{00}-\rho_{11}` obeys
    :math:`\ddot z + g\dot z + 4J^2 z = 0`, rates :math:`\lambda_\pm = g/2 \pm \sqrt{g^2/4 - 4J^2}` (slow one first).
    """
    J, g = sp.sympify(J), sp.sympify(g)
    root = sp.sqrt(g**2 / 4 - 4 * J**2)
    return g / 2 - root, g / 2 + root


def two_site_rate_series(order: int = 3) -> sp.Expr:
    r"""Slow rate of :func:`two_site_exact_rates` divided by :math:`g`, expanded in :math:`x = J/g`:
    :math:`\lambda_-/g = 4x^2 + 16x^4 + 128x^6 + \dots`, whose leading term is the classical
    imbalance rate :math:`2\cdot 2J^2/g`; the relative error of the classical rate is :math:`4x^2 + O(x^4)`."""
    x = sp.Symbol("x", positive=True)
    slow = two_site_exact_rates(x, 1)[0]
    return sp.series(slow, x, 0, 2 * order + 1).removeO()
