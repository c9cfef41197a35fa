"""Private core of :mod:`theory.cumulants`: the univariate moment <-> cumulant recursions and the
argument checks shared by the package.

All arithmetic here is ``+``, ``-`` and multiplication by Python integers, so
ints, :class:`fractions.Fraction`, sympy expressions and numpy float arrays all
pass through without loss (no integer division anywhere).
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real
from typing import Any, Sequence

import numpy as np
import sympy as sp

from theory import validate as v

__all__ = [
    "moments_from_cumulants",
    "cumulants_from_moments",
    "central_moments_from_cumulants",
    "cumulants_from_central_moments",
]


def _check_value(x: Any, name: str) -> Any:
    """Validate one moment / cumulant (``theory.validate``); returns it (numpy ints become Python ints, arrays are copied)."""
    if isinstance(x, np.ndarray):
        return v.array(x, name)  # a float64 copy; bool, string and complex arrays are rejected
    if isinstance(x, sp.Basic):  # before validate.scalar, which cannot classify applied undefined functions
        if not isinstance(x, sp.Expr):
            raise TypeError(f"{name} must be a sympy expression; got {v.describe(x)}")
        if x.is_number and (x.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or x.is_finite is False):
            raise ValueError(f"{name} must be finite; got {x}")
        return x
    x = v.scalar(x, name)  # rejects strings, bools and None: nothing is parsed
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (int, Fraction)):
        return x
    if isinstance(x, (float, np.floating)):
        return v.real(x, name)
    if isinstance(x, Real):
        return v.real(x, name)
    raise TypeError(f"{name} must be an int, Fraction, float, real numpy array or sympy expression; got {v.describe(x)}")


def _check_sequence(seq: Any, name: str) -> list[Any]:
    if isinstance(seq, (str, bytes, dict)) or not hasattr(seq, "__len__"):
        raise TypeError(f"{name} must be a sequence [x_1, x_2, ...]; got {v.describe(seq)}")
    items = list(seq)  # copy: the caller's object is never mutated
    if len(items) < 1:
        raise ValueError(f"{name} must hold at least one value (order >= 1), got an empty sequence")
    return [_check_value(x, f"{name}[{i}]") for i, x in enumerate(items)]


def _items(items: Any, name: str) -> list[Any]:
    if items is None or isinstance(items, (str, bytes, dict)):
        raise TypeError(f"{name} must be a sequence of labels; got {v.describe(items)}")
    try:
        return list(items)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of labels; got {v.describe(items)}") from None


def _tidy(v: Any) -> Any:
    return sp.expand(v) if isinstance(v, sp.Basic) else v


def moments_from_cumulants(cumulants: Sequence[Any]) -> list[Any]:
    r"""Raw moments :math:`m_1..m_r` from cumulants :math:`\kappa_1..\kappa_r`.

    Uses the recursion obtained by differentiating :math:`M = e^{K}`:

    .. math:: m_n = \sum_{j=1}^{n} \binom{n-1}{j-1} \kappa_j\, m_{n-j}, \qquad m_0 = 1 .

    Parameters
    ----------
    cumulants
        ``[k1, ..., kr]`` (ints, Fractions, floats, float arrays or sympy expressions; not mutated).

    Returns
    -------
    list
        ``[m1, ..., mr]`` of the same kind (ints stay ints).

    References
    ----------
    Smith, "A recursive formulation of the old problem of obtaining moments from
    cumulants and vice versa", Am. Stat. 49 (1995) 217; Kendall & Stuart vol. 1, sec. 3.14.
    """
    k = _check_sequence(cumulants, "cumulants")
    m: list[Any] = [1]
    for n in range(1, len(k) + 1):
        m.append(_tidy(sum(math.comb(n - 1, j - 1) * k[j - 1] * m[n - j] for j in range(1, n + 1))))
    return m[1:]


def cumulants_from_moments(moments: Sequence[Any]) -> list[Any]:
    r"""Cumulants :math:`\kappa_1..\kappa_r` from raw moments :math:`m_1..m_r`.

    Inverse of :func:`moments_from_cumulants`:

    .. math:: \kappa_n = m_n - \sum_{j=1}^{n-1} \binom{n-1}{j-1} \kappa_j\, m_{n-j}.

    Parameters
    ----------
    moments
        ``[m1, ..., mr]`` (ints, Fractions, floats, float arrays or sympy expressions; not mutated).

    Returns
    -------
    list
        ``[k1, ..., kr]`` of the same kind.

    Raises
    ------
    TypeError, ValueError
        A value that is not a number, array or sympy expression; a non-finite one; an empty sequence.

    References
    ----------
    Smith, Am. Stat. 49 (1995) 217; McCullagh, "Tensor Methods in Statistics" (1987), sec. 2.3.
    """
    m = _check_sequence(moments, "moments")
    mm = [1, *m]
    k: list[Any] = []
    for n in range(1, len(m) + 1):
        k.append(_tidy(mm[n] - sum(math.comb(n - 1, j - 1) * k[j - 1] * mm[n - j] for j in range(1, n))))
    return k


def central_moments_from_cumulants(cumulants: Sequence[Any]) -> list[Any]:
    r"""Central moments :math:`\mu_1 = 0, \mu_2, ..., \mu_r` from cumulants (``k1`` is ignored).

    :math:`\mu_n` is the raw moment of :math:`X - \kappa_1`, whose cumulants are
    :math:`(0, \kappa_2, \kappa_3, ...)`: :math:`\mu_n = \sum_{j=2}^{n} \binom{n-1}{j-1} \kappa_j \mu_{n-j}`.

    Parameters
    ----------
    cumulants
        ``[k1, ..., kr]`` (as for :func:`moments_from_cumulants`).

    Returns
    -------
    list
        ``[0, mu2, ..., mur]``.

    References
    ----------
    Kendall & Stuart, *The Advanced Theory of Statistics* vol. 1, sec. 3.14.
    """
    k = _check_sequence(cumulants, "cumulants")
    return moments_from_cumulants([0, *k[1:]])


def cumulants_from_central_moments(central_moments: Sequence[Any], *, mean: Any = 0) -> list[Any]:
    r"""Cumulants from central moments ``[mu1 = 0, mu2, ..., mur]`` and the mean.

    :math:`\kappa_1 = ` ``mean``; for :math:`r \ge 2` the cumulants of :math:`X` and of
    :math:`X - \kappa_1` coincide, so they are :func:`cumulants_from_moments` of the central moments.

    Parameters
    ----------
    central_moments
        ``[0, mu2, ..., mur]`` (as for :func:`cumulants_from_moments`).
    mean
        :math:`\kappa_1` (a number or sympy expression).

    Returns
    -------
    list
        ``[k1 = mean, k2, ..., kr]``.

    Raises
    ------
    ValueError
        If ``central_moments[0]`` (the first central moment) is a non-zero number.

    References
    ----------
    Kendall & Stuart, *The Advanced Theory of Statistics* vol. 1, sec. 3.14.
    """
    mu = _check_sequence(central_moments, "central_moments")
    first = mu[0]
    if isinstance(first, sp.Basic):
        nonzero = first.is_number and sp.simplify(first) != 0
    else:
        nonzero = bool(np.any(np.asarray(first, dtype=float) != 0))
    if nonzero:
        raise ValueError(f"central_moments[0] (the first central moment) must be 0, got {first}")
    k = cumulants_from_moments(mu)
    k[0] = _check_value(mean, "mean")
    return k
