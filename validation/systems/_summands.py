r"""The summand system: one definition of an iid summand law for the Edgeworth checks.

A :class:`Summand` is a family name and its exact parameters (ints, Fractions).  From
that one definition come

* its cumulants (``theory.cumulants.family_cumulants``, exact) -- what ``predict`` reads;
* its sampler, mean and variance, and the exact law of its standardized sum
  (``numerics.edgeworth.summand_law`` / ``sum_law``: scipy and closed forms) -- what
  ``measure`` reads;
* its lattice ``(span, origin)`` and the lattice points a check compares at, defined
  here once for both sides.

So the law that is simulated is the law whose cumulants the theory expands.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from numerics import validate as v
from numerics.edgeworth import SumLaw, SummandLaw, sum_law, summand_law
from theory.cumulants import FAMILIES, family_cumulants

__all__ = ["Summand", "SUMMANDS", "summand"]

_LATTICE_FAMILIES = ("bernoulli", "binomial", "two_point", "poisson")


def _exact(x: Any, name: str) -> Any:
    if isinstance(x, (tuple, list)):
        return tuple(_exact(y, f"{name}[{i}]") for i, y in enumerate(x))
    if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
        raise TypeError(f"{name} must be an int or a Fraction (exact); got {v.describe(x)}")
    return x


@functools.lru_cache(maxsize=64)
def _cumulants(family: str, params: tuple[tuple[str, Any], ...], order: int) -> tuple[sp.Expr, ...]:
    return tuple(family_cumulants(family, order, **dict(params)))


@dataclass(frozen=True)
class Summand:
    """An iid summand law, defined once for theory and measurement.

    Parameters
    ----------
    family
        A family of ``theory.cumulants.FAMILIES`` (``numerics.edgeworth`` samples the same names).
    params
        Its parameters as ``((name, value), ...)`` with exact values (ints, Fractions, or
        tuples of them for mixtures).
    label
        How the law is written in reports (``"Exp(1)"``).
    """

    family: str
    params: tuple[tuple[str, Any], ...]
    label: str

    def __post_init__(self) -> None:
        v.choice(self.family, "family", sorted(FAMILIES))
        object.__setattr__(self, "params", tuple((str(k), _exact(x, k)) for k, x in self.params))

    # -------------------------------------------------------------- theory side
    def cumulants(self, order: int) -> list[sp.Expr]:
        """Exact cumulants ``[k1, ..., k_order]`` (``theory.cumulants.family_cumulants``).

        Parameters
        ----------
        order : int
            The highest cumulant wanted (>= 1).

        Returns
        -------
        list of sympy.Expr
            :math:`\\kappa_1, \\dots, \\kappa_{order}` of one summand, exact (rationals or closed forms).
        """
        return list(_cumulants(self.family, self.params, v.integer(order, "order", minimum=1)))

    def float_cumulants(self, order: int) -> list[float]:
        """The cumulants as floats (for numeric expansions).

        Parameters
        ----------
        order : int
            The highest cumulant wanted (>= 1).

        Returns
        -------
        list of float
            :math:`\\kappa_1, \\dots, \\kappa_{order}`, as :meth:`cumulants` gives them, converted to floats.
        """
        return [float(c) for c in self.cumulants(order)]

    # -------------------------------------------------------------- measurement side
    def numeric_params(self) -> dict[str, Any]:
        """The parameters as floats (tuples of floats), as ``numerics.edgeworth`` takes them.

        Returns
        -------
        dict of str to object
            Parameter name to float, or tuple of floats for mixtures (a binomial's ``n`` stays an int).
        """
        out: dict[str, Any] = {}
        for k, x in self.params:
            if isinstance(x, tuple):
                out[k] = tuple(float(y) for y in x)
            else:
                out[k] = x if (self.family == "binomial" and k == "n") else float(x)
        return out

    def law(self) -> SummandLaw:
        """Sampler, mean and variance of one summand (``numerics.edgeworth.summand_law``).

        Returns
        -------
        SummandLaw
            The summand's law with float parameters (:meth:`numeric_params`).
        """
        return summand_law(self.family, self.numeric_params())

    def sum_law(self, n: int) -> SumLaw:
        """The exact law of the standardized sum of ``n`` summands (``numerics.edgeworth.sum_law``).

        Parameters
        ----------
        n : int
            Number of iid summands in the sum (>= 1).

        Returns
        -------
        SumLaw
            The law of :math:`(S_n - n\\mu)/\\sqrt{n\\sigma^2}` (closed form or scipy).
        """
        return sum_law(self.family, n, self.numeric_params())

    # -------------------------------------------------------------- shared definitions
    @property
    def lattice(self) -> tuple[float, float] | None:
        """``(span, origin)`` of the lattice the summand lives on (maximal span), ``None`` if continuous."""
        if self.family not in _LATTICE_FAMILIES:
            return None
        p = dict(self.params)
        if self.family == "two_point":
            a, b = Fraction(p.get("a", 0)), Fraction(p.get("b", 1))
            return float(abs(b - a)), float(min(a, b))
        return 1.0, 0.0

    def _exact_moments(self) -> tuple[Fraction, Fraction]:
        p = dict(self.params)
        q = Fraction(p.get("p", Fraction(1, 2)))
        if self.family == "poisson":
            lam = Fraction(p.get("lam", 1))
            return lam, lam
        if self.family == "binomial":
            m = int(p.get("n", 1))
            return m * q, m * q * (1 - q)
        a, b = (Fraction(p.get("a", 0)), Fraction(p.get("b", 1))) if self.family == "two_point" else (Fraction(0), Fraction(1))
        return a + (b - a) * q, (b - a) ** 2 * q * (1 - q)

    def lattice_indices(self, n: int, limit: float) -> np.ndarray:
        r"""Indices ``k`` of the lattice points :math:`n a + h k` of the sum within ``limit`` standard deviations of its mean.

        Defined once (with exact rational moments) so that ``predict`` and ``measure``
        compare at the same points.

        Parameters
        ----------
        n : int
            Number of summands (>= 1).
        limit : float
            Half-width of the window in standard deviations of the sum (> 0).

        Returns
        -------
        numpy.ndarray
            The integers :math:`k \\ge 0`, increasing, with :math:`|n a + h k - n\\mu| <` ``limit`` :math:`\\sqrt{n\\sigma^2}`
            (:math:`h` the span, :math:`a` the origin, :math:`\\mu, \\sigma^2` the exact moments).

        Raises
        ------
        TypeError, ValueError
            The law is not a lattice law; ``n`` not an int >= 1 or ``limit`` not a real > 0.
        """
        if self.lattice is None:
            raise ValueError(f"{self.label} is not a lattice law")
        n = v.integer(n, "n", minimum=1)
        limit = v.real(limit, "limit", minimum=0.0, open_min=True)
        span, origin = (Fraction(self.lattice[0]), Fraction(self.lattice[1]))
        mean, var = self._exact_moments()
        centre = (n * mean - n * origin) / span  # the mean in lattice units
        half = limit * math.sqrt(n * var) / float(span)
        lo, hi = max(0, math.floor(centre - half)), math.ceil(centre + half)
        k = np.arange(lo, hi + 1)
        return k[np.abs(k - float(centre)) < half]

    def lattice_points(self, n: int, limit: float, mean: float, var: float) -> np.ndarray:
        """The standardized lattice points :math:`(n a + h k - n\\mu)/\\sqrt{n\\sigma^2}` at :meth:`lattice_indices`.

        ``mean`` and ``var`` are the caller's (the theory's :math:`\\kappa_1, \\kappa_2` or the
        sampler's), so each side standardizes with its own moments.

        Parameters
        ----------
        n : int
            Number of summands (>= 1).
        limit : float
            Half-width of the window in standard deviations (> 0), as in :meth:`lattice_indices`.
        mean : float
            The summand mean :math:`\\mu` to standardize with.
        var : float
            The summand variance :math:`\\sigma^2` to standardize with (> 0).

        Returns
        -------
        numpy.ndarray
            The standardized points, one per index of :meth:`lattice_indices`, increasing.

        Raises
        ------
        TypeError, ValueError
            As :meth:`lattice_indices`.
        """
        span, origin = self.lattice  # type: ignore[misc]
        k = self.lattice_indices(n, limit)
        return (n * origin + span * k - n * mean) / math.sqrt(n * var)


SUMMANDS: dict[str, Summand] = {
    "exp": Summand("exponential", (("rate", 1),), "Exp(1)"),
    "uniform": Summand("uniform", (("a", 0), ("b", 1)), "Uniform(0,1)"),
    "gamma0.5": Summand("gamma", (("shape", Fraction(1, 2)), ("scale", 1)), "Gamma(1/2)"),
    "mixture": Summand(
        "normal_mixture",
        (("weights", (Fraction(17, 20), Fraction(3, 20))), ("means", (0, 3)), ("variances", (1, Fraction(1, 4)))),
        "0.85 N(0,1) + 0.15 N(3, 0.5^2)",
    ),
    "bernoulli0.3": Summand("bernoulli", (("p", Fraction(3, 10)),), "Bernoulli(0.3)"),
    # P(X = 2) = 0.2, P(X = -1) = 0.8: skewed, lattice of span 3 and origin -1
    "two_point": Summand("two_point", (("p", Fraction(1, 5)), ("a", -1), ("b", 2)), "two-point {-1: 0.8, 2: 0.2}"),
}


def summand(key: str) -> Summand:
    """The summand called ``key`` in :data:`SUMMANDS`.

    Parameters
    ----------
    key : str
        One of the keys of :data:`SUMMANDS` (``"exp"``, ``"uniform"``, ``"gamma0.5"``, ``"mixture"``,
        ``"bernoulli0.3"``, ``"two_point"``).

    Returns
    -------
    Summand
        The registered summand.

    Raises
    ------
    TypeError, ValueError
        ``key`` not a string, or not a known key.
    """
    return SUMMANDS[v.choice(key, "summand", list(SUMMANDS))]

