r"""Truncation budgets of the Edgeworth, Cornish-Fisher and lattice expansions (private).

Write the order-``k`` expansion's error as the omitted terms,
:math:`R_k(x) = \sum_{j>k} T_j(x)` with :math:`T_j = O(n^{-j/2})`.  The first omitted
term :math:`T_{k+1}` is the error *to leading order*, but it is an estimate, not a
bound: it vanishes where its polynomial does (:math:`Q_1 \propto He_2` at
:math:`x = \pm 1`, the odd terms at the median of a symmetric law) while the error does
not, and it is too small where the series is far from its asymptotic regime (the tails
at small ``n``).

The budget used by the checks is

.. math::

    B_k(x) = s \sum_{i=1}^{m} |T_{j_i}(x)|, \qquad m = 3, \quad s = 2,

with :math:`j_1 < j_2 < j_3` the first three omitted orders whose terms do not vanish
identically.  It vanishes only where three terms of different parity vanish together
(nowhere, for the laws used here).  The factor :math:`s = 2` states the assumption that
the series is in its asymptotic regime: the omitted terms beyond the third add up to no
more than the three taken, :math:`|R_{j_3}| \le \sum_i |T_{j_i}|`, so
:math:`|R_k| \le 2 \sum_i |T_{j_i}|`.  That assumption is not a theorem at finite ``n``;
it is verified against exact laws (Gamma, Irwin-Hall, normal mixture, binomial, two-point
sums; ``tests/theory/test_edgeworth_budgets.py``) over the ranges of ``n``, order and
``x`` (probability levels 0.01 to 0.99) where the checks use it, where the largest
observed :math:`|R_k| / \sum_i |T_{j_i}|` is about 1.45.

References: Petrov 1975, *Sums of Independent Random Variables*, ch. VI (the remainder
:math:`O(n^{-(k+1)/2})`); Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.4
(the terms are not bounds); Bhattacharya & Rao 1976, Thm. 23.1 (lattice terms).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.polynomial import hermite_e as H
from numpy.polynomial import polynomial as P
from scipy import special

from theory import validate as v

__all__ = ["BUDGET_TERMS", "BUDGET_SAFETY", "_Budgets"]

#: Number of omitted (non-vanishing) terms summed in a truncation budget.
BUDGET_TERMS: int = 3
#: Factor on their sum: the terms beyond them are assumed to add up to no more than they do.
BUDGET_SAFETY: float = 2.0

_SQRT2PI = float(np.sqrt(2 * np.pi))


class _Budgets:
    """Truncation estimates and budgets (mixed into :class:`theory.edgeworth.Edgeworth`)."""

    # provided by Edgeworth
    cumulants: tuple[Any, ...]
    max_order: int
    lattice: tuple[float, float] | None

    def _check_order(self, order: Any, what: str = "order") -> int: ...  # pragma: no cover
    def _check_n(self, n: Any) -> float: ...  # pragma: no cover
    def _terms(self, j: int) -> dict[int, float]: ...  # pragma: no cover
    def _series(self, n: float, orders: range, shift: int = 0) -> np.ndarray: ...  # pragma: no cover
    def _cdf_smooth(self, xa: np.ndarray, nf: float, orders: range, deriv: int = 0) -> np.ndarray: ...  # pragma: no cover
    def _lattice_order_term(self, xa: np.ndarray, nf: float, t: int) -> np.ndarray: ...  # pragma: no cover
    def _cf(self, order: int) -> list[np.ndarray]: ...  # pragma: no cover

    # ---------------------------------------------------------------- which terms
    def _omitted_orders(self, order: int, terms: int, kind: str) -> list[int]:
        """The first ``terms`` orders ``j > order`` whose ``kind`` term ("density", "lattice", "quantile") is not zero."""
        out: list[int] = []
        j = order + 1
        while len(out) < terms:
            if j > self.max_order:
                raise ValueError(
                    f"the truncation of order {order} sums the first {terms} omitted non-vanishing term(s); term {j} "
                    f"needs cumulants up to k{j + 2}, but only {len(self.cumulants)} were given"
                )
            if kind == "lattice":
                vanishes = False
            elif kind == "quantile":
                vanishes = not np.any(self._cf(j)[j - 1])
            else:
                vanishes = all(c == 0.0 for c in self._terms(j).values())
            if not vanishes:
                out.append(j)
            j += 1
        return out

    def _args(self, x: Any, n: Any, order: Any, terms: Any, name: str = "x") -> tuple[np.ndarray, float, int, int]:
        o = self._check_order(order)
        nf = self._check_n(n)
        xa = v.array(x, name)
        t = v.integer(terms, "terms", minimum=1)
        return xa, nf, o, t

    # ---------------------------------------------------------------- estimates
    def pdf_truncation(self, x: Any, n: Any, order: int, *, terms: int = 1) -> np.ndarray:
        r"""Sum of the first ``terms`` omitted density terms, :math:`\sum_i \phi(x)\, n^{-j_i/2} |p_{j_i}(x)|`.

        With ``terms=1`` this is the first omitted term: the error to leading order, an
        *estimate* that vanishes where :math:`p_{j_1}` does.  :meth:`pdf_budget` is the bound.

        Parameters
        ----------
        x
            Points (array-like, finite).
        n
            Number of summands (a real >= 1).
        order
            The expansion's order (>= 0).
        terms
            How many omitted non-vanishing terms to add (>= 1).

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        Raises
        ------
        ValueError
            Not enough cumulants for the omitted terms (term ``j`` needs :math:`\kappa_{j+2}`).

        References
        ----------
        Petrov 1975, ch. VI; Hall 1992, sec. 2.4.
        """
        xa, nf, o, t = self._args(x, n, order, terms)
        phi = np.exp(-0.5 * xa * xa) / _SQRT2PI
        out = np.zeros_like(xa)
        for j in self._omitted_orders(o, t, "density"):
            out += np.abs(H.hermeval(xa, self._series(nf, range(j, j + 1)))) * phi
        return out

    def cdf_truncation(self, x: Any, n: Any, order: int, *, terms: int = 1) -> np.ndarray:
        r"""Sum of the first ``terms`` omitted distribution-function terms, :math:`\sum_i \phi(x)\, n^{-j_i/2} |Q_{j_i}(x)|`.

        With a lattice, term ``t`` is every product :math:`\eta^r n^{-(t-r)/2}` of the lattice
        expansion with total order ``t`` (no term is skipped).  ``terms=1`` gives the first
        omitted term (an estimate); :meth:`cdf_budget` is the bound.  Parameters as in
        :meth:`pdf_truncation`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        Petrov 1975, ch. VI; Bhattacharya & Rao 1976, Thm. 23.1 (lattice).
        """
        xa, nf, o, t = self._args(x, n, order, terms)
        out = np.zeros_like(xa)
        if self.lattice is None:
            for j in self._omitted_orders(o, t, "density"):
                out += np.abs(self._cdf_smooth(xa, nf, range(j, j + 1)))
        else:
            for j in self._omitted_orders(o, t, "lattice"):
                out += np.abs(self._lattice_order_term(xa, nf, j))
        return out

    def ppf_truncation(self, q: Any, n: Any, order: int, *, terms: int = 1) -> np.ndarray:
        r"""Sum of the first ``terms`` omitted Cornish-Fisher terms, :math:`\sum_i n^{-j_i/2} |c_{j_i}(z)|`, :math:`z = \Phi^{-1}(q)`.

        ``terms=1`` gives the first omitted term (an estimate); :meth:`ppf_budget` is the bound.

        Parameters
        ----------
        q
            Probability levels, strictly inside (0, 1).
        n, order, terms
            As in :meth:`pdf_truncation`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``.

        References
        ----------
        Cornish & Fisher 1937; Hall 1992, sec. 2.5.
        """
        qa, nf, o, t = self._args(q, n, order, terms, "q")
        if np.any((qa <= 0) | (qa >= 1)):
            raise ValueError("q must lie strictly between 0 and 1")
        z = special.ndtri(qa)
        out = np.zeros_like(qa)
        for j in self._omitted_orders(o, t, "quantile"):
            out += nf ** (-j / 2) * np.abs(P.polyval(z, self._cf(j)[j - 1]))
        return out

    # ---------------------------------------------------------------- bounds
    def pdf_budget(self, x: Any, n: Any, order: int) -> np.ndarray:
        r"""Truncation budget of the order-``order`` density: :math:`2 \sum_{i\le3} \phi(x)\, n^{-j_i/2} |p_{j_i}(x)|`.

        See the module docstring for the derivation of the form and its verification against
        exact laws.  Needs cumulants up to :math:`\kappa_{j_3 + 2}`.

        Parameters
        ----------
        x, n, order
            As in :meth:`pdf_truncation`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        Petrov 1975, ch. VI; Hall 1992, sec. 2.4.
        """
        return BUDGET_SAFETY * self.pdf_truncation(x, n, order, terms=BUDGET_TERMS)

    def cdf_budget(self, x: Any, n: Any, order: int) -> np.ndarray:
        r"""Truncation budget of the order-``order`` distribution function: twice the first three omitted terms.

        :math:`2 \sum_{i\le3} |T_{j_i}(x)|` with the continuous terms
        :math:`T_j = -\phi(x) n^{-j/2} Q_j(x)`, or with a lattice the lattice terms of total
        orders ``order + 1 .. order + 3``.  Parameters as in :meth:`pdf_truncation`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        Petrov 1975, ch. VI; Bhattacharya & Rao 1976, Thm. 23.1.
        """
        return BUDGET_SAFETY * self.cdf_truncation(x, n, order, terms=BUDGET_TERMS)

    def ppf_budget(self, q: Any, n: Any, order: int) -> np.ndarray:
        r"""Truncation budget of the order-``order`` Cornish-Fisher quantile: :math:`2 \sum_{i\le3} n^{-j_i/2} |c_{j_i}(z)|`.

        Parameters as in :meth:`ppf_truncation`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``.

        References
        ----------
        Cornish & Fisher 1937; Hill & Davis 1968; Hall 1992, sec. 2.5.
        """
        return BUDGET_SAFETY * self.ppf_truncation(q, n, order, terms=BUDGET_TERMS)
