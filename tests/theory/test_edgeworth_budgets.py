"""The truncation budgets bound the error of the expansions, checked against exact laws over the ranges the checks use.

The budget is twice the first three omitted non-vanishing terms (theory/edgeworth/_budget.py).  It is not
a theorem at finite n, so it is verified here against the exact laws of the sums the checks simulate
(Gamma, Irwin-Hall, normal mixture, binomial, two-point; ``numerics.edgeworth.sum_law``), across the
whole range of x (or q) and every (n, order) pair each check is allowed to use (``VERIFIED_N`` and the
minimum n in the check modules).  The first omitted term alone is shown not to be a bound.
"""

from __future__ import annotations

import numpy as np
import pytest

from theory.edgeworth import BUDGET_SAFETY, BUDGET_TERMS, Edgeworth
from validation.checks.edgeworth import _cornish_fisher, _density, _lattice
from validation.checks.edgeworth._common import expansion
from validation.systems import SUMMANDS

LEVELS = (0.005, 0.995)  # the density check's bins (at most 150) and the Cornish-Fisher levels lie inside
POINTS = 600


def _grid(law, lo: float = LEVELS[0], hi: float = LEVELS[1]) -> np.ndarray:
    a, b = law.ppf(np.array([lo, hi]))
    return np.linspace(a, b, POINTS)


def _density_cases() -> list[tuple[str, int, int]]:
    out = []
    for key, minimum in _density.VERIFIED_N.items():
        for order, n0 in enumerate(minimum):
            for n in sorted({n0, 2 * n0, 4 * n0, 16 * n0}):
                out.append((key, n, order))
    return out


@pytest.mark.parametrize("key, n, order", _density_cases())
def test_cdf_and_pdf_budgets_bound_the_error(key: str, n: int, order: int) -> None:
    s = SUMMANDS[key]
    E, law = expansion(s, 4), s.sum_law(n)
    x = _grid(law)
    err_cdf = np.abs(law.cdf(x) - E.cdf(x, n, order, warn=False))
    err_pdf = np.abs(law.pdf(x) - E.pdf(x, n, order, warn=False))
    assert np.all(err_cdf <= E.cdf_budget(x, n, order)), np.max(err_cdf / E.cdf_budget(x, n, order))
    assert np.all(err_pdf <= E.pdf_budget(x, n, order)), np.max(err_pdf / E.pdf_budget(x, n, order))


def test_density_checks_refuse_unverified_regimes() -> None:
    predict = _density._predictor("mixture")
    with pytest.raises(ValueError, match="verified for n >= 20"):
        predict({"ns": [10], "orders": [4], "samples": 1000, "bins": 10})
    # outside it the budget indeed fails: the mixture at n = 6, order 4
    s = SUMMANDS["mixture"]
    E, law = expansion(s, 4), s.sum_law(6)
    x = _grid(law)
    assert np.max(np.abs(law.pdf(x) - E.pdf(x, 6, 4, warn=False)) / E.pdf_budget(x, 6, 4)) > 1


@pytest.mark.parametrize("key", ["exp", "gamma0.5"])
@pytest.mark.parametrize("n", [_cornish_fisher.MIN_N, 10, 20, 40, 100])
def test_ppf_budget_bounds_the_cornish_fisher_error(key: str, n: int) -> None:
    s = SUMMANDS[key]
    E, law = expansion(s, 4), s.sum_law(n)
    q = np.linspace(*LEVELS, POINTS)
    exact = law.ppf(q)
    for order in range(5):
        err = np.abs(exact - E.ppf(q, n, order, warn=False))
        assert np.all(err <= E.ppf_budget(q, n, order)), (order, np.max(err / E.ppf_budget(q, n, order)))


@pytest.mark.parametrize("key", ["bernoulli0.3", "two_point"])
@pytest.mark.parametrize("n", [_lattice.MIN_N, 30, 45, 60, 120, 240])
def test_lattice_budget_bounds_the_error_at_the_lattice_points(key: str, n: int) -> None:
    s = SUMMANDS[key]
    E, law = expansion(s, 3, lattice=True), s.sum_law(n)
    k1, k2 = (float(c) for c in E.cumulants[:2])
    x = s.lattice_points(n, 4.0, k1, k2)  # the widest limit the lattice check accepts
    for order in range(4):
        err = np.abs(law.cdf(x) - E.cdf(x, n, order, warn=False))
        assert np.all(err <= E.cdf_budget(x, n, order)), (order, np.max(err / E.cdf_budget(x, n, order)))


def test_first_omitted_term_is_not_a_bound() -> None:
    """Where the first omitted term vanishes (Q_1 ~ He_2 at x = +-1) the error does not; the budget covers it."""
    s = SUMMANDS["exp"]
    E, law = expansion(s, 4), s.sum_law(40)
    x = np.array([-1.0, 1.0])
    err = np.abs(law.cdf(x) - E.cdf(x, 40, 0))
    assert np.all(E.cdf_truncation(x, 40, 0) < 1e-15) and np.all(err > 5e-4)
    assert np.all(err <= E.cdf_budget(x, 40, 0))
    # and at the median of a symmetric law every odd term vanishes, the even ones do not
    u = SUMMANDS["uniform"]
    Eu = expansion(u, 4)
    assert Eu.cdf_budget(np.array([0.5]), 10, 1)[0] > 0


def test_budget_is_twice_the_first_three_terms() -> None:
    E = Edgeworth([1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0])
    x = np.linspace(-3, 3, 31)
    np.testing.assert_allclose(E.cdf_budget(x, 20, 1), BUDGET_SAFETY * E.cdf_truncation(x, 20, 1, terms=BUDGET_TERMS))
    terms = sum(np.abs(E.cdf(x, 20, j, warn=False) - E.cdf(x, 20, j - 1, warn=False)) for j in (2, 3, 4))
    np.testing.assert_allclose(E.cdf_truncation(x, 20, 1, terms=3), terms, atol=1e-16)
    with pytest.raises(ValueError, match="term 4 needs cumulants up to k6"):
        Edgeworth([1.0, 1.0, 2.0, 6.0, 24.0]).cdf_budget(x, 20, 1)
