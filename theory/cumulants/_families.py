"""Private: exact cumulants of named distribution families (re-exported by :mod:`theory.cumulants`)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from theory import validate as v
from theory.cumulants._moments import cumulants_from_moments, moments_from_cumulants

__all__ = ["family_cumulants", "FAMILIES", "exact"]


def exact(value: Any, name: str) -> sp.Expr:
    """Convert a parameter to an exact sympy value (floats exactly, by their binary value)."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or sympy expression; got {value!r}")
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value}")
        return sp.Rational(float(value))
    if isinstance(value, sp.Expr):
        if value.is_number and (value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.is_finite is False):
            raise ValueError(f"{name} must be finite, got {value}")
        return value
    raise TypeError(f"{name} must be an int, Fraction, float or sympy expression, got {type(value).__name__}")


def _need(value: sp.Expr, ok: Callable[[float], bool], name: str, accepted: str) -> None:
    """Range check for numeric parameters (symbolic ones are trusted to their assumptions)."""
    if value.is_number and not ok(float(value)):
        raise ValueError(f"{name} must be {accepted}, got {value}")


def _pos(value: Any, name: str) -> sp.Expr:
    e = exact(value, name)
    _need(e, lambda x: x > 0, name, "> 0")
    return e


def _prob(value: Any, name: str) -> sp.Expr:
    e = exact(value, name)
    _need(e, lambda x: 0 <= x <= 1, name, "in [0, 1]")
    return e


def _normal(order: int, mu: Any = 0, sigma2: Any = 1) -> list[sp.Expr]:
    m, s2 = exact(mu, "mu"), exact(sigma2, "sigma2")
    _need(s2, lambda x: x >= 0, "sigma2", ">= 0 (a variance)")
    return [m, s2, *[sp.Integer(0)] * (order - 2)][:order]


def _gamma(order: int, shape: Any = 1, scale: Any = 1) -> list[sp.Expr]:
    # log E e^{tX} = -shape log(1 - scale t)  =>  k_r = shape (r-1)! scale^r
    a, s = _pos(shape, "shape"), _pos(scale, "scale")
    return [sp.expand(a * sp.factorial(r - 1) * s**r) for r in range(1, order + 1)]


def _exponential(order: int, rate: Any = 1) -> list[sp.Expr]:
    lam = _pos(rate, "rate")
    return _gamma(order, 1, 1 / lam)


def _chi2(order: int, df: Any = 1) -> list[sp.Expr]:
    return _gamma(order, _pos(df, "df") / 2, 2)


def _poisson(order: int, lam: Any = 1) -> list[sp.Expr]:
    return [_pos(lam, "lam")] * order


def _uniform(order: int, a: Any = 0, b: Any = 1) -> list[sp.Expr]:
    # log E e^{tX} = t(a+b)/2 + log(sinh(ht/2)/(ht/2)), h = b-a  =>  k_r = B_r h^r / r (r >= 2)
    lo, hi = exact(a, "a"), exact(b, "b")
    h = hi - lo
    _need(h, lambda x: x > 0, "b - a", "> 0 (need a < b)")
    out = [(lo + hi) / 2] + [sp.bernoulli(r) * h**r / r for r in range(2, order + 1)]
    return [sp.expand(v) for v in out[:order]]


def _bernoulli(order: int, p: Any = sp.Rational(1, 2)) -> list[sp.Expr]:
    q = _prob(p, "p")
    return cumulants_from_moments([q] * order)  # E X^r = p for every r >= 1


def _binomial(order: int, n: Any = 1, p: Any = sp.Rational(1, 2)) -> list[sp.Expr]:
    nn = exact(n, "n")
    if nn.is_number and (not nn.is_integer or nn < 1):
        raise ValueError(f"n must be an integer >= 1, got {n}")
    return [sp.expand(nn * k) for k in _bernoulli(order, p)]


def _two_point(order: int, p: Any = sp.Rational(1, 2), a: Any = 0, b: Any = 1) -> list[sp.Expr]:
    # X = a + (b - a) B with B ~ Bernoulli(p): P(X = b) = p, P(X = a) = 1 - p
    lo, hi = exact(a, "a"), exact(b, "b")
    _need(hi - lo, lambda x: x != 0, "b - a", "!= 0 (two distinct points)")
    kb = _bernoulli(order, p)
    out = [sp.expand(lo + (hi - lo) * kb[0])]
    out += [sp.expand((hi - lo) ** r * kb[r - 1]) for r in range(2, order + 1)]
    return out


