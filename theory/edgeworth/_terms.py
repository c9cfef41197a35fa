"""Edgeworth and Cornish-Fisher terms by integer partitions (private; re-exported by :mod:`theory.edgeworth`).

The order-``j`` term of the density expansion of a standardized sum is
(Petrov 1975, ch. VI, eq. (1.14); Blinnikov & Moessner 1998, A&AS 130:193, eq. (43))

.. math::

    p_j(x) = \\sum_{k_1 + 2k_2 + \\dots + j k_j = j} He_{j+2r}(x)
             \\prod_{m=1}^{j} \\frac{1}{k_m!}\\Big(\\frac{\\lambda_{m+2}}{(m+2)!}\\Big)^{k_m},
    \\qquad r = \\sum_m k_m,

so each term is a map ``{Hermite index: coefficient}``.  The Cornish-Fisher
polynomials come from inverting the CDF expansion order by order in
``eps = n^{-1/2}`` with truncated power series (Cornish & Fisher 1937; Hill &
Davis 1968, Ann. Math. Statist. 39:1264).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Sequence

import sympy as sp
from sympy.utilities.iterables import partitions

from theory import validate as v

__all__ = ["term_coefficients", "symbolic_lambdas", "cornish_fisher_polynomials", "hermite_poly", "naive_series_terms"]


def symbolic_lambdas(order: int) -> list[sp.Symbol]:
    r"""The standardized-cumulant symbols :math:`[\lambda_3, \dots, \lambda_{order+2}]`.

    Parameters
    ----------
    order
        Number of symbols (>= 0): the order-``j`` Edgeworth term needs :math:`\lambda_3..\lambda_{j+2}`.

    Returns
    -------
    list of sympy.Symbol
        Real symbols named ``lambda_3``, ``lambda_4``, ...

    References
    ----------
    Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.2 (the notation).
    """
    order = v.integer(order, "order", minimum=0)
    return [sp.Symbol(f"lambda_{r}", real=True) for r in range(3, order + 3)]


def term_coefficients(j: int, lam: Sequence[Any]) -> dict[int, Any]:
    r"""Hermite coefficients of the order-``j`` density term :math:`p_j = \sum_k a_k He_k`.

    .. math::

        p_j(x) = \sum_{k_1 + 2k_2 + \dots + j k_j = j} He_{j+2r}(x)
                 \prod_{m=1}^{j} \frac{1}{k_m!}\Big(\frac{\lambda_{m+2}}{(m+2)!}\Big)^{k_m},
        \qquad r = \sum_m k_m .

    Parameters
    ----------
    j
        The order (>= 1), the power of :math:`n^{-1/2}`.
    lam
        ``lam[i]`` is :math:`\lambda_{i+3}`; at least ``j`` entries (numbers or sympy
        expressions; the arithmetic stays in their type: floats, Fractions or sympy).

    Returns
    -------
    dict
        ``{k: a_k}``, the Hermite index and its coefficient.

    Raises
    ------
    ValueError
        ``j < 1`` or fewer than ``j`` standardized cumulants.

    References
    ----------
    Petrov 1975, *Sums of Independent Random Variables*, ch. VI, eq. (1.14);
    Blinnikov & Moessner 1998, A&AS 130:193, eq. (43).
    """
    j = v.integer(j, "j", minimum=1)
    if isinstance(lam, (str, bytes)) or not isinstance(lam, (list, tuple)):
        raise TypeError(f"lam must be a list or tuple of standardized cumulants; got {v.describe(lam)}")
    lam = [v.scalar(x, f"lam[{i}]") for i, x in enumerate(lam)]
    if len(lam) < j:
        raise ValueError(f"term {j} needs lambda_3..lambda_{j + 2}; got {len(lam)} standardized cumulants")
    return _term_coefficients(j, lam)


def _term_coefficients(j: int, lam: Sequence[Any]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for part in partitions(j):
        r = sum(part.values())
        c: Any = 1
        for m, km in part.items():
            c = c * (lam[m - 1] / math.factorial(m + 2)) ** km / math.factorial(km)
        k = j + 2 * r
        out[k] = out.get(k, 0) + c
    return out


def hermite_poly(k: int, x: Any) -> sp.Expr:
    r"""The probabilists' Hermite polynomial :math:`He_k(x)` as an explicit sympy polynomial.

    :math:`He_k(x) = (-1)^k e^{x^2/2} \frac{d^k}{dx^k} e^{-x^2/2}`; by convention
    :math:`He_{-1} = 0` (the distribution-function terms shift every index down by one).

    Parameters
    ----------
    k
        Degree, an integer >= -1.
    x
        A sympy symbol or expression (or a number).

    Returns
    -------
    sympy.Expr

    References
    ----------
    Abramowitz & Stegun 1964, *Handbook of Mathematical Functions*, 22.2.15 and 22.3.11.
    """
    k = v.integer(k, "k", minimum=-1)
    x = v.scalar(x, "x")
    if k < 0:
        return sp.Integer(0)
    return sp.expand(sp.hermite_prob(k, x))


def _trunc_mul(a: list[sp.Expr], b: list[sp.Expr], K: int) -> list[sp.Expr]:
    out = [sp.Integer(0)] * (K + 1)
    for i, ai in enumerate(a):
        if ai == 0:
            continue
        for j in range(0, K + 1 - i):
            if b[j] != 0:
                out[i + j] += ai * b[j]
    return [sp.expand(c) for c in out]


def cornish_fisher_polynomials(order: int) -> tuple[sp.Expr, ...]:
    r"""Cornish-Fisher polynomials :math:`c_1(z), \dots, c_{order}(z)` in ``z`` and the symbols :math:`\lambda_r`.

    The quantile of the standardized sum is :math:`x_q = z + \sum_j n^{-j/2} c_j(z)`,
    :math:`z = \Phi^{-1}(q)`, e.g. :math:`c_1 = \lambda_3 (z^2 - 1)/6`.  Symbolic and slow
    (seconds from order 3 on): numeric quantiles use the same inversion on numpy
    polynomials (:meth:`Edgeworth.ppf`).

    Parameters
    ----------
    order
        Number of terms (>= 0).

    Returns
    -------
    tuple of sympy.Expr
        ``(c_1, ..., c_order)`` in the symbols ``z`` and :func:`symbolic_lambdas`.

    References
    ----------
    Cornish & Fisher, Rev. Inst. Int. Stat. 5 (1937) 307; Hill & Davis, Ann. Math. Statist.
    39 (1968) 1264.
    """
    return _cornish_fisher_polynomials(v.integer(order, "order", minimum=0))


@functools.lru_cache(maxsize=16)
def _cornish_fisher_polynomials(order: int) -> tuple[sp.Expr, ...]:
    """Cornish-Fisher polynomials by symbolic inversion (validated ``order``).

    The quantile of the standardized sum is ``x_p = z + sum_j n^{-j/2} c_j(z)``
    with ``z = Phi^{-1}(p)``.  Derived by requiring, order by order in ``eps``,

    .. math:: \\frac{\\Phi(z+\\delta) - \\Phi(z)}{\\phi(z)}
              - \\frac{\\phi(z+\\delta)}{\\phi(z)} \\sum_j \\varepsilon^j Q_j(z+\\delta) = 0,

    with ``delta = sum_j eps^j c_j``, ``(Phi(z+d)-Phi(z))/phi(z) = sum_k (-1)^(k-1) He_(k-1)(z) d^k / k!``
    and ``phi(z+d)/phi(z) = sum_k He_k(z) (-d)^k / k!``.
    """
    K = order
    z = sp.Symbol("z", real=True)
    lam = symbolic_lambdas(max(order, 1))
    Q = [None] + [
        sum((coef * hermite_poly(k - 1, z) for k, coef in _term_coefficients(j, lam).items()), sp.Integer(0))
        for j in range(1, K + 1)
    ]
    cs: list[sp.Expr] = []
    for step in range(1, K + 1):
        c_new = sp.Symbol("c_new")
        delta = [sp.Integer(0)] + cs + [c_new] + [sp.Integer(0)] * (K - step)
        delta = delta[: K + 1]
        powers = [[sp.Integer(1)] + [sp.Integer(0)] * K]
        for _ in range(K):
            powers.append(_trunc_mul(powers[-1], delta, K))
        # (Phi(z+d) - Phi(z)) / phi(z)
        lhs = [sp.Integer(0)] * (K + 1)
        for k in range(1, K + 1):
            f = (-1) ** (k - 1) * hermite_poly(k - 1, z) / math.factorial(k)
            lhs = [lhs[i] + f * powers[k][i] for i in range(K + 1)]
        # phi(z+d)/phi(z)
        ratio = [sp.Integer(0)] * (K + 1)
        for k in range(0, K + 1):
            f = (-1) ** k * hermite_poly(k, z) / math.factorial(k)
            ratio = [ratio[i] + f * powers[k][i] for i in range(K + 1)]
        # sum_j eps^j Q_j(z + d) = sum_j eps^j sum_m Q_j^(m)(z) d^m / m!
        qser = [sp.Integer(0)] * (K + 1)
        for j in range(1, K + 1):
            for m in range(0, K + 1 - j):
                f = sp.diff(Q[j], z, m) / math.factorial(m)
                if f == 0:
                    continue
                for i in range(0, K + 1 - j):
                    qser[i + j] += f * powers[m][i]
        total = [sp.expand(lhs[i] - t) for i, t in enumerate(_trunc_mul(ratio, qser, K))]
        sol = sp.solve(total[step], c_new)
        if len(sol) != 1:  # pragma: no cover - linear by construction
            raise RuntimeError("Cornish-Fisher inversion is not linear at this order")
        cs.append(sp.expand(sol[0]))
    return tuple(cs)


def naive_series_terms(order: int) -> list[sp.Expr]:
    r"""The density terms :math:`p_1, \dots, p_{order}` by the naive series route (slow reference).

    Expands :math:`\exp\big(\sum_{r\ge3} l_r u^r \varepsilon^{r-2}/r!\big)` with
    ``sympy.series`` in :math:`\varepsilon` and maps :math:`u^k \to He_k(x)`
    (Hall 1992, sec. 2.2).  The partition form (:func:`term_coefficients`) replaces it;
    this route is kept as an independent cross-check for tests and benchmarks.

    Parameters
    ----------
    order
        Number of terms (>= 1).

    Returns
    -------
    list of sympy.Expr
        ``[p_1, ..., p_order]`` in the symbols ``l3, l4, ...`` and ``x``.

    References
    ----------
    Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.2.
    """
    order = v.integer(order, "order", minimum=1)
    eps, u, x = sp.symbols("eps u x")
    lam = sp.symbols(f"l3:{order + 3}")
    K = sum(lam[r - 3] * u**r * eps ** (r - 2) / sp.factorial(r) for r in range(3, order + 3))
    ser = sp.series(sp.exp(K), eps, 0, order + 1).removeO()
    out = []
    for j in range(1, order + 1):
        poly = sp.Poly(sp.expand(ser.coeff(eps, j)), u)
        out.append(sum((c * sp.hermite_prob(m[0], x) for m, c in zip(poly.monoms(), poly.coeffs())), sp.Integer(0)))
    return out
