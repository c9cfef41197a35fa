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
import warnings
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy as sp
from numpy.polynomial import hermite_e as H
from scipy import special

from theory.edgeworth._terms import (
    cornish_fisher_polynomials,
    hermite_poly,
    symbolic_lambdas,
    term_coefficients,
)
from theory.cumulants import standardized_cumulants
from theory.derivation import cached_lambdify

__all__ = ["Edgeworth", "NegativeDensityWarning"]

x_sym = sp.Symbol("x", real=True)
n_sym = sp.Symbol("n", positive=True)


class NegativeDensityWarning(UserWarning):
    """A truncated Edgeworth density is negative somewhere in the evaluated range."""


def _is_symbolic(v: Any) -> bool:
    return isinstance(v, sp.Basic) and not v.is_number


def _validate_cumulants(cumulants: Any) -> tuple[Any, ...]:
    if isinstance(cumulants, (str, bytes)) or not hasattr(cumulants, "__len__"):
        raise TypeError(f"cumulants must be a sequence [k1, k2, ...], got {type(cumulants).__name__}")
    vals = tuple(np.asarray(cumulants, dtype=object).ravel().tolist()) if isinstance(cumulants, np.ndarray) else tuple(cumulants)
    if len(vals) < 2:
        raise ValueError(f"cumulants needs at least two entries [k1, k2], got {len(vals)}")
    out = []
    for i, v in enumerate(vals, 1):
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (numbers.Number, sp.Basic)):
            raise TypeError(f"cumulants[{i - 1}] (k{i}) must be a number or sympy expression, got {type(v).__name__}")
        if isinstance(v, sp.Basic):
            if v.is_number and not v.is_finite:
                raise ValueError(f"cumulant k{i} is not finite: {v}")
        elif isinstance(v, complex) or not math.isfinite(float(v)):
            raise ValueError(f"cumulant k{i} must be a finite real number, got {v!r}")
        out.append(v)
    k2 = out[1]
    if not _is_symbolic(k2) and float(k2) <= 0:
        raise ValueError(f"k2 (the variance) must be > 0, got {k2}")
    return tuple(out)


