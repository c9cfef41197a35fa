"""theory.edgeworth against independent computations: exact laws, naive series, statsmodels, quadrature;
its warnings where a truncated expansion is not a distribution (regression tests)."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats

from theory.edgeworth import (
    CdfRangeWarning,
    Edgeworth,
    NegativeDensityWarning,
    NonMonotoneQuantileWarning,
    cornish_fisher_polynomials,
    symbolic_lambdas,
    n_sym,
    x_sym,
)
from theory.edgeworth._quantiles import cornish_fisher_coefficients


def gamma_cumulants(a: float, order: int) -> list[float]:
    return [a * math.factorial(r - 1) for r in range(1, order + 1)]


def gamma_exact(a: float, n: float, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, s = n * a, math.sqrt(n * a)
    law = stats.gamma(n * a)
    return law.pdf(m + s * x) * s, law.cdf(m + s * x)


X = np.linspace(-2.5, 3.0, 23)


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0])
def test_density_and_cdf_errors_match_first_omitted_term(a: float) -> None:
    E = Edgeworth(gamma_cumulants(a, 10))
    n = 400
    f, F = gamma_exact(a, n, X)
    for order in range(0, 5):
        err_pdf = np.max(np.abs(E.pdf(X, n, order) - f))
        err_cdf = np.max(np.abs(E.cdf(X, n, order, warn=False) - F))
        b_pdf = np.max(E.pdf_truncation(X, n, order))
        b_cdf = np.max(E.cdf_truncation(X, n, order))
        # the first omitted term is the error to leading order: same size within a factor (1 + O(n^-1/2))
        assert 0.7 < err_pdf / b_pdf < 1.3
        assert 0.7 < err_cdf / b_cdf < 1.3


def test_errors_decrease_with_order_at_large_n() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 10))
    f, _ = gamma_exact(1.0, 1000, X)
    errs = [np.max(np.abs(E.pdf(X, 1000, o) - f)) for o in range(6)]
    assert all(e2 < e1 / 5 for e1, e2 in zip(errs, errs[1:]))


def test_partition_terms_equal_naive_series() -> None:
    from theory.edgeworth._terms import hermite_poly, naive_series_terms, symbolic_lambdas, term_coefficients

    order = 4
    lam_naive = sp.symbols(f"l3:{order + 3}")
    lam = symbolic_lambdas(order)
    naive = [t.subs(sp.Symbol("x"), x_sym) for t in naive_series_terms(order)]
    for j in range(1, order + 1):
        ours = sum(c * hermite_poly(k, x_sym) for k, c in term_coefficients(j, lam).items())
        ours = ours.subs(dict(zip(lam, lam_naive)))
        assert sp.expand(ours - naive[j - 1]) == 0


def test_theory_md_closed_forms() -> None:
    l3, l4, l5 = 0.7, -0.4, 1.3
    k = [0.0, 1.0, l3, l4, l5, 0.2]
    E = Edgeworth(k)
    x = np.linspace(-3, 3, 13)
    n = 7.0
    He = lambda m: stats.norm.pdf(0) * 0 + np.polynomial.hermite_e.hermeval(x, np.eye(m + 1)[m])  # noqa: E731
    phi = stats.norm.pdf(x)
    expect = phi * (
        1
        + n**-0.5 * l3 / 6 * He(3)
        + n**-1 * (l4 / 24 * He(4) + l3**2 / 72 * He(6))
        + n**-1.5 * (l5 / 120 * He(5) + l3 * l4 / 144 * He(7) + l3**3 / 1296 * He(9))
    )
    np.testing.assert_allclose(E.pdf(x, n, 3, warn=False), expect, rtol=1e-12, atol=1e-15)
    z = np.linspace(-2, 2, 9)
    q = stats.norm.cdf(z)
    cf2 = z + l3 * (z**2 - 1) / (6 * n**0.5) + (l4 * (z**3 - 3 * z) / 24 - l3**2 * (2 * z**3 - 5 * z) / 36) / n
    np.testing.assert_allclose(E.ppf(q, n, 2), cf2, rtol=1e-12, atol=1e-12)


def test_symbolic_expressions_match_numeric_and_are_exact() -> None:
    E = Edgeworth([1, 1, 2, 6, 24, 120])  # Exp(1), integer cumulants
    expr = E.density_expr(3)
    assert expr.free_symbols == {x_sym, n_sym}
    # exact rational coefficients (no float from integer division)
    assert not any(isinstance(a, sp.Float) for a in sp.preorder_traversal(expr))
    f = sp.lambdify((x_sym, n_sym), expr, "numpy")
    np.testing.assert_allclose(f(X, 9.0), E.pdf(X, 9, 3, warn=False), rtol=1e-12)
    g = sp.lambdify((x_sym, n_sym), E.cdf_expr(3), ["scipy", "numpy"])
    np.testing.assert_allclose(g(X, 9.0), E.cdf(X, 9, 3, warn=False), rtol=1e-12)


def test_symbolic_cumulants_give_symbolic_expression() -> None:
    k3 = sp.Symbol("k3")
    E = Edgeworth([0, 1, k3, 0])
    assert k3 in E.density_expr(1).free_symbols
    with pytest.raises(TypeError, match="symbolic"):
        E.pdf(0.0, 10, 1)


def test_pdf_integrates_to_one_and_is_derivative_of_cdf() -> None:
    E = Edgeworth(gamma_cumulants(2.0, 8))
    for order in range(5):
        val, _ = integrate.quad(lambda t: float(E.pdf(t, 30, order, warn=False)), -np.inf, np.inf)
        assert val == pytest.approx(1.0, abs=1e-10)
        h = 1e-5
        num = (E.cdf(X + h, 30, order, warn=False) - E.cdf(X - h, 30, order, warn=False)) / (2 * h)
        np.testing.assert_allclose(num, E.pdf(X, 30, order, warn=False), atol=1e-8)


def test_matches_statsmodels_expanded_normal() -> None:
    sm = pytest.importorskip("statsmodels.distributions.edgeworth")
    k = [0.3, 1.7, 0.9, 1.4, -0.8, 2.1]  # six cumulants: statsmodels' maximum
    E = Edgeworth(k)
    x = np.linspace(-4, 5, 1001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.ExpandedNormal(k).pdf(x)
    mu, s = k[0], math.sqrt(k[1])
    ours = E.pdf((x - mu) / s, 1, 4, warn=False) / s
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("a", [0.5, 2.0])
def test_cornish_fisher_against_exact_gamma_quantiles(a: float) -> None:
    E = Edgeworth(gamma_cumulants(a, 10))
    q = np.array([0.005, 0.05, 0.3, 0.5, 0.8, 0.99])
    n = 300
    exact = (stats.gamma(n * a).ppf(q) - n * a) / math.sqrt(n * a)
    prev = np.inf
    for order in range(5):
        err = np.abs(E.ppf(q, n, order) - exact)
        assert np.max(err) < 1.5 * np.max(E.ppf_truncation(q, n, order))  # the first omitted term: the leading error
        assert np.all(err <= E.ppf_budget(q, n, order))  # the budget bounds it pointwise
        err = np.max(err)
        assert err < prev
        prev = err


def test_cdf_of_ppf_is_identity_to_order() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 8))
    q = np.linspace(0.02, 0.98, 11)
    d3 = np.max(np.abs(E.cdf(E.ppf(q, 1000, 3), 1000, 3) - q))
    d1 = np.max(np.abs(E.cdf(E.ppf(q, 1000, 1), 1000, 1) - q))
    assert d3 < 1e-6 < d1 < 1e-3


def bernoulli_cumulants(p: float, order: int) -> list[float]:
    m = [1.0] + [p] * order
    k = [0.0] * (order + 1)
    for r in range(1, order + 1):
        k[r] = m[r] - sum(math.comb(r - 1, j - 1) * k[j] * m[r - j] for j in range(1, r))
    return k[1:]


def test_lattice_expansion_against_exact_binomial() -> None:
    p = 0.3
    k = bernoulli_cumulants(p, 9)
    EL, EP = Edgeworth(k, lattice=(1.0, 0.0)), Edgeworth(k)
    for n in (80, 320):
        ks = np.arange(n + 1)
        x = (ks - n * p) / math.sqrt(n * p * (1 - p))
        sel = np.abs(x) < 3
        exact = stats.binom(n, p).cdf(ks[sel])
        plain = np.max(np.abs(EP.cdf(x[sel], n, 1) - exact))
        errs = [np.max(np.abs(EL.cdf(x[sel], n, o) - exact)) for o in range(6)]
        # plain expansion is stuck at half a jump ~ eta phi / 2; the lattice terms converge order by order
        eta = 1 / math.sqrt(n * p * (1 - p))
        assert plain > 0.3 * eta * stats.norm.pdf(0)
        assert all(e2 < e1 / 3 for e1, e2 in zip(errs[1:], errs[2:]))
        for o in range(1, 5):
            assert errs[o] < 1.5 * np.max(EL.cdf_truncation(x[sel], n, o))


def test_esseen_first_term_by_hand() -> None:
    p, n = 0.3, 50
    k = bernoulli_cumulants(p, 4)
    EL, EP = Edgeworth(k, lattice=(1.0, 0.0)), Edgeworth(k)
    x = np.linspace(-2, 2, 17)
    s = math.sqrt(n * p * (1 - p))
    y = n * p + x * s
    esseen = (np.floor(y) - y + 0.5) * stats.norm.pdf(x) / s
    np.testing.assert_allclose(EL.cdf(x, n, 1) - EP.cdf(x, n, 1), esseen, atol=1e-12)


def test_symmetric_law_budget_skips_vanishing_terms() -> None:
    # Uniform: odd cumulants vanish, so the first non-zero omitted term of order 0 is order 2
    E = Edgeworth([0.5, 1 / 12, 0, -1 / 120, 0, 1 / 252, 0])
    np.testing.assert_allclose(E.cdf_truncation(X, 10, 0), np.abs(E.cdf(X, 10, 2) - E.cdf(X, 10, 0)), atol=1e-17)
    with pytest.raises(ValueError, match="term 4 needs cumulants up to k6"):
        Edgeworth([0.5, 1 / 12, 0, -1 / 120, 0]).cdf_truncation(X, 10, 2)


def test_negative_density_is_reported() -> None:
    E = Edgeworth(gamma_cumulants(0.2, 6))
    with pytest.warns(NegativeDensityWarning, match=r"negative for x in \["):
        E.pdf(np.linspace(-6, 6, 200), 2, 4)


@pytest.mark.parametrize(
    "args, match",
    [
        (([1.0],), "at least two"),
        (([0.0, 0.0, 1.0],), "k2"),
        (([0.0, -1.0],), "k2"),
        (([0.0, 1.0, float("nan")],), "finite"),
        (([0.0, 1.0, float("inf")],), "finite"),
    ],
)
def test_bad_cumulants(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Edgeworth(*args)


def test_bad_arguments() -> None:
    E = Edgeworth([0.0, 1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="order 3 needs cumulants up to k5"):
        E.pdf(0.0, 10, 3)
    with pytest.raises(ValueError, match="n must be"):
        E.pdf(0.0, 0.5, 1)
    with pytest.raises(ValueError, match="x must contain only finite values"):
        E.cdf([0.0, np.nan], 10, 1)
    with pytest.raises(ValueError, match="q must lie"):
        E.ppf([0.0, 0.5], 10, 1)
    with pytest.raises(TypeError, match="order must be an integer"):
        E.pdf(0.0, 10, 1.5)
    with pytest.raises(ValueError, match="span must be > 0"):
        Edgeworth([0.0, 1.0, 0.5], lattice=(0.0, 0.0))
    with pytest.raises(TypeError, match="cumulants"):
        Edgeworth("1,2")


def test_inputs_not_mutated_and_integers_not_truncated() -> None:
    lst = [1, 3, 2, 5]
    arr = np.array([1, 3, 2, 5], dtype=np.int64)
    xs = np.array([0, 1, 2], dtype=np.int64)
    E1, E2 = Edgeworth(lst), Edgeworth(arr)
    E1.pdf(xs, 4, 2)
    assert lst == [1, 3, 2, 5] and arr.tolist() == [1, 3, 2, 5] and xs.tolist() == [0, 1, 2]
    # lambda_3 = 2 / 3^(3/2), not 0 from integer division
    assert E1.pdf(1.0, 1, 1) == pytest.approx(stats.norm.pdf(1.0) * (1 + 2 / 3**1.5 / 6 * (1 - 3)))
    np.testing.assert_allclose(E1.pdf(xs, 4, 2), E2.pdf(xs, 4, 2))
    # k2 = 4, k3 = 1: lambda_3 = 1/8 exactly, so p_1 = He_3 / 48 with a rational coefficient
    expr = sp.expand(Edgeworth([0, 4, Fraction(1, 1)]).density_expr(1) * sp.sqrt(2 * sp.pi) * sp.exp(x_sym**2 / 2))
    assert sp.simplify(expr.coeff(x_sym, 3) - sp.Rational(1, 48) / sp.sqrt(n_sym)) == 0


# ------------------------------------------------------------------ numeric Cornish-Fisher = symbolic inversion
def test_numeric_cornish_fisher_equals_symbolic_inversion() -> None:
    lam = [0.7, -0.4, 1.3, 0.2]
    z = sp.Symbol("z", real=True)
    zz = np.linspace(-3, 3, 13)
    sub = dict(zip(symbolic_lambdas(4), lam))
    numeric = cornish_fisher_coefficients(lam, 4)
    for c_sym, c_num in zip(cornish_fisher_polynomials(4), numeric):
        ref = np.broadcast_to(sp.lambdify(z, c_sym.subs(sub))(zz), zz.shape)
        np.testing.assert_allclose(np.polynomial.polynomial.polyval(zz, c_num), ref, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------------ warnings where the expansion is not a distribution
def test_cdf_leaves_unit_interval_and_decreases_at_n1_order4_with_warnings() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 8))  # Exp(1), n = 1: far from the asymptotic regime
    x = np.linspace(-4.0, 6.0, 401)
    with pytest.warns(CdfRangeWarning, match=r"order 4, n = 1\) is outside \[0, 1\] for x in \[") as rec:
        with pytest.warns(NegativeDensityWarning, match=r"decreases \(its density is negative\) for x in \["):
            F = E.cdf(x, 1, 4)
    # the warnings are right: the values do leave [0, 1] and decrease where the density is negative
    assert np.any(F < 0) or np.any(F > 1)
    assert np.any(np.diff(F) < 0)
    assert any("outside [0, 1]" in str(w.message) for w in rec)
    # the range named in the message brackets the offending points
    bad = x[(F < 0) | (F > 1)]
    msg = next(str(w.message) for w in rec if w.category is CdfRangeWarning)
    lo, hi = (float(t) for t in msg.split("for x in [")[1].split("]")[0].split(","))
    assert lo == pytest.approx(bad.min(), abs=1e-3) and hi == pytest.approx(bad.max(), abs=1e-3)


def test_valid_cdf_and_ppf_do_not_warn() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E.cdf(np.linspace(-2.5, 3.0, 50), 400, 4)
        E.ppf(np.linspace(0.01, 0.99, 50), 400, 4)
        E.cdf(np.linspace(-8.0, 8.0, 50), 10, 0)  # the Gaussian is always a distribution


def test_ppf_non_monotone_warns_with_q_range() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 8))
    q = np.linspace(0.001, 0.999, 999)
    with pytest.warns(NonMonotoneQuantileWarning, match=r"decreases in q for q in \[") as rec:
        x = E.ppf(q, 1, 2)
    assert np.any(np.diff(x) < 0)
    msg = str(rec[0].message)
    lo, hi = (float(t) for t in msg.split("for q in [")[1].split("]")[0].split(","))
    dec = q[1:][np.diff(x) < 0]
    assert lo <= dec.min() + 2e-3 and hi >= dec.max() - 2e-3


def test_lattice_cdf_warns_outside_unit_interval_only() -> None:
    k = bernoulli_cumulants(0.3, 8)
    EL = Edgeworth(k, lattice=(1.0, 0.0))
    x = np.linspace(-4, 4, 201)
    with pytest.warns(CdfRangeWarning):
        EL.cdf(x, 2, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EL.cdf(x, 2, 4, warn=False)


def test_warn_must_be_a_bool() -> None:
    E = Edgeworth(gamma_cumulants(1.0, 6))
    for method in (E.pdf, E.cdf):
        with pytest.raises(TypeError, match="warn"):
            method(0.0, 10, 1, warn=1)
    with pytest.raises(TypeError, match="warn"):
        E.ppf(0.5, 10, 1, warn="yes")
