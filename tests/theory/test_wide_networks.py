"""Tests for theory.wide_networks: every closed form against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

from theory.wide_networks import nngp_kernel, ntk_kernel, pair_expectations, resolve_activation

ACTS = ["linear", "relu", "erf", "tanh", "gelu", "silu", ("leaky_relu", 0.2)]


def _dblquad_pair(fn, q1, k12, q2):
    """<f(u) f(v)> by adaptive scipy quadrature in (xi1, xi2) -- independent of Gauss-Hermite."""
    rho = k12 / math.sqrt(q1 * q2)
    c = math.sqrt(1 - rho * rho)

    def integrand(x2, x1):
        u = math.sqrt(q1) * x1
        v = math.sqrt(q2) * (rho * x1 + c * x2)
        return float(fn(np.array(u))) * float(fn(np.array(v))) * math.exp(-(x1 * x1 + x2 * x2) / 2) / (2 * math.pi)

    val, _ = integrate.dblquad(integrand, -9, 9, -9, 9, epsabs=1e-9, epsrel=1e-8)
    return val


@pytest.mark.parametrize("act", ["relu", ("leaky_relu", -0.3), "erf", "tanh", "gelu"])
def test_pair_expectation_against_adaptive_quadrature(act):
    a = resolve_activation(act)
    q1, k12, q2 = 0.7, -0.3, 1.3
    ss, dd = pair_expectations(act, q1, k12, q2)
    # stated quadrature error: difference to the 48-node rule (zero for closed forms)
    ss48, dd48 = pair_expectations(act, q1, k12, q2, order=48)
    assert abs(ss - _dblquad_pair(a.fn, q1, k12, q2)) <= abs(ss - ss48) + 1e-7
    if a.slopes is None:
        assert abs(dd - _dblquad_pair(a.dfn, q1, k12, q2)) <= abs(dd - dd48) + 1e-7


def test_relu_derivative_pair_is_orthant_probability():
    rng = np.random.default_rng(1)
    cov = np.array([[1.0, 0.6], [0.6, 1.5]])
    z = rng.multivariate_normal([0, 0], cov, size=400_000)
    p = np.mean((z[:, 0] > 0) & (z[:, 1] > 0))
    _, dd = pair_expectations("relu", 1.0, 0.6, 1.5)
    assert abs(dd - p) < 5 * math.sqrt(p * (1 - p) / len(z))


def test_linear_deep_kernels_closed_form():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 3))
    cw = [1.3, 0.7, 2.0]
    K = nngp_kernel(X, X, "linear", cw, 0.0)
    base = X @ X.T / 3
    np.testing.assert_allclose(K, np.prod(cw) * base, rtol=1e-12)
    # NTK parameterisation: each of L layers contributes prod(C_W) x.x'/d
    np.testing.assert_allclose(ntk_kernel(X, X, "linear", cw, 0.0), 3 * np.prod(cw) * base, rtol=1e-12)
    # standard: sum_l prod_{m != l} C_W^(m) x.x'/d
    std = sum(np.prod(cw) / c for c in cw) * base
    np.testing.assert_allclose(ntk_kernel(X, X, "linear", cw, 0.0, parameterization="standard"), std, rtol=1e-12)


def _empirical(X, act, cw, cb, width, rng, parameterization):
    """NNGP sample z z'^T and empirical NTK of one finite numpy network (hand-written backprop)."""
    a = resolve_activation(act)
    L = len(cw)
    n = [X.shape[1]] + [width] * (L - 1) + [1]
    acts, pre = [X], []
    Ws = []
    for l in range(L):
        W = rng.normal(size=(n[l], n[l + 1])) * math.sqrt(cw[l] / n[l])
        b = rng.normal(size=n[l + 1]) * math.sqrt(cb)
        Ws.append(W)
        z = acts[-1] @ W + b
        pre.append(z)
        acts.append(a.fn(z))
    out = pre[-1][:, 0]
    delta = np.ones((X.shape[0], 1))
    theta = np.zeros((X.shape[0], X.shape[0]))
    for l in reversed(range(L)):
        if l < L - 1:
            delta = (delta @ Ws[l + 1].T) * a.dfn(pre[l])
        dd = delta @ delta.T
        aa = acts[l] @ acts[l].T
        if parameterization == "ntk":
            theta += cw[l] / n[l] * dd * aa + cb * dd
        else:
            theta += dd * aa / n[l] + (cb > 0) * dd
    return np.outer(out, out), theta


