"""Hypothesis strategies for cumulant sequences of real (realisable) distributions.

Every sequence is computed exactly (:func:`theory.cumulants.family_cumulants`)
from a named family with drawn parameters, or from a finite mixture of such
distributions (mixture moments are the weighted moments), so it is the
cumulant sequence of an actual probability law — not an arbitrary list.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import sympy as sp
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from theory.cumulants import FAMILIES, cumulants_from_moments, family_cumulants, moments_from_cumulants

__all__ = ["distribution_families", "cumulant_sequences"]


def _frac(lo: str, hi: str, den: int = 10) -> SearchStrategy[Fraction]:
    return st.fractions(Fraction(lo), Fraction(hi), max_denominator=den)


def _positive(lo: str, hi: str) -> SearchStrategy[Fraction]:
    return _frac(lo, hi)


@st.composite
def _two_point(draw: Any) -> dict[str, Any]:
    a = draw(_frac("-3", "3"))
    return {"p": draw(_frac("1/20", "19/20", 20)), "a": a, "b": a + draw(_positive("1/4", "4")) * draw(st.sampled_from([-1, 1]))}


@st.composite
def _normal_mixture(draw: Any) -> dict[str, Any]:
    k = draw(st.integers(1, 3))
    raw = draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    return {
        "weights": [Fraction(r, sum(raw)) for r in raw],
        "means": draw(st.lists(_frac("-3", "3"), min_size=k, max_size=k)),
        "variances": draw(st.lists(_positive("1/10", "4"), min_size=k, max_size=k)),
    }


_PARAMS: dict[str, SearchStrategy[dict[str, Any]]] = {
    "normal": st.fixed_dictionaries({"mu": _frac("-3", "3"), "sigma2": _positive("1/10", "5")}),
    "exponential": st.fixed_dictionaries({"rate": _positive("1/4", "4")}),
    "gamma": st.fixed_dictionaries({"shape": _positive("1/5", "10"), "scale": _positive("1/4", "4")}),
    "chi2": st.fixed_dictionaries({"df": st.integers(1, 30)}),
    "poisson": st.fixed_dictionaries({"lam": _positive("1/10", "20")}),
    "uniform": st.builds(lambda a, w: {"a": a, "b": a + w}, _frac("-3", "3"), _positive("1/10", "5")),
    "bernoulli": st.fixed_dictionaries({"p": _frac("1/20", "19/20", 20)}),
    "binomial": st.fixed_dictionaries({"n": st.integers(1, 30), "p": _frac("1/20", "19/20", 20)}),
    "two_point": _two_point(),
    "laplace": st.fixed_dictionaries({"loc": _frac("-3", "3"), "scale": _positive("1/4", "3")}),
    "normal_mixture": _normal_mixture(),
}
assert set(_PARAMS) == set(FAMILIES), "every family needs a parameter strategy"


def _check_families(families: Sequence[str] | None, allow_mixtures: bool) -> list[str]:
    names = sorted(FAMILIES) if families is None else list(families)
    unknown = [f for f in names if f not in FAMILIES]
    if unknown or not names:
        raise ValueError(f"families must be a non-empty subset of {sorted(FAMILIES)}, got {names}")
    if not allow_mixtures:
        names = [f for f in names if f != "normal_mixture"]
        if not names:
            raise ValueError("families holds only 'normal_mixture' but allow_mixtures=False")
    return names


def distribution_families(*, families: Sequence[str] | None = None, allow_mixtures: bool = True) -> SearchStrategy[tuple[str, dict[str, Any]]]:
    """Pairs ``(family, params)`` accepted by :func:`theory.cumulants.family_cumulants`.

    Parameters are exact Fractions / ints in moderate ranges (so sympy stays fast
    and standardized cumulants stay moderate): e.g. gamma shape in [1/5, 10],
    Bernoulli p in [1/20, 19/20], up to three normal-mixture components.

    Parameters
    ----------
    families : sequence of str, optional
        Names to draw from (default: all of ``theory.cumulants.FAMILIES``).
    allow_mixtures : bool, default True
        Whether ``"normal_mixture"`` may be drawn.

    Returns
    -------
    SearchStrategy[tuple[str, dict[str, Any]]]
        Pairs ``(family, params)``, ``params`` the keyword arguments of
        :func:`theory.cumulants.family_cumulants` for that family.

    Raises
    ------
    ValueError
        ``families`` empty or naming an unknown family, or only ``"normal_mixture"`` with
        ``allow_mixtures=False``.
    """
    names = _check_families(families, allow_mixtures)
    return st.sampled_from(names).flatmap(lambda f: st.tuples(st.just(f), _PARAMS[f]))


@st.composite
def _sequences(draw: Any, order: int, names: list[str], allow_mixtures: bool, exact: bool) -> list[Any]:
    fams = st.sampled_from(names).flatmap(lambda f: st.tuples(st.just(f), _PARAMS[f]))
    k = draw(st.integers(1, 3)) if allow_mixtures else 1
    comps = [draw(fams) for _ in range(k)]
    if k == 1:
        ks = family_cumulants(comps[0][0], order, **comps[0][1])
    else:
        raw = draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
        w = [sp.Rational(r, sum(raw)) for r in raw]
        mom = [moments_from_cumulants(family_cumulants(f, order, **p)) for f, p in comps]
        ks = cumulants_from_moments([sp.expand(sum(wi * m[r] for wi, m in zip(w, mom))) for r in range(order)])
    return list(ks) if exact else [float(v) for v in ks]


def cumulant_sequences(
    *,
    order: int = 6,
    families: Sequence[str] | None = None,
    allow_mixtures: bool = True,
    exact: bool = False,
) -> SearchStrategy[list[Any]]:
    r"""Cumulant lists ``[k1, ..., k_order]`` of real distributions (``k2 > 0``).

    Drawn as the exact cumulants of a named family (see :func:`distribution_families`)
    or, with ``allow_mixtures``, of a finite mixture of up to three such laws with
    rational weights (mixture moments :math:`m_r = \sum_i w_i m_r^{(i)}`, then
    :func:`theory.cumulants.cumulants_from_moments`), so every sequence is realisable:
    its moment Hankel matrices are positive semi-definite.

    Parameters
    ----------
    order : int, default 6
        Number of cumulants (>= 1).
    families : sequence of str, optional
        Family names to draw from (default: all).
    allow_mixtures : bool, default True
        Allow finite mixtures and the ``normal_mixture`` family.
    exact : bool, default False
        Return sympy Rationals instead of floats.

    Returns
    -------
    SearchStrategy[list[Any]]
        Lists of ``order`` cumulants: floats, or sympy Rationals with ``exact=True``.

    Raises
    ------
    TypeError
        ``order`` is not an int.
    ValueError
        ``order < 1``, or ``families`` as for :func:`distribution_families`.
    """
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, got {type(order).__name__}")
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    names = _check_families(families, allow_mixtures)
    return _sequences(order, names, allow_mixtures, exact)