def _laplace(order: int, loc: Any = 0, scale: Any = 1) -> list[sp.Expr]:
    # log E e^{tX} = loc t - log(1 - b^2 t^2)  =>  k_{2j} = 2 (2j-1)! b^{2j}, odd k_r = 0 (r >= 3)
    m, b = exact(loc, "loc"), _pos(scale, "scale")
    out = [m] + [sp.Integer(0) if r % 2 else sp.expand(2 * sp.factorial(r - 1) * b**r) for r in range(2, order + 1)]
    return out[:order]


def _normal_mixture(order: int, weights: Sequence[Any] = (1,), means: Sequence[Any] = (0,), variances: Sequence[Any] = (1,)) -> list[sp.Expr]:
    w = [exact(v, f"weights[{i}]") for i, v in enumerate(weights)]
    m = [exact(v, f"means[{i}]") for i, v in enumerate(means)]
    s = [exact(v, f"variances[{i}]") for i, v in enumerate(variances)]
    if not (len(w) == len(m) == len(s)) or not w:
        raise ValueError(f"weights, means, variances must be non-empty and of equal length, got {len(w)}, {len(m)}, {len(s)}")
    for i, wi in enumerate(w):
        _need(wi, lambda x: x >= 0, f"weights[{i}]", ">= 0")
    for i, si in enumerate(s):
        _need(si, lambda x: x >= 0, f"variances[{i}]", ">= 0 (a variance)")
    total = sp.Add(*w)
    if total.is_number and sp.simplify(total - 1) != 0:
        raise ValueError(f"weights must sum to 1, got sum {total}")
    comp = [moments_from_cumulants([mi, si, *[0] * (order - 2)][:order]) for mi, si in zip(m, s)]
    mix = [sp.expand(sum(wi * c[r] for wi, c in zip(w, comp))) for r in range(order)]
    return cumulants_from_moments(mix)


FAMILIES: dict[str, Callable[..., list[sp.Expr]]] = {
    "normal": _normal,
    "exponential": _exponential,
    "gamma": _gamma,
    "chi2": _chi2,
    "poisson": _poisson,
    "uniform": _uniform,
    "bernoulli": _bernoulli,
    "binomial": _binomial,
    "two_point": _two_point,
    "laplace": _laplace,
    "normal_mixture": _normal_mixture,
}


def family_cumulants(family: str, order: int, **params: Any) -> list[sp.Expr]:
    r"""Exact cumulants ``[k1, ..., k_order]`` of a named distribution family.

    ===============  ============================  ==========================================================
    family           parameters (defaults)          cumulants
    ===============  ============================  ==========================================================
    normal           mu=0, sigma2=1                 :math:`\mu, \sigma^2, 0, 0, \dots`
    exponential      rate=1                         :math:`(r-1)!/\lambda^r`
    gamma            shape=1, scale=1               :math:`a\,(r-1)!\,\theta^r`
    chi2             df=1                           :math:`2^{r-1}(r-1)!\,\nu`
    poisson          lam=1                          :math:`\lambda` for every r
    uniform          a=0, b=1                       :math:`\kappa_1=(a+b)/2`, :math:`\kappa_r = B_r (b-a)^r / r`
    bernoulli        p=1/2                          from :math:`\mathbb E X^r = p`
    binomial         n=1, p=1/2                     n times Bernoulli
    two_point        p=1/2, a=0, b=1                :math:`P(X=b)=p,\ P(X=a)=1-p`; :math:`(b-a)^r` times Bernoulli (r>=2)
    laplace          loc=0, scale=1                 :math:`\kappa_{2j} = 2(2j-1)!\,b^{2j}`, odd ones 0
    normal_mixture   weights, means, variances      mixture moments, then :func:`cumulants_from_moments`
    ===============  ============================  ==========================================================

    Parameters
    ----------
    family
        One of the names above.
    order
        Number of cumulants (>= 1).
    **params
        Family parameters: ints, Fractions, floats (converted exactly by their
        binary value) or sympy expressions (range checks apply to numeric ones).

    Returns
    -------
    list of sympy.Expr
        Exact cumulants.

    References
    ----------
    Kendall & Stuart, "The Advanced Theory of Statistics" vol. 1, ch. 3-5;
    Johnson, Kotz & Balakrishnan, "Continuous Univariate Distributions" (uniform: Bernoulli numbers).
    """
    if not isinstance(family, str):
        raise TypeError(f"family must be a string; got {v.describe(family)}")
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {sorted(FAMILIES)}")
    order = v.integer(order, "order", minimum=1)
    try:
        return list(FAMILIES[family](int(order), **params))
    except TypeError as exc:
        if "unexpected keyword" in str(exc):
            raise TypeError(f"family {family!r}: {exc}") from exc
        raise
