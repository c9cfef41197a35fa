r"""Cumulants and moments: univariate and multivariate conversions, Wick/Isserlis
pairings, exact cumulants of named families and standardized cumulants.

A random variable :math:`X` with cumulant generating function
:math:`K(t) = \log \mathbb E e^{tX} = \sum_r \kappa_r t^r / r!` has raw moments
:math:`m_r` with :math:`\sum_r m_r t^r/r! = e^{K(t)}`.  Everything here works
for exact inputs (ints, Fractions, sympy expressions: never integer division)
and for floats / numpy float arrays (element-wise).

References
----------
McCullagh, "Tensor Methods in Statistics" (1987), ch. 2-3;
Kendall & Stuart, "The Advanced Theory of Statistics" vol. 1, ch. 3;
Isserlis, Biometrika 12 (1918) 134.
"""

from __future__ import annotations

from theory.cumulants._families import FAMILIES, family_cumulants
from theory.cumulants._moments import (
    central_moments_from_cumulants,
    cumulants_from_central_moments,
    cumulants_from_moments,
    moments_from_cumulants,
)
from theory.cumulants._partitions import (
    joint_cumulant,
    joint_moment,
    perfect_matchings,
    set_partitions,
    wick_count,
    wick_moment,
)
from theory.cumulants._standardized import standardized_cumulants
from theory.cumulants import _derivations  # noqa: F401  (registers the derivations)

__all__ = [
    "moments_from_cumulants",
    "cumulants_from_moments",
    "central_moments_from_cumulants",
    "cumulants_from_central_moments",
    "set_partitions",
    "perfect_matchings",
    "joint_cumulant",
    "joint_moment",
    "wick_moment",
    "wick_count",
    "family_cumulants",
    "FAMILIES",
    "standardized_cumulants",
]
