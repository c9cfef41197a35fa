r"""Edgeworth expansions of standardized sums, Cornish-Fisher quantiles and Esseen's lattice terms.

:class:`Edgeworth` evaluates the density, distribution function and quantiles of
:math:`S_n = (X_1 + \dots + X_n - n\kappa_1)/\sqrt{n\kappa_2}` to any order in
:math:`n^{-1/2}`, with truncation estimates and budgets (Petrov 1975, *Sums of
Independent Random Variables*, ch. VI; Hall 1992, *The Bootstrap and Edgeworth
Expansion*, ch. 2).  The term polynomials come from the partition (Bell-polynomial)
form of the series (Blinnikov & Moessner 1998, A&AS 130:193).  The derivations are
registered as ``edgeworth-density``, ``edgeworth-cdf``, ``edgeworth-cornish-fisher``
and ``edgeworth-lattice``.
"""

from theory.edgeworth import _derivations  # noqa: F401  (registers the derivations)
from theory.edgeworth._budget import BUDGET_SAFETY, BUDGET_TERMS
from theory.edgeworth._expansion import Edgeworth, n_sym, x_sym
from theory.edgeworth._terms import (
    cornish_fisher_polynomials,
    hermite_poly,
    naive_series_terms,
    symbolic_lambdas,
    term_coefficients,
)
from theory.edgeworth._warnings import CdfRangeWarning, EdgeworthWarning, NegativeDensityWarning, NonMonotoneQuantileWarning

__all__ = [
    "Edgeworth",
    "EdgeworthWarning",
    "NegativeDensityWarning",
    "CdfRangeWarning",
    "NonMonotoneQuantileWarning",
    "BUDGET_TERMS",
    "BUDGET_SAFETY",
    "x_sym",
    "n_sym",
    "term_coefficients",
    "cornish_fisher_polynomials",
    "hermite_poly",
    "symbolic_lambdas",
    "naive_series_terms",
]
