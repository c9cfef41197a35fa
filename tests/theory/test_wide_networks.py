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
    # standard: sum_l prod_{m != l} C_W^(m) x.x'/d, plus the trained (zero-initialised) biases:
    # layer l's bias reaches the output through prod_{m > l} C_W^(m)
    std = sum(np.prod(cw) / c for c in cw) * base + sum(np.prod(cw[l + 1:]) for l in range(3))
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
            theta += dd * aa / n[l] + dd  # every bias trained with rate eta
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
    with pytest.raises(ValueError, match="unknown name"):
        nngp_kernel(X, X, "sigmoidal", [1.0], 0.0)
    with pytest.raises(ValueError, match="same input dimension"):
        nngp_kernel(X, np.ones((2, 2)), "relu", [1.0], 0.0)
    with pytest.raises(ValueError, match="finite"):
        nngp_kernel(np.array([[np.nan, 1.0]]), X[:, :2], "relu", [1.0], 0.0)
    with pytest.raises(ValueError, match="parameterization"):
        ntk_kernel(X, X, "relu", [1.0], 0.0, parameterization="mup")
    Xc = X.copy()
    nngp_kernel(X, X, "tanh", [1.0, 1.0], 0.1)
    np.testing.assert_array_equal(X, Xc)


# ---------------------------------------------------------------- exact moments
from fractions import Fraction  # noqa: E402

from theory.wide_networks import (  # noqa: E402
    default_weight_variance,
    exact_moment_ratio,
    finite_width,
    output_density,
    relu_zero_atom,
)
from theory.wide_networks._activations import gauss_expect_1d  # noqa: E402


def _binomial_mixture_moment(ap, am, n, m):
    """E[(a+^2 chi2_N + a-^2 chi2_{n-N})^m], N ~ Bin(n, 1/2): an independent route (chi-square moments)."""

    def chi2_moment(k, j):  # E[(chi2_k)^j] = prod_{i<j} (k + 2i)
        return math.prod(Fraction(k + 2 * i) for i in range(j))

    tot = Fraction(0)
    A, B = Fraction(ap) ** 2, Fraction(am) ** 2
    for N in range(n + 1):
        pN = Fraction(math.comb(n, N), 2 ** n)
        s = sum(math.comb(m, j) * A ** j * B ** (m - j) * chi2_moment(N, j) * chi2_moment(n - N, m - j) for j in range(m + 1))
        tot += pN * s
    return tot


@pytest.mark.parametrize("act,slopes", [("linear", (1, 1)), ("relu", (1, 0)), (("leaky_relu", 0.25), (1, 0.25))])
@pytest.mark.parametrize("widths", [(1,), (3, 5), (2, 7, 4)])
@pytest.mark.parametrize("k", [4, 6, 8])
def test_exact_ratio_against_chi_square_mixture(act, slopes, widths, k):
    m = k // 2
    expect = Fraction(math.prod(range(k - 1, 0, -2)))
    for n in widths:
        expect *= _binomial_mixture_moment(*slopes, n, m) / _binomial_mixture_moment(*slopes, n, 1) ** m
    assert exact_moment_ratio(act, widths, k=k) == pytest.approx(float(expect), rel=1e-12)


def test_exact_ratio_product_formula_and_odd():
    for act, c in (("linear", 2), ("relu", 5)):
        assert exact_moment_ratio(act, [4, 9]) == pytest.approx(3 * (1 + c / 4) * (1 + c / 9), rel=1e-14)
    a = 0.3
    A2, A4 = (1 + a * a) / 2, (1 + a ** 4) / 2
    assert exact_moment_ratio(("leaky_relu", a), [6]) == pytest.approx(3 * (1 + (3 * A4 / A2 ** 2 - 1) / 6))
    assert exact_moment_ratio("relu", [3], k=5) == 0.0
    assert exact_moment_ratio("relu", [], k=6) == 15.0


def _mc_relu_net(widths, N, rng, slope=0.0):
    z = rng.normal(size=(N, widths[0]))
    for n_next in list(widths[1:]) + [1]:
        h = np.where(z > 0, z, slope * z)
        W = rng.normal(size=(N, h.shape[1], n_next)) * math.sqrt(2 / (1 + slope ** 2) / h.shape[1])
        z = np.einsum("ni,nij->nj", h, W)
    return z[:, 0]


