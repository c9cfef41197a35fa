"""Activations of the wide-network theory: one table with the numerics layer; closed forms for
non-smooth activations (step, sign, |x|) against Monte Carlo; non-smooth callables are refused
instead of being integrated with an understated error."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from numerics.activations import ACTIVATION_NAMES as NUMERICS_NAMES
from numerics.activations import torch_activation
from theory.wide_networks import (
    ACTIVATION_NAMES,
    finite_width,
    four_point_two_inputs,
    nngp_kernel,
    ntk_kernel,
    output_density,
    pair_expectations,
    resolve_activation,
)

X = np.array([[0.3, -1.2], [1.1, 0.4], [-0.7, 0.9]])
rng = np.random.default_rng(0)


def test_one_activation_table_for_both_layers():
    assert set(ACTIVATION_NAMES) == set(NUMERICS_NAMES)
    import torch

    z = np.linspace(-3, 3, 41)
    for name in ACTIVATION_NAMES:
        if name == "leaky_relu":
            continue
        th = resolve_activation(name).fn(z)
        nu = torch_activation(name).fn(torch.as_tensor(z)).numpy()
        keep = z != 0  # the value at 0 of a jump is a convention (measure zero)
        np.testing.assert_allclose(th[keep], nu[keep], rtol=1e-6, atol=1e-7, err_msg=name)


def _pair_mc(fn, q1, k12, q2, N=2_000_000):
    L = np.linalg.cholesky(np.array([[q1, k12], [k12, q2]]))
    u, v = L @ rng.standard_normal((2, N))
    prod = fn(u) * fn(v)
    return prod.mean(), prod.std() / np.sqrt(N)


@pytest.mark.parametrize("name,fn", [("step", lambda z: (z > 0) * 1.0), ("sign", np.sign), ("abs", np.abs),
                                     ("sigmoid", lambda z: 1 / (1 + np.exp(-z)))])
def test_pair_expectation_against_monte_carlo(name, fn):
    ss, _ = pair_expectations(name, 1.3, 0.4, 0.8)
    mc, se = _pair_mc(fn, 1.3, 0.4, 0.8)
    assert abs(float(ss) - mc) < 5 * se


@pytest.mark.parametrize("name,jump", [("step", 1.0), ("sign", 2.0)])
def test_delta_derivative_pair_is_the_density_at_the_origin(name, jump):
    """sigma' = jump * delta: E[sigma'(u) sigma'(v)] = jump^2 p(0, 0), checked as P(|u|, |v| < h) / (2h)^2."""
    q1, k12, q2 = 1.3, 0.4, 0.8
    _, dd = pair_expectations(name, q1, k12, q2)
    L = np.linalg.cholesky(np.array([[q1, k12], [k12, q2]]))
    u, v = L @ rng.standard_normal((2, 4_000_000))
    h = 0.05
    box = np.mean((np.abs(u) < h) & (np.abs(v) < h)) / (2 * h) ** 2 * jump ** 2
    assert float(dd) == pytest.approx(box, rel=0.08)
    assert float(pair_expectations(name, 1.0, 1.0, 1.0)[1]) == np.inf  # degenerate pair: infinite


@pytest.mark.parametrize("expr,name", [(sp.Heaviside(sp.Symbol("x")), "step"), (sp.sign(sp.Symbol("x")), "sign"),
                                       (sp.Abs(sp.Symbol("x")), "abs"), (sp.Max(sp.Symbol("x"), 0), "relu")])
def test_sympy_non_smooth_expressions_get_the_closed_forms(expr, name):
    for fn in (nngp_kernel, ntk_kernel):
        a = fn(X, X[:2], expr, [1.0, 1.5, 1.2], 0.1)
        b = fn(X, X[:2], name, [1.0, 1.5, 1.2], 0.1)
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_sign_callable_ntk_no_longer_silently_wrong():
    """Regression: np.sign as a callable was integrated by Gauss-Hermite with sigma' taken as a function
    (the NTK was off by ~60% with a stated error of 3%).  It is now recognised as sign (exact)."""
    cw = [1.0, 1.5, 1.2]
    a, err = ntk_kernel(X, X[::-1], np.sign, cw, 0.1, return_error=True)
    b = ntk_kernel(X, X[::-1], "sign", cw, 0.1)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert np.all(err == 0)


def test_sign_pairs_are_the_limit_of_erf_z_over_eps():
    """sign = lim erf(z / eps): Williams' erf closed forms at variances q / eps^2 converge to the degree-0
    arc-cosine pair, and eps^-2 <erf' erf'> to the delta pair (density at the origin)."""
    q1, k12, q2 = 1.3, 0.4, 0.8
    ss, dd = pair_expectations("sign", q1, k12, q2)
    eps = 1e-4
    ss_e, dd_e = pair_expectations("erf", q1 / eps ** 2, k12 / eps ** 2, q2 / eps ** 2)
    assert float(ss_e) == pytest.approx(float(ss), rel=1e-6)
    assert float(dd_e) / eps ** 2 == pytest.approx(float(dd), rel=1e-6)


