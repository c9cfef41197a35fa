r"""Edgeworth expansions of standardized sums, Cornish-Fisher quantiles, Esseen's lattice correction.

For iid :math:`X` with cumulants :math:`\kappa_1, \kappa_2, \dots` and standardized
cumulants :math:`\lambda_r = \kappa_r / \kappa_2^{r/2}`, the standardized sum
:math:`S_n = (X_1 + \dots + X_n - n\kappa_1)/\sqrt{n\kappa_2}` has

.. math::

    f_n(x) = \phi(x)\Big[1 + \sum_{j\ge1} n^{-j/2} p_j(x)\Big], \qquad
    F_n(x) = \Phi(x) - \phi(x) \sum_{j\ge1} n^{-j/2} Q_j(x),

where :math:`p_j` is a sum over the integer partitions of :math:`j` of Hermite
polynomials :math:`He_{j+2r}` and :math:`Q_j` replaces each :math:`He_k` by
:math:`He_{k-1}` (Petrov 1975, *Sums of Independent Random Variables*, ch. VI;
Blinnikov & Moessner 1998, A&AS 130:193).  The series is asymptotic, not
convergent; the CDF expansion beyond :math:`o(n^{-1/2})` needs Cramer's
condition, which lattice variables violate: for a lattice of span :math:`h` the
CDF gets the periodic terms of Esseen (1945) in the general form of
Bhattacharya & Rao (1976, *Normal Approximation and Asymptotic Expansions*,
Thm. 23.1):

.. math::

    F_n(x) \approx \sum_{r\ge0} \frac{(-\eta)^r}{r!} B_r(\{y\})\, G_n^{(r)}(x),
    \qquad \eta = \frac{h}{\sqrt{n\kappa_2}}, \quad
    y = \frac{n(\kappa_1 - a) + x\sqrt{n\kappa_2}}{h},

with :math:`B_r` the Bernoulli polynomials, :math:`\{y\}` the fractional part,
:math:`a` the lattice origin and :math:`G_n` the continuous expansion; the
:math:`r=1` term is Esseen's :math:`\eta\,(\lfloor y\rfloor - y + 1/2)\,\phi(x)`.
"""

from __future__ import annotations

import functools
import math
import numbers
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp
from numpy.polynomial import hermite_e as H
from numpy.polynomial import polynomial as P
from scipy import special

from theory import validate as v
from theory.cumulants import standardized_cumulants
from theory.edgeworth._budget import _Budgets
from theory.edgeworth._quantiles import cornish_fisher_coefficients
from theory.edgeworth._symbolic import _Symbolic, _is_symbolic, _validate_cumulants, n_sym, x_sym
from theory.edgeworth._terms import _term_coefficients
from theory.edgeworth._warnings import CdfRangeWarning, NegativeDensityWarning, NonMonotoneQuantileWarning, warn_where

__all__ = ["Edgeworth", "x_sym", "n_sym"]

_SQRT2PI = math.sqrt(2 * math.pi)