def test_exact_ratio_and_atom_against_monte_carlo():
    rng = np.random.default_rng(11)
    widths = (2, 3)
    z = _mc_relu_net(widths, 400_000, rng)
    z2, z4 = z ** 2, z ** 4
    ratio = z4.mean() / z2.mean() ** 2
    # delta-method standard error of the ratio of means
    g = np.stack([z4, z2])
    cov = np.cov(g) / len(z)
    grad = np.array([1 / z2.mean() ** 2, -2 * z4.mean() / z2.mean() ** 3])
    se = math.sqrt(grad @ cov @ grad)
    assert abs(ratio - exact_moment_ratio("relu", widths)) < 5 * se
    p0 = np.mean(z == 0)
    atom = relu_zero_atom(widths)
    assert abs(p0 - atom) < 5 * math.sqrt(atom * (1 - atom) / len(z))


def test_exact_ratio_rejects_non_scale_invariant():
    with pytest.raises(ValueError, match="finite_width"):
        exact_moment_ratio("tanh", [4])
    with pytest.raises(ValueError, match="hidden_widths"):
        exact_moment_ratio("relu", [4, 0])
    with pytest.raises(ValueError, match="k must"):
        exact_moment_ratio("relu", [4], k=1)


# ---------------------------------------------------------------- 1/n expansion
@pytest.mark.parametrize("act", ["linear", "relu", ("leaky_relu", -0.5)])
def test_first_order_matches_exact_expansion(act):
    """3 prod(1 + c/n) = 3 + 3 c sum 1/n + O(1/n^2): compare derivatives in eps = 1/n."""
    base = (1.0, 2.0, 0.5)
    fw = finite_width(act, [round(1 / (1e-7 * b)) for b in base])
    ex = exact_moment_ratio(act, [round(1 / (1e-7 * b)) for b in base]) - 3
    assert fw.excess_kurtosis == pytest.approx(ex, rel=1e-5)
    assert fw.variance_correction == 0.0


def test_variance_correction_against_second_derivative():
    """G = C_W g''(K2) Var(S) / 2 for two hidden layers, g(K) = <sigma^2>_K by finite differences."""
    for act in ("tanh", "erf", "gelu"):
        cw = 1.7
        fw = finite_width(act, [10, 10], C_W=cw, C_b=0.1, K1=0.8)
        K2 = fw.kernels[1]
        h = 1e-3 * K2

        def g(K):
            return float(gauss_expect_1d(lambda z: resolve_activation(act).fn(z) ** 2, K, order=200)[0])

        g2 = (g(K2 + h) - 2 * g(K2) + g(K2 - h)) / h ** 2
        assert fw.variance_correction == pytest.approx(cw * g2 * fw.four_points[1] / 2, rel=1e-5)


def test_finite_width_against_monte_carlo_two_layers():
    """tanh, widths (n, n): the 1/n variance and kurtosis beat the infinite-width values and the residual is
    inside the O(1/n^2) budget (conditional-Gaussian Monte Carlo over the first hidden layer)."""
    rng = np.random.default_rng(5)
    n, cw, cb, K1, N = 6, 1.5, 0.05, 1.0, 200_000
    fw = finite_width("tanh", [n, n], C_W=cw, C_b=cb, K1=K1)
    z1 = rng.normal(size=(N, n)) * math.sqrt(K1)
    S2 = cb + cw * np.mean(np.tanh(z1) ** 2, axis=1)  # variance of layer-2 preactivations given layer 1
    z2 = rng.normal(size=(N, n)) * np.sqrt(S2)[:, None]
    S3 = cb + cw * np.mean(np.tanh(z2) ** 2, axis=1)  # output variance given layer 2: output = sqrt(S3) g
    var, se_var = S3.mean(), S3.std() / math.sqrt(N)
    assert abs(var - fw.variance) < 5 * se_var + fw.variance_truncation
    kurt = 3 * S3.var() / var ** 2
    batches = S3.reshape(40, -1)
    se_kurt = np.std(3 * batches.var(1) / batches.mean(1) ** 2) / math.sqrt(40)
    assert abs(kurt - fw.excess_kurtosis) < 5 * se_kurt + fw.kurtosis_truncation
    assert abs(var - fw.variance) < abs(var - fw.kernel)


def test_finite_width_bad_input():
    with pytest.raises(ValueError, match="C_W"):
        finite_width("tanh", [4], C_W=0.0)
    with pytest.raises(ValueError, match="C_b"):
        finite_width("tanh", [4], C_b=-1.0)
    with pytest.raises(ValueError, match="C_W"):
        finite_width("tanh", [4, 4], C_W=[1.0])
    with pytest.raises(ValueError, match="K1"):
        finite_width("tanh", [4], K1=float("nan"))
    with pytest.raises(ValueError, match="hidden_widths"):
        finite_width("tanh", [0])
    with pytest.raises(TypeError, match="hidden_widths"):
        finite_width("tanh", ["a"])
    assert default_weight_variance("relu") == 2.0