class Edgeworth:
    r"""Edgeworth expansion of the standardized sum of ``n`` iid variables.

    Parameters
    ----------
    cumulants
        ``[k1, k2, k3, ...]``: raw (not standardized) cumulants of one summand;
        numbers (int, Fraction, float) or sympy expressions.  Never mutated;
        integers stay exact in the symbolic route.
    lattice
        ``(span, origin)`` when the summands live on ``origin + span * Z``; then
        :meth:`cdf` includes the lattice (Esseen) terms.

    Notes
    -----
    ``order`` counts the :math:`n^{-1/2}` correction terms (0 = Gaussian) and may
    be at most ``len(cumulants) - 2``.  The *truncation budget* of an order-``k``
    expansion is the absolute value of the first omitted term, which needs
    ``len(cumulants) >= k + 3``.
    """

    def __init__(self, cumulants: Sequence[Any], lattice: tuple[float, float] | None = None) -> None:
        self.cumulants = _validate_cumulants(cumulants)
        self.max_order = len(self.cumulants) - 2
        self._term_cache: dict[int, dict[int, float]] = {}
        self._cf_cache: dict[int, list[Any]] = {}
        self.symbolic = any(_is_symbolic(v) for v in self.cumulants)
        exact = self.symbolic or all(isinstance(v, (numbers.Integral, Fraction, sp.Basic)) for v in self.cumulants)
        lam = standardized_cumulants(list(self.cumulants))[2:]  # [lambda_3, lambda_4, ...]
        self._lam_exact = [sp.simplify(v) for v in lam] if exact else None
        self._lam = None if self.symbolic else [float(v) for v in lam]
        if lattice is not None:
            if not isinstance(lattice, (tuple, list)) or len(lattice) != 2:
                raise TypeError("lattice must be a pair (span, origin)")
            span, origin = (float(lattice[0]), float(lattice[1]))
            if not (math.isfinite(span) and math.isfinite(origin)):
                raise ValueError(f"lattice span and origin must be finite, got {lattice}")
            if span <= 0:
                raise ValueError(f"lattice span must be > 0, got {span}")
            if self.symbolic:
                raise ValueError("lattice corrections need numeric cumulants")
            self.lattice: tuple[float, float] | None = (span, origin)
        else:
            self.lattice = None

    def __repr__(self) -> str:
        lat = f", lattice={self.lattice}" if self.lattice else ""
        return f"Edgeworth(cumulants={list(self.cumulants)}{lat})"

    # ------------------------------------------------------------------ checks
    def _check_order(self, order: Any, *, extra: int = 0, what: str = "order") -> int:
        if isinstance(order, bool) or not isinstance(order, (numbers.Integral,)):
            raise TypeError(f"{what} must be an int, got {type(order).__name__}")
        o = int(order)
        if o < 0:
            raise ValueError(f"{what} must be >= 0, got {o}")
        if o + extra > self.max_order:
            need = o + extra + 2
            raise ValueError(
                f"{what} {o} needs cumulants up to k{need}"
                + (" (for the truncation budget)" if extra else "")
                + f"; only {len(self.cumulants)} were given (max order {self.max_order - extra})"
            )
        return o

    @staticmethod
    def _check_n(n: Any) -> float:
        if isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"n must be a real number >= 1, got {type(n).__name__}")
        nf = float(n)
        if not math.isfinite(nf) or nf < 1:
            raise ValueError(f"n must be a finite number >= 1, got {n}")
        return nf

    @staticmethod
    def _check_x(x: Any, name: str = "x") -> np.ndarray:
        xa = np.array(x, dtype=float, copy=True)
        if not np.all(np.isfinite(xa)):
            raise ValueError(f"{name} must be finite (got NaN or inf)")
        return xa

    def _numeric(self) -> list[float]:
        if self._lam is None:
            raise TypeError("symbolic cumulants: use density_expr / cdf_expr, or substitute numbers first")
        return self._lam

    # ------------------------------------------------------- numeric evaluation
    def _terms(self, j: int) -> dict[int, float]:
        if j not in self._term_cache:
            self._term_cache[j] = {k: float(c) for k, c in term_coefficients(j, self._numeric()).items()}
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
            for k, v in self._terms(j).items():
                if k + shift >= 0:
                    c[k + shift] += w * v
        return c

    def pdf(self, x: Any, n: Any, order: int, *, warn: bool = True) -> np.ndarray:
        r"""Density of :math:`S_n` to ``order`` terms: :math:`\phi(x)[1 + \sum_{j\le order} n^{-j/2} p_j(x)]`.

        For a lattice variable this is the local expansion:
        :math:`P(S_n = x) \approx \eta f_n(x)` at lattice points.  A negative
        value is reported with a :class:`NegativeDensityWarning` naming the x-range.
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        xa = self._check_x(x)
        out = H.hermeval(xa, self._series(nf, range(0, o + 1))) * np.exp(-0.5 * xa * xa) / math.sqrt(2 * math.pi)
        if warn and np.any(out < 0):
            neg = xa[out < 0]
            warnings.warn(
                f"truncated Edgeworth density (order {o}, n = {nf:g}) is negative for x in "
                f"[{neg.min():.4g}, {neg.max():.4g}]; the expansion is asymptotic and fails in the tails",
                NegativeDensityWarning,
                stacklevel=2,
            )
        return out

    def _cdf_smooth(self, xa: np.ndarray, nf: float, orders: range, deriv: int = 0) -> np.ndarray:
        """``d^deriv/dx^deriv`` of the continuous CDF expansion restricted to ``orders``."""
        phi = np.exp(-0.5 * xa * xa) / math.sqrt(2 * math.pi)
        if deriv == 0:
            base = special.ndtr(xa) if 0 in orders else np.zeros_like(xa)
            corr = H.hermeval(xa, self._series(nf, range(max(orders.start, 1), orders.stop), shift=-1))
            return base - phi * corr
        # d^r/dx^r [phi He_k] = (-1)^r phi He_{k+r}; the Gaussian part: Phi^(r) = (-1)^(r-1) phi He_(r-1)
        c = self._series(nf, range(max(orders.start, 1), orders.stop), shift=deriv - 1)
        # -d^r/dx^r [phi He_(k-1)] = -(-1)^r phi He_(k-1+r)
        out = (-1) ** (deriv + 1) * phi * H.hermeval(xa, c)
        if 0 in orders:
            out = out + (-1) ** (deriv - 1) * phi * H.hermeval(xa, np.eye(deriv)[deriv - 1])
        return out

    def cdf(self, x: Any, n: Any, order: int) -> np.ndarray:
        r"""CDF of :math:`S_n` to ``order`` terms; with ``lattice`` set, the Esseen/Bhattacharya-Rao lattice terms too.

        Orders are counted in powers of :math:`n^{-1/2}`: the lattice term
        :math:`(-\eta)^r B_r(\{y\}) G^{(r)}/r!` carries :math:`n^{-r/2}` and is
        combined with the continuous terms of order ``<= order - r``.
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        xa = self._check_x(x)
        out = self._cdf_smooth(xa, nf, range(0, o + 1))
        if self.lattice is not None:
            out = out + self._lattice_terms(xa, nf, o, lambda r: range(0, o - r + 1))
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

    def _lattice_terms(self, xa: np.ndarray, nf: float, total: int, orders_for: Any) -> np.ndarray:
        eta, frac = self._lattice_position(xa, nf)
        out = np.zeros_like(xa)
        for r in range(1, total + 1):
            br = np.polynomial.polynomial.polyval(frac, _bernoulli_coeffs(r))
            out += (-eta) ** r / math.factorial(r) * br * self._cdf_smooth(xa, nf, orders_for(r), deriv=r)
        return out

    # --------------------------------------------------------------- budgets
    def pdf_truncation(self, x: Any, n: Any, order: int) -> np.ndarray:
        """|first omitted density term| ``phi(x) n^{-j/2} |p_j(x)|``, ``j`` the first order > ``order`` whose term is not identically zero (needs k_{j+2})."""
        o = self._check_order(order, extra=1)
        nf = self._check_n(n)
        xa = self._check_x(x)
        j = self._first_nonvanishing(o)
        c = self._series(nf, range(j, j + 1))
        return np.abs(H.hermeval(xa, c)) * np.exp(-0.5 * xa * xa) / math.sqrt(2 * math.pi)

    def _first_nonvanishing(self, order: int) -> int:
        """The first order > ``order`` whose term is not identically zero (odd orders vanish for symmetric laws)."""
        j = order + 1
        while all(v == 0.0 for v in self._terms(j).values()):
            j += 1
            if j > self.max_order:
                raise ValueError(
                    f"every term of order {order + 1}..{self.max_order} vanishes; give cumulants up to k{j + 2} "
                    "to bound the truncation error"
                )
        return j

    def cdf_truncation(self, x: Any, n: Any, order: int) -> np.ndarray:
        """|first omitted CDF term| ``phi(x) n^{-j/2} |Q_j(x)|`` (first non-vanishing ``j > order``); with a lattice, all terms of order ``order + 1``."""
        o = self._check_order(order, extra=1)
        nf = self._check_n(n)
        xa = self._check_x(x)
        if self.lattice is None:
            j = self._first_nonvanishing(o)
            return np.abs(self._cdf_smooth(xa, nf, range(j, j + 1)))
        first = self._cdf_smooth(xa, nf, range(o + 1, o + 2))
        if self.lattice is not None:
            first = first + self._lattice_terms(xa, nf, o + 1, lambda r: range(o + 1 - r, o + 2 - r))
        return np.abs(first)

    # ----------------------------------------------------------- quantiles
    def ppf(self, q: Any, n: Any, order: int) -> np.ndarray:
        r"""Cornish-Fisher quantile :math:`x_q = z + \sum_{j\le order} n^{-j/2} c_j(z)`, :math:`z = \Phi^{-1}(q)`.

        E.g. :math:`c_1 = \lambda_3 (z^2-1)/6`,
        :math:`c_2 = \lambda_4 (z^3-3z)/24 - \lambda_3^2 (2z^3-5z)/36` (Cornish & Fisher 1937).
        """
        o = self._check_order(order)
        nf = self._check_n(n)
        qa = self._check_x(q, "q")
        if np.any((qa <= 0) | (qa >= 1)):
            raise ValueError("q must lie strictly between 0 and 1")
        z = special.ndtri(qa)
        out = z.copy()
        for j, cj in enumerate(self._cf_functions(o), 1):
            out = out + nf ** (-j / 2) * cj(z)
        return out

    def ppf_truncation(self, q: Any, n: Any, order: int) -> np.ndarray:
        """|first omitted Cornish-Fisher term| ``n^{-j/2} |c_j(z)|`` (first ``j > order`` whose density term does not vanish)."""
        o = self._check_order(order, extra=1)
        nf = self._check_n(n)
        qa = self._check_x(q, "q")
        z = special.ndtri(qa)
        j = self._first_nonvanishing(o)
        return np.abs(nf ** (-j / 2) * self._cf_functions(j)[j - 1](z))

    def _cf_functions(self, order: int) -> list[Any]:
        if order in self._cf_cache:
            return self._cf_cache[order]
        lam = self._numeric()
        syms = symbolic_lambdas(max(order, 1))
        z = sp.Symbol("z", real=True)
        subs = {s: sp.Float(v, 17) for s, v in zip(syms, lam)}
        fns = []
        for c in cornish_fisher_polynomials(order):
            expr = sp.expand(c.subs(subs))
            f = cached_lambdify((z,), expr)
            fns.append(lambda zz, f=f: np.broadcast_to(np.asarray(f(zz), dtype=float), np.shape(zz)))
        self._cf_cache[order] = fns
        return fns

    # ----------------------------------------------------------- symbolic
    def _lam_sym(self) -> list[Any]:
        if self._lam_exact is not None:
            return list(self._lam_exact)
        return [sp.Float(v, 17) for v in self._numeric()]

    def density_expr(self, order: int) -> sp.Expr:
        """The order-``order`` density as a sympy expression in the symbols ``x`` and ``n``."""
        o = self._check_order(order)
        lam = self._lam_sym()
        series = sp.Integer(1)
        for j in range(1, o + 1):
            pj = sum((c * hermite_poly(k, x_sym) for k, c in term_coefficients(j, lam).items()), sp.Integer(0))
            series += n_sym ** sp.Rational(-j, 2) * pj
        return sp.exp(-x_sym**2 / 2) / sp.sqrt(2 * sp.pi) * series

    def cdf_expr(self, order: int) -> sp.Expr:
        """The order-``order`` continuous CDF expansion in ``x`` and ``n`` (lattice terms are numeric only)."""
        o = self._check_order(order)
        lam = self._lam_sym()
        corr = sp.Integer(0)
        for j in range(1, o + 1):
            qj = sum((c * hermite_poly(k - 1, x_sym) for k, c in term_coefficients(j, lam).items()), sp.Integer(0))
            corr += n_sym ** sp.Rational(-j, 2) * qj
        Phi = (1 + sp.erf(x_sym / sp.sqrt(2))) / 2
        return Phi - sp.exp(-x_sym**2 / 2) / sp.sqrt(2 * sp.pi) * corr


@functools.lru_cache(maxsize=32)
def _bernoulli_coeffs(r: int) -> np.ndarray:
    """Power-basis coefficients of the Bernoulli polynomial B_r(t)."""
    t = sp.Symbol("t")
    poly = sp.Poly(sp.bernoulli(r, t), t)
    return np.array([float(c) for c in reversed(poly.all_coeffs())])
