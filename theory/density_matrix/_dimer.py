r"""The error of the classical rate law for a strongly dephased dimer, exactly and as a series.

The dimer :math:`H = J\sigma_x`, :math:`L_i = \sqrt g\,|i\rangle\langle i|` started in :math:`|0\rangle`: the imbalance
:math:`z = \rho_{00} - \rho_{11}` obeys :math:`\ddot z + g\dot z + 4J^2 z = 0`, :math:`z(0) = 1`, :math:`\dot z(0) = 0`, so
:math:`z = (\lambda_+ e^{-\lambda_- t} - \lambda_- e^{-\lambda_+ t})/(\lambda_+ - \lambda_-)` (Haken & Strobl, Z. Phys. 262
(1973) 135; Cao & Silbey, J. Phys. Chem. A 113 (2009) 13825).  The classical rate law (rates :math:`2J^2/g`;
:func:`strong_dephasing_rates`) gives :math:`z_c = e^{-4J^2t/g}`.  In units with :math:`4J^2/g = 1`
(:math:`g = 1/(4x^2)`, :math:`J = 1/(4x)`, :math:`x = J/g`) the rates are
:math:`\lambda_\pm = (1 \pm \sqrt{1-16x^2})/(8x^2)` and the population error is
:math:`\Delta p(\tau) = \tfrac12(z(\tau) - e^{-\tau})`.  Its slow part is analytic in :math:`y = x^2` for
:math:`|y| < 1/16`; the fast part is :math:`O(x^2 e^{-\tau/(4x^2)})`, beyond every power.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import mpmath
import sympy as sp

from theory import validate as v
from theory.density_matrix._validate import num, sequence

__all__ = ["dimer_population_error", "dimer_classical_error", "dimer_error_log_series"]

_DPS = 50


def dimer_population_error(x: Any, tau: Any) -> sp.Expr:
    r"""Exact :math:`\Delta p(\tau) = p_0^{\rm quantum}(\tau) - p_0^{\rm classical}(\tau)` of the dephased dimer.

    :math:`\Delta p = \tfrac12\big[(\lambda_+e^{-\lambda_-\tau} - \lambda_-e^{-\lambda_+\tau})/(\lambda_+-\lambda_-) - e^{-\tau}\big]`,
    :math:`\lambda_\pm = (1\pm\sqrt{1-16x^2})/(8x^2)`, in units with the classical imbalance rate :math:`4J^2/g = 1`
    (module docstring; Cao & Silbey 2009).

    Parameters
    ----------
    x
        :math:`J/g` (> 0 when a number; the formula is real for :math:`x < 1/4`).
    tau
        Time in units of :math:`g/(4J^2)` (>= 0 when a number).

    Returns
    -------
    sympy expression
    """
    x, tau = num(x, "x", sign="positive"), num(tau, "tau", sign="nonnegative")
    root = sp.sqrt(1 - 16 * x**2)
    lm, lp = (1 - root) / (8 * x**2), (1 + root) / (8 * x**2)
    z = (lp * sp.exp(-lm * tau) - lm * sp.exp(-lp * tau)) / (lp - lm)
    return (z - sp.exp(-tau)) / 2


def dimer_classical_error(x: Any, taus: Sequence[Any]) -> sp.Expr:
    r"""Root-mean-square population error :math:`\varepsilon(x) = \big(\tfrac1m\sum_i \Delta p(\tau_i)^2\big)^{1/2}` over times
    :math:`\tau_1..\tau_m` (:func:`dimer_population_error`; Cao & Silbey 2009).

    Parameters
    ----------
    x
        :math:`J/g` (a number or a sympy symbol).
    taus
        The times (a non-empty sequence of non-negative numbers).

    Returns
    -------
    sympy expression
    """
    ts = sequence(taus, "taus")
    terms = [dimer_population_error(x, num(t, f"taus[{i}]", sign="nonnegative")) ** 2 for i, t in enumerate(ts)]
    return sp.sqrt(sum(terms, sp.S.Zero) / len(terms))


def _binomial_series(a: Fraction, c: int, n: int) -> list[Fraction]:
    """Coefficients of (1 + c y)^a up to y^n."""
    out, coef = [], Fraction(1)
    for j in range(n + 1):
        out.append(coef * Fraction(c) ** j)
        coef = coef * (a - j) / (j + 1)
    return out


def _mul(a: list[Any], b: list[Any], n: int) -> list[Any]:
    return [sum((a[i] * b[k - i] for i in range(k + 1)), type(a[0])(0)) for k in range(n + 1)]


def _exp(d: list[Fraction], n: int) -> list[Fraction]:
    """exp of a series with d[0] = 0: e_k = (1/k) sum_{i=1}^k i d_i e_{k-i}."""
    e = [Fraction(1)] + [Fraction(0)] * n
    for k in range(1, n + 1):
        e[k] = sum((i * d[i] * e[k - i] for i in range(1, k + 1)), Fraction(0)) / k
    return e


def _log1p(q: list[Any], n: int) -> list[Any]:
    """log(1 + q(y)) with q[0] = 0: l_k = q_k - (1/k) sum_{i=1}^{k-1} i l_i q_{k-i}."""
    out = [mpmath.mpf(0)] * (n + 1)
    for k in range(1, n + 1):
        out[k] = q[k] - sum((i * out[i] * q[k - i] for i in range(1, k)), mpmath.mpf(0)) / k
    return out


def dimer_error_log_series(taus: Sequence[Any], order: int) -> tuple[int, list[sp.Float]]:
    r"""The leading power and the series of :math:`\log(\varepsilon(x)/x^e)` in :math:`x^2` for :func:`dimer_classical_error`.

    With :math:`y = x^2`: :math:`\sqrt{1-16y}` and :math:`(1-16y)^{-1/2}` by the binomial series, the slow amplitude
    :math:`\lambda_+/(\lambda_+-\lambda_-) = \tfrac12(1 + (1-16y)^{-1/2})` and
    :math:`\lambda_- = (1-\sqrt{1-16y})/(8y) = 1 + 4y + 32y^2 + \dots`; then
    :math:`2e^{\tau}\Delta p_{\rm slow}(\tau) = \mathrm{amp}(y)\,e^{-\tau(\lambda_-(y)-1)} - 1 = \sum_{j\ge1}P_j(\tau)y^j`
    (rational coefficients for rational :math:`\tau`; exponential of a series by
    :math:`e_k = \tfrac1k\sum_i i\,d_i e_{k-i}`, Knuth TAOCP vol. 2, sec. 4.7).
    :math:`\varepsilon^2 = \sum_j f_j y^j` has its first non-zero coefficient at :math:`j_0`, so
    :math:`\varepsilon \sim x^{j_0}`: the leading power is :math:`e = j_0`.  Finally
    :math:`\log(\varepsilon/x^e) = \tfrac12\log f_{j_0} + \tfrac12\log(1 + \sum_{j>0} (f_{j_0+j}/f_{j_0})y^j) = \sum_j b_j y^j`.
    The fast part is beyond every power of :math:`x` and is not in the series.

    Parameters
    ----------
    taus
        The times :math:`\tau_i` (non-negative numbers; floats are taken at their exact binary value).
    order
        Number of correction terms: :math:`b_0..b_{\rm order}` are returned (an integer >= 0).

    Returns
    -------
    (int, list of sympy.Float)
        The leading power :math:`e` and :math:`b_0, \dots, b_{\rm order}` (50 significant digits).
    """
    order = v.integer(order, "order", minimum=0)
    ts = [num(t, f"taus[{i}]", sign="nonnegative") for i, t in enumerate(sequence(taus, "taus"))]
    fr = []
    for i, t in enumerate(ts):
        if not t.is_Rational and not t.is_Float:
            raise TypeError(f"taus[{i}] must be a rational or floating-point number; got {t}")
        fr.append(Fraction(int(sp.Rational(t).p), int(sp.Rational(t).q)))
    n = 2 * order + 6  # enough terms of eps^2 for j0 <= 4 and `order` corrections
    s = _binomial_series(Fraction(1, 2), -16, n + 1)
    inv_s = _binomial_series(Fraction(-1, 2), -16, n)
    amp = [(a + (1 if j == 0 else 0)) / 2 for j, a in enumerate(inv_s)]
    d = [Fraction(0)] + [-s[j + 1] / 8 for j in range(1, n + 1)]  # lambda_- - 1
    with mpmath.workdps(_DPS):
        f = [mpmath.mpf(0)] * (n + 1)
        for t in fr:
            P = _mul(amp, _exp([-t * dj for dj in d], n), n)
            P[0] -= 1
            P2 = _mul(P, P, n)
            w = mpmath.exp(-2 * mpmath.mpf(t.numerator) / t.denominator) / (4 * len(fr))
            f = [fj + w * mpmath.mpf(c.numerator) / c.denominator for fj, c in zip(f, P2)]
        j0 = next(j for j, c in enumerate(f) if abs(c) > mpmath.mpf(10) ** (-_DPS + 5))
        q = [mpmath.mpf(0)] + [f[j0 + j] / f[j0] for j in range(1, n - j0 + 1)]
        if order > len(q) - 1:
            raise ValueError(f"order {order} too large for the series computed")
        lg = _log1p(q, order)
        b = [mpmath.log(f[j0]) / 2] + [lg[j] / 2 for j in range(1, order + 1)]
        return j0, [sp.Float(mpmath.nstr(c, _DPS), _DPS) for c in b]