# ---------------------------------------------------------------- Edgeworth density
def test_output_density_cumulants_and_cdf_against_monte_carlo():
    rng = np.random.default_rng(2)
    n, N = 4, 400_000
    d = output_density("erf", n, C_W=1.3, C_b=0.1, K1=1.2)
    h = resolve_activation("erf").fn(rng.normal(size=(N, n)) * math.sqrt(1.2))
    z = (h * rng.normal(size=(N, n))).sum(1) * math.sqrt(1.3 / n) + rng.normal(size=N) * math.sqrt(0.1)
    assert abs(z.var() - d.variance) < 5 * z.var() * math.sqrt(2 / N) * 1.5
    xs = np.linspace(-2, 2, 9) * math.sqrt(d.variance)
    emp = np.array([np.mean(z <= x) for x in xs])
    se = np.sqrt(emp * (1 - emp) / N)
    assert np.all(np.abs(emp - d.cdf(xs)) < 5 * se + d.cdf_truncation(xs))
    # the 1/n term matters: the Gaussian CDF misses somewhere by more than that
    from scipy.stats import norm

    gauss = norm.cdf(xs / math.sqrt(d.variance))
    assert np.any(np.abs(emp - gauss) > 5 * se + d.cdf_truncation(xs))
    pdf_int = integrate.quad(lambda x: float(d.pdf(np.array([x]))[0]), -12, 12)[0]
    assert pdf_int == pytest.approx(1.0, abs=1e-8)


def test_derivations_render():
    from theory.derivation import all_derivations

    names = ["wide_networks-kernels", "wide_networks-finite-width", "wide_networks-exact-moments",
             "wide_networks-edgeworth-density", "wide_networks-multi-input-vertex"]
    for d in all_derivations(names):
        md = d.to_markdown()
        assert d.references and "$$" in md
    fw = all_derivations(["wide_networks-finite-width"])[0]
    # the symbolic ReLU vertex increment agrees with the numeric recursion (5 K^2 / n)
    assert sp.simplify(fw.steps[-1].equation.rhs - 5 * sp.Symbol("K", positive=True) ** 2 / sp.Symbol("n", positive=True)) == 0


def test_four_point_two_inputs_against_monte_carlo_and_single_input():
    from theory.wide_networks import four_point_two_inputs

    X = np.array([[1.0, 0.5], [-0.3, 1.2]])
    cw, cb, n = [1.5, 1.3], 0.1, 3
    k, err = four_point_two_inputs(X, "erf", n, cw, cb)
    assert err.max() < 1e-8
    # symmetric under index permutations
    assert k[0, 0, 1, 1] == pytest.approx(k[0, 1, 0, 1]) and k[0, 0, 0, 1] == pytest.approx(k[1, 0, 0, 0])
    # single input: 3 v of finite_width (one hidden layer)
    K1 = cb + cw[0] * float(X[0] @ X[0]) / 2
    fw = finite_width("erf", [n], C_W=cw[1], C_b=cb, K1=K1)
    assert k[0, 0, 0, 0] == pytest.approx(3 * fw.four_point, rel=1e-9)
    # Monte Carlo over one-hidden-layer numpy networks (joint cumulant with a delta-method error)
    rng = np.random.default_rng(8)
    N = 300_000
    Lc = np.linalg.cholesky(cb + cw[0] * X @ X.T / 2)
    h = special.erf(rng.normal(size=(N, n, 2)) @ Lc.T)
    z = np.einsum("ni,nia->na", rng.normal(size=(N, n)) * math.sqrt(cw[1] / n), h) + rng.normal(size=(N, 1)) * math.sqrt(cb)
    m2 = z.T @ z / N
    for a, b, c, d in [(0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (1, 1, 1, 1)]:
        prod = z[:, a] * z[:, b] * z[:, c] * z[:, d]
        kap = prod.mean() - m2[a, b] * m2[c, d] - m2[a, c] * m2[b, d] - m2[a, d] * m2[b, c]
        assert abs(kap - k[a, b, c, d]) < 5 * prod.std() / math.sqrt(N) + 1e-9
    with pytest.raises(ValueError, match="two inputs"):
        four_point_two_inputs(np.ones((3, 2)), "erf", 3, cw, cb)