@pytest.mark.parametrize("act", ["relu", "erf", "tanh"])
@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
def test_kernels_against_finite_networks(act, parameterization):
    """Monte Carlo over finite numpy networks: NNGP and empirical NTK converge to the recursion."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3, 4))
    cw, cb = [1.5, 2.0, 1.8], 0.2
    K = nngp_kernel(X, X, act, cw, cb)
    T = ntk_kernel(X, X, act, cw, cb, parameterization=parameterization)
    zs, ts = [], []
    for _ in range(300):
        z, t = _empirical(X, act, cw, cb, 64, rng, parameterization)
        zs.append(z)
        ts.append(t)
    zs, ts = np.array(zs), np.array(ts)
    # the NNGP covariance is exact in expectation only at infinite width: allow the O(1/n) bias
    # (|bias| <= c K / n with c = O(10) for these depths) plus 5 standard errors
    se = zs.std(0) / math.sqrt(len(zs))
    assert np.all(np.abs(zs.mean(0) - K) < 5 * se + 10 * np.abs(K).max() / 64)
    se_t = ts.std(0) / math.sqrt(len(ts))
    assert np.all(np.abs(ts.mean(0) - T) < 5 * se_t + 10 * np.abs(T).max() / 64)


def test_quadrature_matches_closed_forms_and_reports_error():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 2))
    erf_cf = nngp_kernel(X, X, "erf", [1.0, 1.5, 1.5], 0.1)
    erf_q, err = nngp_kernel(X, X, lambda z: special.erf(z), [1.0, 1.5, 1.5], 0.1, return_error=True)
    assert np.all(np.abs(erf_cf - erf_q) <= err + 1e-12)
    erf_q2 = nngp_kernel(X, X, lambda z: special.erf(z), [1.0, 1.5, 1.5], 0.1, quadrature_order=160)
    assert np.abs(erf_cf - erf_q2).max() < np.abs(erf_cf - erf_q).max()  # converges with the order
    x = sp.Symbol("x")
    t_sym = ntk_kernel(X, X, sp.tanh(x), [1.0, 1.5, 1.5], 0.1)
    np.testing.assert_allclose(t_sym, ntk_kernel(X, X, "tanh", [1.0, 1.5, 1.5], 0.1), rtol=1e-12)


@pytest.mark.parametrize("act", ACTS)
def test_kernel_symmetric_psd(act):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(6, 3))
    for K in (nngp_kernel(X, X, act, [1.0, 2.0, 1.5], 0.05), ntk_kernel(X, X, act, [1.0, 2.0, 1.5], 0.05)):
        np.testing.assert_allclose(K, K.T, rtol=1e-10, atol=1e-12)
        assert np.linalg.eigvalsh(K).min() > -1e-9 * np.abs(K).max()
    K12 = nngp_kernel(X[:2], X, act, [1.0, 2.0, 1.5], 0.05)
    np.testing.assert_allclose(K12, nngp_kernel(X, X, act, [1.0, 2.0, 1.5], 0.05)[:2], rtol=1e-12)


def test_kernel_bad_input():
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match="weight_variances"):
        nngp_kernel(X, X, "relu", [1.0, -1.0], 0.0)
    with pytest.raises(ValueError, match="bias_variances"):
        nngp_kernel(X, X, "relu", [1.0, 1.0], -0.1)
    with pytest.raises(ValueError, match="bias_variances"):
        nngp_kernel(X, X, "relu", [1.0, 1.0], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="unknown activation"):
        nngp_kernel(X, X, "sigmoidal", [1.0], 0.0)
    with pytest.raises(ValueError, match="same input dimension"):
        nngp_kernel(X, np.ones((2, 2)), "relu", [1.0], 0.0)
    with pytest.raises(ValueError, match="non-finite"):
        nngp_kernel(np.array([[np.nan, 1.0]]), X[:, :2], "relu", [1.0], 0.0)
    with pytest.raises(ValueError, match="parameterization"):
        ntk_kernel(X, X, "relu", [1.0], 0.0, parameterization="mup")
    Xc = X.copy()
    nngp_kernel(X, X, "tanh", [1.0, 1.0], 0.1)
    np.testing.assert_array_equal(X, Xc)