@pytest.mark.parametrize("fn", [lambda z: np.abs(z - 0.3), lambda z: np.where(z > 0.5, 1.0, 0.0),
                                lambda z: z ** 3 * (z > 0)])
def test_non_smooth_callables_are_refused(fn):
    act = resolve_activation(fn)
    assert not act.smooth and "jump" in act.note
    with pytest.raises(ValueError, match="not smooth"):
        nngp_kernel(X, X, fn, [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="not smooth"):
        finite_width(fn, [8], 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="not smooth"):
        output_density(fn, 5, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="not smooth"):
        four_point_two_inputs(X[:2], fn, 3, [1.0, 1.0], 0.0)


def test_non_smooth_non_homogeneous_sympy_is_refused():
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="not smooth"):
        resolve_activation(sp.Abs(x - sp.Rational(3, 10)))


def test_smooth_callable_error_estimate_bounds_the_actual_error():
    cw = [1.0, 1.5, 1.2]
    val, err = ntk_kernel(X, X, np.tanh, cw, 0.1, return_error=True, quadrature_order=24)
    ref = ntk_kernel(X, X, "tanh", cw, 0.1, quadrature_order=200)
    assert np.all(np.abs(val - ref) <= err + 1e-12)


def test_homogeneous_four_point_is_exact():
    """Step/sign/ReLU four-point vertices (polar integration) against a dense Monte Carlo of the formula."""
    Xa = X[:2]
    for name in ("relu", "step", "abs"):
        kap, err = four_point_two_inputs(Xa, name, 3, [1.5, 1.3], 0.1)
        fn = resolve_activation(name).fn
        K1 = 0.1 + 1.5 * Xa @ Xa.T / 2
        L = np.linalg.cholesky(K1)
        u, v = L @ rng.standard_normal((2, 2_000_000))
        su, sv = fn(u), fn(v)
        W = np.mean(su ** 4) - np.mean(su ** 2) ** 2
        m22 = np.mean(su ** 2 * sv ** 2)
        expect = 1.3 ** 2 / 3 * ((m22 - np.mean(su ** 2) * np.mean(sv ** 2)) + 2 * (m22 - np.mean(su * sv) ** 2))
        assert kap[0, 0, 1, 1] == pytest.approx(expect, rel=0.02)
        assert kap[0, 0, 0, 0] == pytest.approx(3 * 1.3 ** 2 / 3 * W, rel=0.02)
        assert np.all(err < 1e-10)


def test_piecewise_constant_finite_width_and_density():
    fw = finite_width("sign", [4, 4], 1.0, 0.0, 1.0)  # sign^2 = 1: the layer norms do not fluctuate
    assert fw.excess_kurtosis == 0 and fw.variance == pytest.approx(1.0)
    d = output_density("step", 10, 1.0, 0.0, 1.0)
    # X = w 1[z > 0]: <sigma^2> = <sigma^4> = 1/2, kappa_4 = 3 (1/2 - 1/4)
    assert d.cumulants[1] == pytest.approx(0.5) and d.cumulants[3] == pytest.approx(0.75)


def test_exact_output_cdf_against_closed_form_and_bounds_its_error():
    """Linear activation, zero bias: S = K1 C_W chi2_n / n, so F(x) = E Phi(x / sqrt(S)) by 1-D quadrature."""
    from scipy import integrate, stats

    d = output_density("linear", 4, 1.0, 0.0, 1.0)
    x = np.array([-1.0, 0.5, 2.0])
    F, err = d.exact_cdf(x, return_error=True)
    ref = np.array([integrate.quad(lambda s: stats.norm.cdf(a / np.sqrt(s)) * stats.gamma(2, scale=0.5).pdf(s), 0,
                                   np.inf, epsabs=1e-13)[0] for a in x])
    assert np.all(np.abs(F - ref) <= err) and np.all(err < 1e-5)


def test_edgeworth_error_exceeds_its_first_omitted_term_at_width_5():
    """Why the density check's budget is the error against the exact CDF: at width 5 (erf, K1 = 2) the
    real remainder of the 1/n Edgeworth CDF exceeds the first omitted term somewhere on the grid."""
    d = output_density("erf", 5, 1.0, 0.0, 2.0)
    x = np.linspace(-2.0, 2.0, 9) * np.sqrt(d.variance)
    exact, err = d.exact_cdf(x, return_error=True)
    assert np.any(np.abs(exact - d.cdf(x)) - err > d.cdf_truncation(x))


def test_exact_cdf_refuses_laws_with_an_atom():
    with pytest.raises(ValueError, match="atom"):
        output_density("relu", 3, 2.0, 0.0, 1.0).exact_cdf(np.array([0.5]))
