"""theory.wide_networks with weights and biases of any law: laws, the exact first layer, the 1/width
recursion (single input, pairs, NTK mean) and the exact scale-invariant recursion, each against an
independent computation (explicit-weight Monte Carlo in tests/network_mc.py, finite differences, the
Gaussian theory)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.network_mc import ensemble, ratio_se
from theory.wide_networks import (
    LAW_NAMES,
    exact_fourth_moment,
    exact_moment_ratio,
    finite_width,
    network_moments,
    nngp_kernel,
    ntk_kernel,
    resolve_activation,
    resolve_law,
)
from theory.wide_networks._first_layer import first_layer_expectations
from theory.wide_networks._gauss_engine import GaussEngine

torch.set_num_threads(1)


def test_law_table_matches_numerics_and_kurtoses() -> None:
    from numerics.wide_networks import LAW_NAMES as NUM

    assert LAW_NAMES == NUM
    assert resolve_law("uniform").kurtosis == pytest.approx(-1.2)
    assert resolve_law("rademacher").kurtosis == -2.0
    assert resolve_law(("student_t", 10.0)).kurtosis == pytest.approx(1.0)
    x = np.random.default_rng(0).uniform(-1, 1, 200_000)
    m = resolve_law(("measured", x))
    assert m.kurtosis == pytest.approx(-1.2, abs=0.02)
    u = np.linspace(0.001, 0.999, 999)
    for spec in ("gaussian", "uniform", ("student_t", 9.0)):  # ppf: mean 0, variance 1 (quantile integral)
        q = resolve_law(spec).ppf(u)
        assert abs(np.mean(q)) < 1e-9 and np.mean(q * q) == pytest.approx(1.0, abs=0.06)


@pytest.mark.parametrize("bad", ["student_t", ("student_t", 4.0), ("measured", [1.0, 2.0]), ("cauchy", 1.0)])
def test_law_bad_specs(bad) -> None:
    with pytest.raises((TypeError, ValueError)):
        resolve_law(bad)


@pytest.mark.parametrize("act", ["tanh", "relu", ("leaky_relu", 0.2)])
def test_engine_derivatives_against_finite_differences(act) -> None:
    """<d_u d_v f> = d<f>/dK_12 and <d_u^2 d_v^2 f> = d^2<f>/dK_12^2 (Gaussian integration by parts)."""
    a = resolve_activation(act)
    K = np.array([[0.8, 0.3], [0.3, 1.3]])

    def val(k12: float) -> float:
        return GaussEngine(a, np.array([[0.8, k12], [k12, 1.3]])).expect((1, 1))[0]

    e = GaussEngine(a, K)
    h = 1e-3
    assert e.expect((1, 1), None, (1, 1))[0] == pytest.approx((val(0.3 + h) - val(0.3 - h)) / (2 * h), rel=1e-5)
    assert e.expect((1, 1), None, (2, 2))[0] == pytest.approx((val(0.3 + h) - 2 * val(0.3) + val(0.3 - h)) / h ** 2,
                                                              rel=1e-3)


@pytest.mark.parametrize("d, law, bias, method", [(1, "uniform", "uniform", "tensor"), (6, "rademacher", "gaussian", "tensor"),
                                                  (10, "uniform", "uniform", "fft"), (24, "rademacher", "uniform", "rqmc")])
def test_first_layer_exact_law_against_monte_carlo(d, law, bias, method) -> None:
    act = resolve_activation("tanh")
    X = np.random.default_rng(d).normal(size=(2, d))
    groups = [((0,), [((2,), (0,)), ((4,), (0,))]), ((0, 1), [((1, 1), (0, 0)), ((0, 0), (1, 1))])]
    vals, errs, m = first_layer_expectations(X, act, 1.5, 0.2, resolve_law(law), resolve_law(bias), groups)
    assert m == method
    g = torch.Generator().manual_seed(d + 100)
    from tests.network_mc import draw

    W = draw(law, (400_000, d), g).numpy() * math.sqrt(1.5 / d)
    u = W @ X.T + draw(bias, (400_000, 1), g).numpy() * math.sqrt(0.2)
    s, ds = np.tanh(u), 1 - np.tanh(u) ** 2
    cols = [s[:, 0] ** 2, s[:, 0] ** 4, s[:, 0] * s[:, 1], ds[:, 0] * ds[:, 1]]
    for v, e, c in zip(np.concatenate(vals), np.concatenate(errs), cols):
        assert abs(v - c.mean()) <= e + 5 * c.std() / math.sqrt(c.size)


@pytest.mark.parametrize("law, widths, act", [("uniform", (8, 8), "tanh"), ("rademacher", (6, 6), "tanh"),
                                              ("t12", (16, 16), "tanh"), ("uniform", (8, 8), "relu")])
def test_finite_width_any_law_against_monte_carlo(law, widths, act) -> None:
    spec = ("student_t", 12.0) if law == "t12" else law
    r = finite_width(act, widths, 1.5, 0.1, 1.0, weight_laws=spec, bias_laws=spec)
    fn = torch.tanh if act == "tanh" else torch.relu
    members = 60_000 if law == "t12" else 200_000
    mc = ensemble(np.ones((1, 1)), fn, widths, [1.0, 1.5, 1.5], [0.0, 0.1, 0.1], law, law, members, seed=3)
    S, Q = mc["S"][:, 0, 0], mc["Q"][:, 0]
    k, se = ratio_se(3 * S * S + Q, S)
    assert abs(k - 3 - r.excess_kurtosis) <= r.kurtosis_truncation + 5 * se
    assert abs(S.mean() - r.variance) <= r.variance_truncation + 5 * S.std() / math.sqrt(S.size)
    gauss = finite_width(act, widths, 1.5, 0.1, 1.0)
    if law != "t12":  # the law matters far beyond the errors
        assert abs(k - 3 - gauss.excess_kurtosis) > 20 * se


def test_exact_fourth_moment_reduces_to_hanin_nica_and_matches_monte_carlo() -> None:
    for ws in ((3, 5), (4, 4, 4)):
        q, k = exact_fourth_moment("relu", ws, 2.0, 0.0, 1.0)
        assert k + 3 == pytest.approx(exact_moment_ratio("relu", ws, 4), rel=1e-12)
    assert exact_moment_ratio("relu", (3, 5), 4, weight_laws="uniform") != exact_moment_ratio("relu", (3, 5), 4)
    q, k = exact_fourth_moment("relu", (6, 6), 2.0, 0.2, 2.0, weight_laws="uniform", bias_laws="uniform")
    mc = ensemble(np.ones((1, 1)), torch.relu, (6, 6), [2.0, 2.0, 2.0], [0.0, 0.2, 0.2], "uniform", "uniform",
                  200_000, seed=5)
    S, Q = mc["S"][:, 0, 0], mc["Q"][:, 0]
    km, se = ratio_se(3 * S * S + Q, S)
    assert abs(km - 3 - k) < 5 * se and S.mean() == pytest.approx(q, rel=5 * S.std() / math.sqrt(S.size) / q)


def test_network_moments_gaussian_laws_reproduce_the_gaussian_theory() -> None:
    X = np.random.default_rng(1).normal(size=(3, 4))
    cw, cb = [1.5, 1.2, 1.3], [0.1, 0.1, 0.1]
    r = network_moments(X, "tanh", (16, 16), cw, cb)
    np.testing.assert_allclose(r.kernel, nngp_kernel(X, X, "tanh", cw, cb), rtol=1e-8)
    np.testing.assert_allclose(r.ntk_infinite, ntk_kernel(X, X, "tanh", cw, cb, parameterization="standard"), rtol=1e-8)
    one = network_moments(np.ones((1, 1)), "tanh", (16, 16), [1.0, 1.2, 1.3], [0.0, 0.1, 0.1])
    fw = finite_width("tanh", (16, 16), [1.2, 1.3], 0.1, 1.0)
    assert one.variance[0] == pytest.approx(fw.variance, rel=1e-6)  # Gauss-Hermite orders 64 vs 160
    assert one.excess_kurtosis[0] == pytest.approx(fw.excess_kurtosis, rel=1e-6)


def test_network_moments_uniform_against_monte_carlo() -> None:
    """Covariance, kurtosis and NTK mean of a two-hidden-layer tanh net with uniform parameters (d = 4)."""
    X = np.random.default_rng(2).normal(size=(2, 4))
    cw, cb = [1.5] * 3, [0.1] * 3
    r = network_moments(X, "tanh", (16, 16), cw, cb, weight_laws="uniform", bias_laws="uniform")
    mc = ensemble(X, torch.tanh, (16, 16), cw, cb, "uniform", "uniform", 60_000, seed=7, ntk=True)
    S, Q, T = mc["S"], mc["Q"], mc["ntk"]
    n = S.shape[0]
    for a, b in ((0, 0), (0, 1), (1, 1)):
        assert abs(S[:, a, b].mean() - r.covariance[a, b]) <= r.covariance_truncation[a, b] + 5 * S[:, a, b].std() / math.sqrt(n)
        assert abs(T[:, a, b].mean() - r.ntk[a, b]) <= r.ntk_truncation[a, b] + 5 * T[:, a, b].std() / math.sqrt(n)
    for a in range(2):
        k, se = ratio_se(3 * S[:, a, a] ** 2 + Q[:, a], S[:, a, a])
        assert abs(k - 3 - r.excess_kurtosis[a]) <= r.kurtosis_truncation[a] + 5 * se
    # the infinite-width covariance is resolved as wrong: the 1/n terms are measured
    assert np.max(np.abs(S.mean(0) - r.kernel) / (S.std(0) / math.sqrt(n))) > 3


def test_one_hidden_layer_ntk_and_kurtosis_exact_any_law() -> None:
    X = np.random.default_rng(4).normal(size=(2, 3))
    r = network_moments(X, "tanh", (4,), [1.5, 1.3], [0.2, 0.1], weight_laws="rademacher", bias_laws="uniform")
    assert np.all(r.kurtosis_truncation <= 1e-6) and np.all(r.ntk_truncation <= 1e-6)
    mc = ensemble(X, torch.tanh, (4,), [1.5, 1.3], [0.2, 0.1], "rademacher", "uniform", 100_000, seed=8, ntk=True)
    T = mc["ntk"]
    se = T.std(0) / math.sqrt(T.shape[0])
    assert np.all(np.abs(T.mean(0) - r.ntk) < 5 * se + 1e-6)


def test_network_moments_refuses_bad_activations_and_collinear_inputs() -> None:
    X = np.random.default_rng(0).normal(size=(2, 3))
    with pytest.raises(ValueError, match="integrable"):
        network_moments(X, lambda z: np.exp(z * z), (8,), 1.0, 0.1)
    with pytest.raises(ValueError, match="correlation"):
        network_moments(np.vstack([X[0], 2 * X[0]]), "tanh", (8, 8), 1.0, 0.0)
    with pytest.raises(ValueError, match="Dirac"):
        network_moments(X, "step", (8,), 1.0, 0.1)


def test_kurtosis_budget_rule_against_the_exact_scale_invariant_recursion() -> None:
    """kappa_+^2 max(1, kappa_+) bounds the exact O(1/n^2) remainder of piecewise-linear networks (all laws)."""
    worst = 0.0
    for act in ("relu", "linear", ("leaky_relu", -0.5)):
        for law in ("gaussian", "uniform", "rademacher", ("student_t", 6.0), ("student_t", 12.0)):
            for ws in ((4, 4), (3, 3, 3), (4, 8, 16), (16, 16, 16, 16), (64, 64)):
                for cb in (0.0, 0.3, 2.0):
                    r = finite_width(act, ws, None, cb, 1.0, weight_laws=law, bias_laws=law)
                    kp = r.extra["excess_kurtosis_majorant"]
                    worst = max(worst, r.kurtosis_truncation / (kp * kp * max(1.0, kp)))
    assert worst < 1.0


@pytest.mark.slow
@pytest.mark.parametrize("act, law, widths", [("tanh", "uniform", (8, 8)), ("gelu", "rademacher", (8, 8)),
                                              ("tanh", "t10", (16, 16, 16)), ("silu", "gaussian", (8, 8))])
def test_budgets_cover_the_second_order_against_monte_carlo(act, law, widths) -> None:
    """Variance, covariance and kurtosis of small networks: |theory - Monte Carlo| <= budget + 4 standard errors
    (t10: finite eighth moment, so the kurtosis estimator has a finite variance)."""
    X = np.random.default_rng(11).normal(size=(2, 4))
    L = len(widths) + 1
    cw, cb = [2.0] * L, [0.1] * L
    spec = ("student_t", 10.0) if law == "t10" else law
    r = network_moments(X, act, widths, cw, cb, weight_laws=spec, bias_laws=spec, ntk=False)
    fn = {"tanh": torch.tanh, "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu}[act]
    mc = ensemble(X, fn, widths, cw, cb, law, law, 200_000, seed=13)
    S, Q = mc["S"], mc["Q"]
    se = S.std(0) / math.sqrt(S.shape[0])
    assert np.all(np.abs(S.mean(0) - r.covariance) <= r.covariance_truncation + 4 * se)
    for a in range(2):
        k, kse = ratio_se(3 * S[:, a, a] ** 2 + Q[:, a], S[:, a, a])
        assert abs(k - 3 - r.excess_kurtosis[a]) <= r.kurtosis_truncation[a] + 4 * kse
