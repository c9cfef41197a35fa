r"""The classical limit of Lindblad dynamics: dephasing turns coherent hopping into a Markov chain.

References: Gardiner & Zoller, *Quantum Noise* (2004) sec. 5.1 and Cao & Silbey, J. Phys.
Chem. A 113 (2009) 13825 (adiabatic elimination of coherences, Haken-Strobl-Reineker model:
Haken & Strobl, Z. Phys. 262 (1973) 135); Breuer & Petruccione (2002) sec. 3.2 (embedding of a
classical master equation with jump operators :math:`\sqrt{w_{ij}}|i\rangle\langle j|`).
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from theory import validate as v
from theory.density_matrix._core import matrix_exponential
from theory.density_matrix._validate import matrix, num, sequence

__all__ = [
    "dephased_step_markov",
    "strong_dephasing_rates",
    "classical_generator",
    "classical_embedding_jump_ops",
    "classical_populations",
    "two_site_exact_rates",
    "two_site_rate_series",
]


def dephased_step_markov(U: Any) -> sp.Matrix:
    r"""A unitary step followed by full dephasing in the basis :math:`\{|i\rangle\}` is the Markov chain
    :math:`T_{ij} = |U_{ij}|^2 = P(i\leftarrow j)` (column stochastic; unistochastic; Nielsen & Chuang sec. 8.3.6).

    Proof: :math:`\mathrm{diag}(U|j\rangle\langle j|U^\dagger)_i = |U_{ij}|^2`, and full dephasing keeps only the diagonal.

    Parameters
    ----------
    U
        A square (unitary) matrix.

    Returns
    -------
    sympy.Matrix
        The transition matrix :math:`T` (entries :math:`u\bar u`, not simplified).
    """
    Um = matrix(U, "U")
    return Um.applyfunc(lambda u: u * sp.conjugate(u))


def strong_dephasing_rates(H: Any, g: Any) -> sp.Matrix:
    r"""Classical hopping rates of a dephased tight-binding Hamiltonian (second order in :math:`J/g`).

    For :math:`H = \sum_i \epsilon_i|i\rangle\langle i| + \sum_{i\ne j} J_{ij}|i\rangle\langle j|` and site
    dephasing :math:`L_i = \sqrt g\,|i\rangle\langle i|` (coherences decay at rate :math:`g`), eliminating
    the coherences adiabatically gives
    :math:`w_{ij} = 2|J_{ij}|^2 g / (g^2 + (\epsilon_i-\epsilon_j)^2)`, i.e. :math:`2J^2/g` on resonance,
    with relative corrections :math:`O((J/g)^2)` (Cao & Silbey 2009; Gardiner & Zoller sec. 5.1).

    Parameters
    ----------
    H
        Tight-binding Hamiltonian (square).
    g
        Site dephasing rate (> 0 when a number).

    Returns
    -------
    sympy.Matrix
        The rates :math:`w_{ij}` (zero diagonal).
    """
    H = matrix(H, "H")
    g = num(g, "g", sign="positive")
    n = H.rows
    return sp.Matrix(
        n, n,
        lambda i, j: sp.S.Zero if i == j
        else sp.simplify(2 * H[i, j] * sp.conjugate(H[i, j]) * g / (g**2 + (H[i, i] - H[j, j]) ** 2)),
    )


def classical_generator(rates: Any) -> sp.Matrix:
    r"""Generator :math:`Q_{ij} = w_{ij}` (:math:`i \ne j`), :math:`Q_{jj} = -\sum_{i\ne j} w_{ij}` of
    :math:`\dot p = Qp` (Norris, *Markov Chains*, 1997, sec. 2.1).

    Parameters
    ----------
    rates
        Square matrix of rates :math:`w_{ij}` (:math:`i \leftarrow j`, non-negative when numbers); the diagonal is ignored.

    Returns
    -------
    sympy.Matrix
        :math:`Q` (columns sum to zero).
    """
    w = matrix(rates, "rates")
    n = w.rows
    for i in range(n):
        for j in range(n):
            if i != j and w[i, j].is_number and bool(w[i, j] < 0):
                raise ValueError(f"rates[{i}][{j}] must be non-negative; got {w[i, j]}")
    return sp.Matrix(n, n, lambda i, j: w[i, j] if i != j else -sum(w[k, j] for k in range(n) if k != j))


def classical_embedding_jump_ops(Q: Any) -> list[sp.Matrix]:
    r"""Jump operators :math:`L_{ij} = \sqrt{Q_{ij}}\,|i\rangle\langle j|` (:math:`i\ne j`, :math:`Q_{ij} > 0`).

    With :math:`H = 0`, on a diagonal :math:`\rho = \mathrm{diag}(p)`:
    :math:`\sum D[L_{ij}]\rho = \sum_{ij} Q_{ij}(p_j|i\rangle\langle i| - p_j|j\rangle\langle j|) = \mathrm{diag}(Qp)`,
    and diagonal states stay diagonal, so :math:`\dot p = Qp` exactly (Breuer & Petruccione sec. 3.2).

    Parameters
    ----------
    Q
        A classical generator (square; off-diagonal entries non-negative).

    Returns
    -------
    list of sympy.Matrix
    """
    Q = matrix(Q, "Q")
    n = Q.rows
    ops = []
    for i in range(n):
        for j in range(n):
            if i != j and Q[i, j] != 0:
                L = sp.zeros(n, n)
                L[i, j] = sp.sqrt(Q[i, j])
                ops.append(L)
    return ops


def classical_populations(Q: Any, p0: Sequence[Any], t: Any) -> sp.Matrix:
    r""":math:`p(t) = e^{Qt}p_0` (Norris sec. 2.1).

    Parameters
    ----------
    Q
        Classical generator (square).
    p0
        Initial distribution (a sequence of length ``Q.rows``).
    t
        Time.

    Returns
    -------
    sympy.Matrix
        Column of populations.
    """
    Q = matrix(Q, "Q")
    p = sp.Matrix([num(x, f"p0[{k}]", sign="nonnegative") for k, x in enumerate(sequence(p0, "p0"))])
    if p.shape != (Q.rows, 1):
        raise ValueError(f"p0 must have length {Q.rows}, got {p.rows}")
    return matrix_exponential(Q, num(t, "t")) * p


def two_site_exact_rates(J: Any, g: Any) -> tuple[sp.Expr, sp.Expr]:
    r"""Exact decay rates of the population imbalance of a dephased dimer.

    :math:`H = J\sigma_x`, :math:`L_i = \sqrt g|i\rangle\langle i|`: :math:`z = \rho_{00}-\rho_{11}` obeys
    :math:`\ddot z + g\dot z + 4J^2 z = 0`, rates :math:`\lambda_\pm = g/2 \pm \sqrt{g^2/4 - 4J^2}` (slow one first;
    Haken & Strobl 1973; Cao & Silbey 2009).

    Parameters
    ----------
    J
        Hopping amplitude (real).
    g
        Dephasing rate (> 0 when a number).

    Returns
    -------
    (slow, fast)
    """
    J, g = num(J, "J"), num(g, "g", sign="positive")
    root = sp.sqrt(g**2 / 4 - 4 * J**2)
    return g / 2 - root, g / 2 + root


def two_site_rate_series(order: int = 3) -> sp.Expr:
    r"""Slow rate of :func:`two_site_exact_rates` divided by :math:`g`, expanded in :math:`x = J/g`:
    :math:`\lambda_-/g = 4x^2 + 16x^4 + 128x^6 + \dots` up to :math:`x^{2\,\mathrm{order}}`, whose leading term is the
    classical imbalance rate :math:`2\cdot 2J^2/g`; the relative error of the classical rate is :math:`4x^2 + O(x^4)`
    (Cao & Silbey 2009).

    Parameters
    ----------
    order
        Number of terms (an integer >= 1).

    Returns
    -------
    sympy expression
        A polynomial in the symbol ``x``.
    """
    order = v.integer(order, "order", minimum=1)
    x = sp.Symbol("x", positive=True)
    slow = two_site_exact_rates(x, 1)[0]
    return sp.series(slow, x, 0, 2 * order + 1).removeO()
