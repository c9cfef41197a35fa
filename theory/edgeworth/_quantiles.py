r"""Cornish-Fisher polynomials for numeric standardized cumulants (private).

The quantile of the standardized sum is :math:`x_q = z + \sum_j \varepsilon^j c_j(z)`,
:math:`\varepsilon = n^{-1/2}`, :math:`z = \Phi^{-1}(q)`, found by inverting the
distribution-function expansion :math:`F_n(x) = \Phi(x) - \phi(x)\sum_j \varepsilon^j Q_j(x)`
order by order in :math:`\varepsilon` (Cornish & Fisher 1937, Rev. ISI 5:307; Hill & Davis
1968, Ann. Math. Statist. 39:1264).  With :math:`\delta = x_q - z`, the condition
:math:`F_n(z + \delta) = \Phi(z)` divided by :math:`\phi(z)` reads

.. math::

    \sum_{k\ge1} \frac{(-1)^{k-1} He_{k-1}(z)}{k!}\,\delta^k
    = \Big[\sum_{k\ge0} \frac{(-1)^k He_k(z)}{k!}\,\delta^k\Big]
      \sum_{j\ge1} \varepsilon^j \sum_{m\ge0} \frac{Q_j^{(m)}(z)}{m!}\,\delta^m ,

and :math:`c_s` enters the coefficient of :math:`\varepsilon^s` only through the
:math:`k = 1` term on the left, so it is that coefficient with :math:`c_s` set to zero.
Here every coefficient is a numpy polynomial in :math:`z` (power basis), which is
orders of magnitude faster than the symbolic inversion
(:func:`theory.edgeworth.cornish_fisher_polynomials`, used for the derivation and as a
cross-check in the tests).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numpy.polynomial import hermite_e as He
from numpy.polynomial import polynomial as P

from theory.edgeworth._terms import _term_coefficients

__all__ = ["cornish_fisher_coefficients", "he_power"]

_Series = list[np.ndarray]  # coefficient of eps^i (a power-basis polynomial in z) at index i


def he_power(k: int) -> np.ndarray:
    """Power-basis coefficients of :math:`He_k(z)` (the zero polynomial for ``k < 0``)."""
    if k < 0:
        return np.zeros(1)
    return He.herme2poly(np.eye(k + 1)[k])


def _zero() -> np.ndarray:
    return np.zeros(1)


def _mul(a: _Series, b: _Series, K: int) -> _Series:
    """Product of two truncated series in eps (coefficients are polynomials in z)."""
    out = [_zero() for _ in range(K + 1)]
    for i, ai in enumerate(a[: K + 1]):
        if not np.any(ai):
            continue
        for j in range(0, K + 1 - i):
            if np.any(b[j]):
                out[i + j] = P.polyadd(out[i + j], P.polymul(ai, b[j]))
    return out


def _q_polynomials(lam: Sequence[float], K: int) -> list[np.ndarray]:
    """``[None, Q_1, ..., Q_K]``: the distribution-function terms, ``He_k -> He_{k-1}`` in ``p_j``."""
    out: list[np.ndarray] = [_zero()]
    for j in range(1, K + 1):
        q = _zero()
        for k, c in _term_coefficients(j, list(lam)).items():
            q = P.polyadd(q, float(c) * he_power(k - 1))
        out.append(q)
    return out


def cornish_fisher_coefficients(lam: Sequence[float], order: int) -> list[np.ndarray]:
    r"""Power-basis coefficients (in :math:`z`) of :math:`c_1, \dots, c_{order}` for numeric :math:`\lambda_r`.

    Parameters
    ----------
    lam
        ``[lambda_3, lambda_4, ...]`` (floats), at least ``order`` of them.
    order
        Number of Cornish-Fisher terms (>= 0).

    Returns
    -------
    list of numpy.ndarray
        ``[c_1, ..., c_order]``; evaluate with ``numpy.polynomial.polynomial.polyval(z, c)``.

    References
    ----------
    Cornish & Fisher, Rev. Inst. Int. Stat. 5 (1937) 307; Hill & Davis, Ann. Math. Statist.
    39 (1968) 1264; Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.5.
    """
    K = int(order)
    Q = _q_polynomials(lam, K)
    dQ = [[P.polyder(Q[j], m) / math.factorial(m) if m else Q[j] for m in range(K + 1)] for j in range(K + 1)]
    cs: list[np.ndarray] = []
    for s in range(1, K + 1):
        delta: _Series = [_zero()] + cs + [_zero()] * (s - len(cs))  # c_s = 0 placeholder at eps^s
        powers: list[_Series] = [[np.ones(1)] + [_zero() for _ in range(s)]]
        for _ in range(s):
            powers.append(_mul(powers[-1], delta, s))
        lhs = _zero()
        for k in range(2, s + 1):
            lhs = P.polyadd(lhs, (-1) ** (k - 1) / math.factorial(k) * P.polymul(he_power(k - 1), powers[k][s]))
        ratio: _Series = [_zero() for _ in range(s + 1)]
        for k in range(0, s + 1):
            f = (-1) ** k / math.factorial(k) * he_power(k)
            for i in range(s + 1):
                if np.any(powers[k][i]):
                    ratio[i] = P.polyadd(ratio[i], P.polymul(f, powers[k][i]))
        qser: _Series = [_zero() for _ in range(s + 1)]
        for j in range(1, s + 1):
            for m in range(0, s + 1 - j):
                if not np.any(dQ[j][m]):
                    continue
                for i in range(0, s + 1 - j):
                    if np.any(powers[m][i]):
                        qser[i + j] = P.polyadd(qser[i + j], P.polymul(dQ[j][m], powers[m][i]))
        rhs = _mul(ratio, qser, s)[s]
        cs.append(P.polytrim(P.polysub(rhs, lhs), tol=0.0) if np.any(P.polysub(rhs, lhs)) else _zero())
    return cs
