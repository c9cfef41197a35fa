"""Tests for theory.singular_learning: every closed form against an independent computation."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import integrate

from theory.singular_learning import (
    deep_linear_derivation,
    normal_crossing_derivation,
    normal_crossing_llc,
    normal_crossing_tempered_loss,
    parameter_count,
    rlct_deep_linear,
    rlct_normal_crossing,
    rlct_reduced_rank,
    sgld_bias_derivation,
    sgld_quadratic_llc,
    sgld_step_size_bias,
    wbic_beta,
    wbic_derivation,
)

# ------------------------------------------------------------------ exact RLCTs


def test_normal_crossing_values():
    assert rlct_normal_crossing([1]) == (Fraction(1, 2), 1)
    assert rlct_normal_crossing([2]) == (Fraction(1, 4), 1)
    assert rlct_normal_crossing([3]) == (Fraction(1, 6), 1)
    assert rlct_normal_crossing([1, 1]) == (Fraction(1, 2), 2)
    assert rlct_normal_crossing([1, 2, 0]) == (Fraction(1, 4), 1)
    assert rlct_normal_crossing([1, 2], prior_powers=[0, 1]) == (Fraction(1, 2), 2)


def test_normal_crossing_bad_input():
    with pytest.raises(ValueError, match="powers"):
        rlct_normal_crossing([-1, 2])
    with pytest.raises(ValueError, match="at least one positive"):
        rlct_normal_crossing([0, 0])
    with pytest.raises(ValueError, match="prior_powers"):
        rlct_normal_crossing([1, 1], prior_powers=[0])
    with pytest.raises(TypeError):
        rlct_normal_crossing([1.5])


def test_deep_linear_one_hidden_layer_is_reduced_rank_regression():
    # exhaustive over small widths: two independent implementations agree exactly (with m)
    for M, H, N in itertools.product(range(1, 7), repeat=3):
        for r in range(min(M, H, N) + 1):
            assert rlct_deep_linear((M, H, N), r) == rlct_reduced_rank(M, N, H, r)


def test_deep_linear_is_exact_rational_and_symmetric():
    lam, m = rlct_deep_linear((4, 3, 5, 2), 1)
    assert isinstance(lam, Fraction) and isinstance(m, int)
    for w in [(4, 3, 5, 2), (2, 7, 3, 3, 5), (6, 2, 6)]:
        for r in range(min(w) + 1):
            assert rlct_deep_linear(w, r) == rlct_deep_linear(tuple(reversed(w)), r)


def test_deep_linear_regular_and_no_hidden_cases():
    # no hidden layer: linear regression, regular, lambda = MN/2
    assert rlct_deep_linear((3, 5), 2) == (Fraction(15, 2), 1)
    # bottleneck equal to the true rank: r(M + N - r)/2
    for M, N in [(3, 5), (4, 4), (6, 2)]:
        for r in range(1, min(M, N) + 1):
            assert rlct_deep_linear((M, r, N), r)[0] == Fraction(r * (M + N - r), 2)


def test_deep_linear_scalar_chain_is_normal_crossing():
    # widths all 1, r = 0: K = (w_1 ... w_L)^2, a normal-crossing model with L variables
    for L in range(1, 7):
        assert rlct_deep_linear((1,) * (L + 1), 0) == rlct_normal_crossing([1] * L)


def test_deep_linear_bounded_by_half_dimension():
    for w in itertools.product(range(1, 5), repeat=4):
        d = parameter_count(w)
        for r in range(min(w) + 1):
            lam, m = rlct_deep_linear(w, r)
            assert 0 <= lam <= Fraction(d, 2)
            assert 1 <= m <= d


def test_deep_linear_bad_input():
    with pytest.raises(ValueError, match="widths"):
        rlct_deep_linear((3, 0, 2), 0)
    with pytest.raises(ValueError, match="rank"):
        rlct_deep_linear((3, 2, 4), 3)
    with pytest.raises(ValueError, match="rank"):
        rlct_deep_linear((3, 2, 4), -1)
    with pytest.raises(ValueError, match="at least 2"):
        rlct_deep_linear((3,), 0)
    with pytest.raises(TypeError):
        rlct_deep_linear("34", 1)


# ------------------------------------------------------------------ finite-n quadrature


@pytest.mark.parametrize("k", [1, 2, 3])
def test_tempered_loss_1d_against_direct_quadrature(k):
    s, g = 50.0, 2.0

    def f(w: float) -> float:
        return math.exp(-s * w ** (2 * k) - 0.5 * g * w * w)

    num = integrate.quad(lambda w: w ** (2 * k) * f(w), -8, 8, points=[0.0], limit=400)[0]
    den = integrate.quad(f, -8, 8, points=[0.0], limit=400)[0]
    assert normal_crossing_tempered_loss([k], s, gamma=g) == pytest.approx(num / den, rel=1e-7)


def test_tempered_loss_2d_against_direct_quadrature():
    s = 30.0

    def p(y: float, x: float) -> float:
        return math.exp(-s * (x * y) ** 2 - 0.5 * (x * x + y * y))

    opts = {"limit": 200}
    num = integrate.dblquad(lambda y, x: (x * y) ** 2 * p(y, x), 0, 8, 0, 8, epsabs=1e-12)[0]
    den = integrate.dblquad(p, 0, 8, 0, 8, epsabs=1e-12)[0]
    del opts
    assert normal_crossing_tempered_loss([1, 1], s) == pytest.approx(num / den, rel=1e-6)


def test_tempered_loss_prior_powers_and_gaussian_case():
    # k = 1 is Gaussian: E[w^2] = 1/(2s + gamma) exactly
    s, g = np.array([3.0, 30.0, 300.0]), 1.5
    np.testing.assert_allclose(normal_crossing_tempered_loss([1], s, gamma=g), 1 / (2 * s + g), rtol=1e-9)
    # prior |w|^h with k = 1: w^2 ~ Gamma((h+1)/2, rate s + g/2) -> E = (h+1)/(2s + g)
    np.testing.assert_allclose(normal_crossing_tempered_loss([1], s, gamma=g, prior_powers=[2]), 3 / (2 * s + g), rtol=1e-9)


def test_finite_n_llc_approaches_rlct():
    # m = 1: converges to lambda; m = 2: below lambda with a gap shrinking like 1/log(n beta)
    nb = np.array([1e2, 1e4, 1e6])
    v = normal_crossing_llc([2], nb)
    assert abs(v[-1] - 0.25) < abs(v[0] - 0.25) and abs(v[-1] - 0.25) < 2e-3
    w = normal_crossing_llc([1, 1], nb)
    gaps = 0.5 - w
    assert np.all(gaps > 0) and np.all(np.diff(gaps) < 0)
    assert gaps[-1] * math.log(1e6) == pytest.approx(gaps[1] * math.log(1e4), rel=0.35)


# ------------------------------------------------------------------ WBIC and SGLD law


def test_wbic_beta():
    assert wbic_beta(100) == pytest.approx(1 / math.log(100))
    with pytest.raises(ValueError):
        wbic_beta(1)
    with pytest.raises(TypeError):
        wbic_beta(10.0)


def test_sgld_quadratic_law_against_simulated_recursion():
    # exact AR(1) variance recursion, iterated (independent of the closed form)
    h, nb, g, eps, b, T = np.array([1.0, 3.0]), 50.0, 2.0, 0.01, 5, 40
    A = nb * h + g
    var, vals = np.zeros(2), []
    for t in range(b + T):
        if t >= b:
            vals.append(np.sum(nb * h / 2 * var))
        var = (1 - eps * A / 2) ** 2 * var + eps
    assert sgld_quadratic_llc(h, nb, g, eps, burn_in=b, draws=T) == pytest.approx(np.mean(vals), rel=1e-12)
    # stationary value equals the formula d n beta h / [2A(1 - eps A/4)] per direction
    assert sgld_quadratic_llc([4.0], nb, g, eps) == pytest.approx(nb * 4 / (2 * (nb * 4 + g) * (1 - eps * (nb * 4 + g) / 4)))
    # and the symbolic derivation's result
    der = sgld_bias_derivation()
    e, hh, n_b, gg = sp.symbols("epsilon h n_beta gamma", positive=True)
    expr = der.result.rhs
    assert float(expr.subs({e: eps, hh: 4.0, n_b: nb, gg: g})) == pytest.approx(sgld_quadratic_llc([4.0], nb, g, eps))


def test_sgld_law_diverges_and_bias():
    with pytest.raises(ValueError, match="diverges"):
        sgld_quadratic_llc([1.0], 100.0, 0.0, 0.05)
    assert sgld_step_size_bias(1.0, 100.0, 0.0, 0.05) == math.inf
    x = 1e-3 * 101 / 4
    assert sgld_step_size_bias(1.0, 100.0, 1.0, 1e-3) == pytest.approx(x / (1 - x))


def test_derivations_render_and_agree():
    ds = [f() for f in (normal_crossing_derivation, deep_linear_derivation, wbic_derivation, sgld_bias_derivation)]
    for d in ds:
        assert d.to_markdown().startswith("# ")
    dl = ds[1]
    eqs = [s.equation for s in dl.steps if s.equation is not None]
    # the one-hidden-layer reduction step is an identity
    assert sp.simplify(eqs[2].lhs - eqs[2].rhs) == 0
    assert sp.simplify(eqs[3].lhs - eqs[3].rhs) == 0


def test_sgld_law_needs_burn_in_and_draws_together():
    with pytest.raises(ValueError, match="both burn_in and draws"):
        sgld_quadratic_llc([1.0], 50.0, 1.0, 1e-3, burn_in=5)
    with pytest.raises(ValueError, match="both burn_in and draws"):
        sgld_quadratic_llc([1.0], 50.0, 1.0, 1e-3, draws=5)
    with pytest.raises(ValueError, match="gamma > 0"):
        sgld_quadratic_llc([0.0, 1.0], 50.0, 0.0, 1e-3)
    with pytest.raises(TypeError, match="burn_in"):
        sgld_quadratic_llc([1.0], 50.0, 1.0, 1e-3, burn_in=5.0, draws=5)


def test_tms_kgon_published_values():
    from theory.singular_learning import TMS_KGONS, rlct_tms_kgon

    # Chen et al. (arXiv:2310.06301), c = 6: 5-gon 7, 5+-gon 8.5, 6-gon 8.5; the c-gon (3c - 1)/2
    assert rlct_tms_kgon(5, 6) == 7
    assert rlct_tms_kgon(5, 6, 1) == Fraction(17, 2)
    assert rlct_tms_kgon(6, 6) == Fraction(17, 2)
    assert [rlct_tms_kgon(c, c) for c in TMS_KGONS] == [Fraction(3 * c - 1, 2) for c in TMS_KGONS]
    # dead features with a negative bias are flat: lambda does not depend on c
    assert {rlct_tms_kgon(5, c) for c in range(5, 12)} == {7}
    assert isinstance(rlct_tms_kgon(6, 8, 2), Fraction)


@pytest.mark.parametrize("args, exc", [((4, 6), ValueError), ((9, 9), ValueError), ((6, 5), ValueError),
                                       ((5, 6, 2), ValueError), ((5, 6, -1), ValueError), ((5.0, 6), TypeError)])
def test_tms_kgon_bad_input(args, exc):
    from theory.singular_learning import rlct_tms_kgon

    with pytest.raises(exc):
        rlct_tms_kgon(*args)


def test_tms_kgon_derivation_agrees_with_the_function():
    from theory.singular_learning import rlct_tms_kgon, tms_kgon_derivation

    d = tms_kgon_derivation()
    assert d.to_markdown().startswith("# ")
    eqs = [s.equation for s in d.steps if s.equation is not None]
    published = [e for e in eqs if isinstance(e.lhs, sp.Tuple)][0]
    assert tuple(published.lhs) == (rlct_tms_kgon(5, 6), rlct_tms_kgon(5, 6, 1), rlct_tms_kgon(6, 6))
    assert tuple(published.lhs) == tuple(published.rhs)