class Edgeworth(_Symbolic, _Budgets):
    r"""Edgeworth expansion of the standardized sum of ``n`` iid variables.

    Parameters
    ----------
    cumulants
        ``[k1, k2, k3, ...]``: raw (not standardized) cumulants of one summand, at least
        two; numbers (int, Fraction, float) or sympy expressions, ``k2 > 0``.  Never
        mutated; integers stay exact in the symbolic route.
    lattice
        ``(span, origin)`` when the summands live on ``origin + span * Z`` (maximal span);
        then :meth:`cdf` includes the lattice terms (Esseen 1945; Bhattacharya & Rao 1976,
        Thm. 23.1).

    Raises
    ------
    TypeError
        A cumulant that is not a real number or sympy expression; a malformed ``lattice``.
    ValueError
        Fewer than two cumulants, a non-finite one, ``k2 <= 0``, ``span <= 0``, or a
        lattice with symbolic cumulants.

    Notes
    -----
    ``order`` counts the :math:`n^{-1/2}` correction terms (0 = Gaussian) and is at most
    ``len(cumulants) - 2`` (term ``j`` needs :math:`\kappa_{j+2}`).  The truncation
    *budgets* (:meth:`pdf_budget`, :meth:`cdf_budget`, :meth:`ppf_budget`) need the
    cumulants of the first three omitted non-vanishing terms; the *estimates*
    (:meth:`pdf_truncation` ...) of the first omitted term(s).  Where a truncated
    expansion is not a valid distribution, :meth:`pdf`, :meth:`cdf` and :meth:`ppf` warn
    (:class:`~theory.edgeworth.EdgeworthWarning`) naming the range.

    References
    ----------
    Petrov 1975, *Sums of Independent Random Variables*, ch. VI; Hall 1992, *The Bootstrap
    and Edgeworth Expansion*, ch. 2; Bhattacharya & Rao 1976, *Normal Approximation and
    Asymptotic Expansions*, Thm. 23.1.
    """

    def __init__(self, cumulants: Sequence[Any], lattice: tuple[float, float] | None = None) -> None:
        self.cumulants = _validate_cumulants(cumulants)
        self.max_order = len(self.cumulants) - 2
        self._term_cache: dict[int, dict[int, float]] = {}
        self._cf_cache: list[np.ndarray] = []
        self.symbolic = any(_is_symbolic(c) for c in self.cumulants)
        exact = self.symbolic or all(isinstance(c, (numbers.Integral, Fraction, sp.Basic)) for c in self.cumulants)
        lam = standardized_cumulants(list(self.cumulants))[2:]  # [lambda_3, lambda_4, ...]
        self._lam_exact = [sp.simplify(c) for c in lam] if exact else None
        self._lam = None if self.symbolic else [float(c) for c in lam]
        self.lattice: tuple[float, float] | None = None
        if lattice is not None:
            span, origin = v.reals(lattice, "lattice", length=2)
            if span <= 0:
                raise ValueError(f"lattice span must be > 0; got {span}")
            if self.symbolic:
                raise ValueError("lattice corrections need numeric cumulants")
            self.lattice = (span, origin)

    def __repr__(self) -> str:
        lat = f", lattice={self.lattice}" if self.lattice else ""
        return f"Edgeworth(cumulants={list(self.cumulants)}{lat})"

    # ------------------------------------------------------------------ arguments
    def _check_order(self, order: Any, what: str = "order") -> int:
        o = v.integer(order, what, minimum=0)
        if o > self.max_order:
            raise ValueError(
                f"{what} {o} needs cumulants up to k{o + 2}; only {len(self.cumulants)} were given (max order {self.max_order})"
            )
        return o

    def _check_n(self, n: Any) -> float:
        return v.real(n, "n", minimum=1.0)

    def _numeric(self) -> list[float]:
        if self._lam is None:
            raise TypeError("symbolic cumulants: use density_expr / cdf_expr, or substitute numbers first")
        return self._lam

    # ------------------------------------------------------- numeric evaluation
    def _terms(self, j: int) -> dict[int, float]:
        if j not in self._term_cache:
            self._term_cache[j] = {k: float(c) for k, c in _term_coefficients(j, self._numeric()).items()}
        return self._term_cache[j]

    def _series(self, n: float, orders: range, shift: int = 0) -> np.ndarray:
        """HermiteE coefficient vector of sum_{j in orders} n^{-j/2} sum_k c_jk He_{k+shift}."""
        c = np.zeros(3 * max(orders.stop - 1, 0) + max(shift, 0) + 2)
        for j in orders:
            if j == 0:
                if shift == 0:
                    c[0] += 1.0
                continue
            w = n ** (-j / 2)
            for k, val in self._terms(j).items():
                if k + shift >= 0:
                    c[k + shift] += w * val
        return c

    def _density(self, xa: np.ndarray, nf: float, o: int) -> np.ndarray:
        return H.hermeval(xa, self._series(nf, range(0, o + 1))) * np.exp(-0.5 * xa * xa) / _SQRT2PI

    def pdf(self, x: Any, n: Any, order: int, *, warn: bool = True) -> np.ndarray:
        r"""Density of :math:`S_n` to ``order`` terms: :math:`\phi(x)[1 + \sum_{j\le order} n^{-j/2} p_j(x)]`.

        For a lattice variable this is the local expansion, :math:`P(S_n = x) \approx \eta f_n(x)`
        at lattice points (Bhattacharya & Rao 1976, Thm. 22.1).

        Parameters
        ----------
        x
            Points (array-like, finite).
        n
            Number of summands (a real >= 1).
        order
            Number of correction terms (0 = Gaussian), at most ``len(cumulants) - 2``.
        warn
            Warn (:class:`~theory.edgeworth.NegativeDensityWarning`, naming the x-range)
            where the truncated density is negative.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        Petrov 1975, ch. VI, eq. (1.14); Blinnikov & Moessner 1998, A&AS 130:193, eq. (43).
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        xa = v.array(x, "x")
        warn = v.boolean(warn, "warn")
        out = self._density(xa, nf, o)
        if warn:
            warn_where(out < 0, xa, f"truncated Edgeworth density (order {o}, n = {nf:g}) is negative", "x",
                       NegativeDensityWarning)
        return out

    def _cdf_smooth(self, xa: np.ndarray, nf: float, orders: range, deriv: int = 0) -> np.ndarray:
        """``d^deriv/dx^deriv`` of the continuous CDF expansion restricted to ``orders``."""
        phi = np.exp(-0.5 * xa * xa) / _SQRT2PI
        if deriv == 0:
            base = special.ndtr(xa) if 0 in orders else np.zeros_like(xa)
            corr = H.hermeval(xa, self._series(nf, range(max(orders.start, 1), orders.stop), shift=-1))
            return base - phi * corr
        # d^r/dx^r [phi He_k] = (-1)^r phi He_{k+r}; the Gaussian part: Phi^(r) = (-1)^(r-1) phi He_(r-1)
        c = self._series(nf, range(max(orders.start, 1), orders.stop), shift=deriv - 1)
        out = (-1) ** (deriv + 1) * phi * H.hermeval(xa, c)
        if 0 in orders:
            out = out + (-1) ** (deriv - 1) * phi * H.hermeval(xa, np.eye(deriv)[deriv - 1])
        return out

    def cdf(self, x: Any, n: Any, order: int, *, warn: bool = True) -> np.ndarray:
        r"""Distribution function of :math:`S_n` to ``order`` terms, :math:`\Phi(x) - \phi(x)\sum_{j\le order} n^{-j/2} Q_j(x)`.

        With ``lattice`` set, the lattice terms :math:`(-\eta)^r B_r(\{y\})\, G^{(r)}/r!` too;
        each carries :math:`n^{-r/2}` and is combined with the continuous terms of order
        ``<= order - r`` (Bhattacharya & Rao 1976, Thm. 23.1).

        Parameters
        ----------
        x, n, order
            As in :meth:`pdf`.
        warn
            Warn where the truncated expansion is outside :math:`[0, 1]`
            (:class:`~theory.edgeworth.CdfRangeWarning`) or decreasing, i.e. where its
            density is negative (:class:`~theory.edgeworth.NegativeDensityWarning`; continuous
            laws only), naming the x-range.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        Petrov 1975, ch. VI; Esseen 1945, Acta Math. 77:1; Bhattacharya & Rao 1976, Thm. 23.1.
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        xa = v.array(x, "x")
        warn = v.boolean(warn, "warn")
        out = self._cdf_smooth(xa, nf, range(0, o + 1))
        if self.lattice is not None:
            out = out + self._lattice_terms(xa, nf, o, lambda r: range(0, o - r + 1))
        if warn:
            what = f"truncated Edgeworth CDF (order {o}, n = {nf:g})"
            warn_where((out < 0) | (out > 1), xa, what + " is outside [0, 1]", "x", CdfRangeWarning)
            if self.lattice is None:
                warn_where(self._density(xa, nf, o) < 0, xa, what + " decreases (its density is negative)", "x",
                           NegativeDensityWarning)
        return out

    def _lattice_position(self, xa: np.ndarray, nf: float) -> tuple[float, np.ndarray]:
        span, origin = self.lattice  # type: ignore[misc]
        k1, k2 = float(self.cumulants[0]), float(self.cumulants[1])
        eta = span / math.sqrt(nf * k2)
        y = (nf * (k1 - origin) + xa * math.sqrt(nf * k2)) / span
        # fractional part robust to rounding at lattice points
        frac = y - np.floor(y + 1e-9 * np.maximum(1.0, np.abs(y)))
        frac = np.where(frac < 0, 0.0, frac)
        return eta, frac

    def _lattice_terms(self, xa: np.ndarray, nf: float, total: int, orders_for: Callable[[int], range]) -> np.ndarray:
        eta, frac = self._lattice_position(xa, nf)
        out = np.zeros_like(xa)
        for r in range(1, total + 1):
            br = P.polyval(frac, _bernoulli_coeffs(r))
            out += (-eta) ** r / math.factorial(r) * br * self._cdf_smooth(xa, nf, orders_for(r), deriv=r)
        return out

    def _lattice_order_term(self, xa: np.ndarray, nf: float, t: int) -> np.ndarray:
        """Every term of the lattice CDF expansion of total order ``t`` (continuous and lattice)."""
        return self._cdf_smooth(xa, nf, range(t, t + 1)) + self._lattice_terms(xa, nf, t, lambda r: range(t - r, t - r + 1))

    # ----------------------------------------------------------- quantiles
    def _cf(self, order: int) -> list[np.ndarray]:
        """Numeric Cornish-Fisher polynomials c_1..c_order (power basis in z), cached."""
        if len(self._cf_cache) < order:
            self._cf_cache = cornish_fisher_coefficients(self._numeric(), order)
        return self._cf_cache[:order]

    def ppf(self, q: Any, n: Any, order: int, *, warn: bool = True) -> np.ndarray:
        r"""Cornish-Fisher quantile :math:`x_q = z + \sum_{j\le order} n^{-j/2} c_j(z)`, :math:`z = \Phi^{-1}(q)`.

        E.g. :math:`c_1 = \lambda_3 (z^2-1)/6`,
        :math:`c_2 = \lambda_4 (z^3-3z)/24 - \lambda_3^2 (2z^3-5z)/36`.

        Parameters
        ----------
        q
            Probability levels, strictly inside (0, 1).
        n, order
            As in :meth:`pdf`.
        warn
            Warn (:class:`~theory.edgeworth.NonMonotoneQuantileWarning`, naming the q-range)
            where the truncated quantile decreases in ``q``,
            :math:`1 + \sum_j n^{-j/2} c_j'(z) < 0`.

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``.

        References
        ----------
        Cornish & Fisher, Rev. Inst. Int. Stat. 5 (1937) 307; Hill & Davis, Ann. Math.
        Statist. 39 (1968) 1264; Hall 1992, sec. 2.5.
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        qa = v.array(q, "q")
        warn = v.boolean(warn, "warn")
        if np.any((qa <= 0) | (qa >= 1)):
            raise ValueError("q must lie strictly between 0 and 1")
        z = special.ndtri(qa)
        out = z.copy()
        slope = np.ones_like(z)
        for j, cj in enumerate(self._cf(o), 1):
            out = out + nf ** (-j / 2) * P.polyval(z, cj)
            slope = slope + nf ** (-j / 2) * P.polyval(z, P.polyder(cj))
        if warn:
            warn_where(slope < 0, qa, f"Cornish-Fisher quantile (order {o}, n = {nf:g}) decreases in q", "q",
                       NonMonotoneQuantileWarning)
        return out

@functools.lru_cache(maxsize=32)
def _bernoulli_coeffs(r: int) -> np.ndarray:
    """Power-basis coefficients of the Bernoulli polynomial B_r(t)."""
    t = sp.Symbol("t")
    poly = sp.Poly(sp.bernoulli(r, t), t)
    return np.array([float(c) for c in reversed(poly.all_coeffs())])
