r"""Standardized cumulants :math:`\lambda_r = \kappa_r / \kappa_2^{r/2}` (private; re-exported by :mod:`theory.cumulants`)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy as sp

from theory.cumulants._moments import _check_sequence

__all__ = ["standardized_cumulants"]


def standardized_cumulants(cumulants: Sequence[Any]) -> list[Any]:
    r"""Standardized cumulants :math:`\lambda_r = \kappa_r / \kappa_2^{r/2}`, :math:`r = 1..R`.

    :math:`\lambda_2 = 1`, :math:`\lambda_3` is the skewness and :math:`\lambda_4`
    the excess kurtosis; :math:`S_n = (\sum_i X_i - n\kappa_1)/\sqrt{n\kappa_2}` has
    cumulants :math:`\lambda_r n^{1-r/2}` (Hall 1992, sec. 2.2).

    Parameters
    ----------
    cumulants
        ``[k1, k2, ...]`` with at least two entries and ``k2 > 0``.  Exact
        inputs (ints, Fractions, sympy) give exact sympy results; floats and
        float arrays give floats.

    Returns
    -------
    list
        ``[l1, l2 = 1, l3, ...]``, the same length as ``cumulants``.

    References
    ----------
    Hall, "The Bootstrap and Edgeworth Expansion" (1992), sec. 2.2.
    """
    k = _check_sequence(cumulants, "cumulants")
    if len(k) < 2:
        raise ValueError(f"cumulants must hold at least two values [k1, k2, ...], got {len(k)}")
    exact = any(isinstance(v, (int, Fraction, sp.Basic)) for v in k) and not any(isinstance(v, np.ndarray) for v in k)
    if exact:
        ks = [sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.sympify(v) for v in k]
        k2 = ks[1]
        if k2.is_number and not float(k2) > 0:
            raise ValueError(f"cumulants[1] (the variance k2) must be > 0, got {k2}")
        if k2.is_positive is False:
            raise ValueError(f"cumulants[1] (the variance k2) must be > 0, got {k2}")
        return [sp.powsimp(v / k2 ** sp.Rational(r, 2)) for r, v in enumerate(ks, 1)]
    k2f = np.asarray(k[1], dtype=float)
    if np.any(k2f <= 0):
        raise ValueError("cumulants[1] (the variance k2) must be > 0")
    out = [np.asarray(v, dtype=float) / k2f ** (r / 2) for r, v in enumerate(k, 1)]
    return [float(o) if o.ndim == 0 else o for o in out]
