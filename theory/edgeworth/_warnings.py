"""Warnings for truncated expansions that are not valid distributions where they are evaluated (private).

A truncated Edgeworth series is asymptotic, not a distribution: at small ``n`` or in the
tails its density can be negative, its distribution function can leave :math:`[0, 1]` or
decrease, and the Cornish-Fisher quantile can decrease in the probability level
(Barndorff-Nielsen & Cox 1989, *Asymptotic Techniques for Use in Statistics*, sec. 4.3;
Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.5).  The evaluation methods of
:class:`~theory.edgeworth.Edgeworth` say so with one of these warnings, naming the range
of the argument where it happens, instead of returning such values silently.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["EdgeworthWarning", "NegativeDensityWarning", "CdfRangeWarning", "NonMonotoneQuantileWarning", "warn_where"]


class EdgeworthWarning(UserWarning):
    """A truncated expansion is not a valid distribution somewhere in the evaluated range."""


class NegativeDensityWarning(EdgeworthWarning):
    """A truncated Edgeworth density is negative (equivalently: its distribution function decreases)."""


class CdfRangeWarning(EdgeworthWarning):
    """A truncated Edgeworth distribution function lies outside :math:`[0, 1]`."""


class NonMonotoneQuantileWarning(EdgeworthWarning):
    """A truncated Cornish-Fisher quantile decreases as the probability level increases."""


def warn_where(mask: np.ndarray, points: np.ndarray, what: str, name: str, category: type[Warning]) -> None:
    """Warn with ``category`` when ``mask`` holds anywhere, naming the range of ``points`` where it does.

    Parameters
    ----------
    mask
        Boolean array, ``True`` where the defect occurs.
        ``points`` has the same shape.
    points
        The evaluation points (``x`` or ``q``).
    what
        The defect, in words (``"truncated Edgeworth CDF (order 4, n = 1) is outside [0, 1]"``).
    name
        The name of the argument (``"x"``, ``"q"``).
    category
        The warning class.
    """
    if not np.any(mask):
        return
    bad = np.asarray(points)[np.asarray(mask)]
    warnings.warn(
        f"{what} for {name} in [{bad.min():.4g}, {bad.max():.4g}]; the expansion is asymptotic and fails "
        "at small n and in the tails",
        category,
        stacklevel=3,
    )
