"""Argument checks for cumulants and the symbolic (sympy) expansions (private)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from theory import validate as v
from theory.edgeworth._terms import _term_coefficients, hermite_poly

__all__ = ["x_sym", "n_sym", "_Symbolic", "_validate_cumulants", "_is_symbolic"]

#: The symbols of :meth:`Edgeworth.density_expr` and :meth:`Edgeworth.cdf_expr`.
x_sym = sp.Symbol("x", real=True)
n_sym = sp.Symbol("n", positive=True)

def _is_symbolic(c: Any) -> bool:
    return isinstance(c, sp.Basic) and not c.is_number


def _validate_cumulants(cumulants: Any) -> tuple[Any, ...]:
    if isinstance(cumulants, np.ndarray):
        if cumulants.ndim != 1:
            raise ValueError(f"cumulants must be one-dimensional; got shape {cumulants.shape}")
        if cumulants.dtype.kind not in "iufO":
            raise TypeError(f"cumulants must be real numbers; got an array of dtype {cumulants.dtype}")
        items = cumulants.tolist()
    elif isinstance(cumulants, (list, tuple)):
        items = list(cumulants)
    else:
        raise TypeError(f"cumulants must be a list, tuple or 1-d array [k1, k2, ...]; got {v.describe(cumulants)}")
    if len(items) < 2:
        raise ValueError(f"cumulants needs at least two entries [k1, k2]; got {len(items)}")
    out = []
    for i, c in enumerate(items):
        name = f"cumulants[{i}] (k{i + 1})"
        c = v.scalar(c, name)
        if isinstance(c, np.generic):
            c = c.item()
        if isinstance(c, sp.Basic):
            if not isinstance(c, sp.Expr):
                raise TypeError(f"{name} must be a number or a sympy expression; got {v.describe(c)}")
            if c.is_number and (c.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or c.is_finite is False):
                raise ValueError(f"{name} must be finite; got {c}")
            if c.is_number and c.is_real is False:
                raise TypeError(f"{name} must be real; got {c}")
        elif isinstance(c, complex):
            raise TypeError(f"{name} must be real; got {c!r}")
        elif not math.isfinite(float(c)):
            raise ValueError(f"{name} must be finite; got {c!r}")
        out.append(c)
    k2 = out[1]
    if not _is_symbolic(k2) and not float(k2) > 0:
        raise ValueError(f"cumulants[1] (k2, the variance) must be > 0; got {k2}")
    return tuple(out)


class _Symbolic:
    """The sympy expressions of the expansion (mixed into :class:`theory.edgeworth.Edgeworth`)."""

    _lam_exact: list[Any] | None

    def _check_order(self, order: Any, what: str = "order") -> int: ...  # pragma: no cover
    def _numeric(self) -> list[float]: ...  # pragma: no cover

    def _lam_sym(self) -> list[Any]:
        if self._lam_exact is not None:
            return list(self._lam_exact)
        return [sp.Float(c, 17) for c in self._numeric()]

    def density_expr(self, order: int) -> sp.Expr:
        r"""The order-``order`` density :math:`\phi(x)[1 + \sum_j n^{-j/2} p_j(x)]` as a sympy expression in ``x`` and ``n``.

        Exact cumulants (ints, Fractions, sympy) give exact coefficients.

        Parameters
        ----------
        order
            Number of correction terms (0 = Gaussian).

        Returns
        -------
        sympy.Expr
            In the symbols :data:`x_sym` and :data:`n_sym`.

        References
        ----------
        Petrov 1975, ch. VI, eq. (1.14).
        """
        o = self._check_order(order)
        lam = self._lam_sym()
        series = sp.Integer(1)
        for j in range(1, o + 1):
            pj = sum((c * hermite_poly(k, x_sym) for k, c in _term_coefficients(j, lam).items()), sp.Integer(0))
            series += n_sym ** sp.Rational(-j, 2) * pj
        return sp.exp(-x_sym**2 / 2) / sp.sqrt(2 * sp.pi) * series

    def cdf_expr(self, order: int) -> sp.Expr:
        r"""The order-``order`` continuous distribution-function expansion as a sympy expression in ``x`` and ``n``.

        :math:`\Phi(x) - \phi(x) \sum_j n^{-j/2} Q_j(x)`; lattice terms are numeric only.

        Parameters
        ----------
        order
            Number of correction terms (0 = Gaussian).

        Returns
        -------
        sympy.Expr
            In the symbols :data:`x_sym` and :data:`n_sym`.

        References
        ----------
        Petrov 1975, ch. VI.
        """
        o = self._check_order(order)
        lam = self._lam_sym()
        corr = sp.Integer(0)
        for j in range(1, o + 1):
            qj = sum((c * hermite_poly(k - 1, x_sym) for k, c in _term_coefficients(j, lam).items()), sp.Integer(0))
            corr += n_sym ** sp.Rational(-j, 2) * qj
        Phi = (1 + sp.erf(x_sym / sp.sqrt(2))) / 2
        return Phi - sp.exp(-x_sym**2 / 2) / sp.sqrt(2 * sp.pi) * corr
