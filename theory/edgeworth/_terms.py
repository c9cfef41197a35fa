"""Edgeworth and Cornish-Fisher terms by integer partitions (private).

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

__all__ = ["term_coefficients", "symbolic_lambdas", "cornish_fisher_polynomials", "hermite_poly", "naive_series_terms"]


def symbolic_lambdas(order: int) -> list[sp.Symbol]:
    """``[lambda_3, ..., lambda_{order+2}]`` as sympy symbols."""
    return [sp.Symbol(f"lambda_{r}", real=True) for r in range(3, order + 3)]


def term_coefficients(j: int, lam: Sequence[Any]) -> dict[int, Any]:
    """Hermite coefficients of the order-``j`` density term ``p_j``.

    ``lam[i]`` is the standardized cumulant ``lambda_{i+3}``; needs ``len(lam) >= j``.
    Arithmetic stays in the type of ``lam`` (floats, Fractions or sympy).
    """
    if j < 1:
        raise ValueError(f"j must be >= 1, got {j}")
    if len(lam) < j:
        raise ValueError(f"term {j} needs lambda_3..lambda_{j + 2}; got {len(lam)} standardized cumulants")
    out: dict[int, Any] = {}
    for part in partitions(j):
        r = sum(part.values())
        c: Any = 1
        for m, km in part.items():
            c = c * (lam[m - 1] / math.factorial(m + 2)) ** km / math.factorial(km)
        k = j + 2 * r
        out[k] = out.get(k, 0) + c
    return out


def hermite_poly(k: int, x: sp.Symbol) -> sp.Expr:
    """Probabilists' Hermite polynomial ``He_k(x)`` as an explicit sympy polynomial."""
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


@functools.lru_cache(maxsize=16)
def cornish_fisher_polynomials(order: int) -> tuple[sp.Expr, ...]:
    """Cornish-Fisher polynomials ``c_1(z), ..., c_order(z)`` in ``z`` and the symbols ``lambda_r``.

    The quantile of the standardized sum is ``x_p = z + sum_j n^{-j/2} c_j(z)``
    with ``z = Phi^{-1}(p)``.  Derived by requiring, order by order in ``eps``,

    .. math:: \\frac{\\Phi(z+\\delta) - \\Phi(z)}{\\phi(z)}
              - \\frac{\\phi(z+\\delta)}{\\phi(z)} \\sum_j \\varepsilon^j Q_j(z+\\delta) = 0,

    with ``delta = sum_j eps^j c_j``, ``(Phi(z+d)-Phi(z))/phi(z) = sum_k (-1)^(k-1) He_(k-1)(z) d^k / k!``
    and ``phi(z+d)/phi(z) = sum_k He_k(z) (-d)^k / k!``.
    """
    if order < 0:
        raise ValueError(f"order must be >= 0, got {order}")
    K = order
    z = sp.Symbol("z", real=True)
    lam = symbolic_lambdas(max(order, 1))
    Q = [None] + [
        sum((coef * hermite_poly(k - 1, z) for k, coef in term_coefficients(j, lam).items()), sp.Integer(0))
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
    """Reference route the partition form replaces (slow: kept for tests and benchmarks).

    Expands ``exp(sum_r l_r u^r eps^(r-2) / r!)`` with ``sympy.series`` in ``eps`` and maps
    ``u^k -> He_k(x)``; returns ``p_1..p_order`` in the symbols ``l3, l4, ...`` and ``x``.
    """
    eps, u, x = sp.symbols("eps u x")
    lam = sp.symbols(f"l3:{order + 3}")
    K = sum(lam[r - 3] * u**r * eps ** (r - 2) / sp.factorial(r) for r in range(3, order + 3))
    ser = sp.series(sp.exp(K), eps, 0, order + 1).removeO()
    out = []
    for j in range(1, order + 1):
        poly = sp.Poly(sp.expand(ser.coeff(eps, j)), u)
        out.append(sum((c * sp.hermite_prob(m[0], x) for m, c in zip(poly.monoms(), poly.coeffs())), sp.Integer(0)))
    return out
