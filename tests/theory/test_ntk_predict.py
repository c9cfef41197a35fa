"""ntk_predict / nngp_posterior against independent routes: ODE integration, direct GD iteration."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from theory.derivation import all_derivations
import theory.wide_networks
from theory.ntk import nngp_posterior, ntk_predict, ntk_stability_limit
from theory.wide_networks import nngp_kernel, ntk_kernel

ARCH = ("relu", (1.0, 2.0, 2.0), 0.1)


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(3, 3))


def _joint(X: np.ndarray, Xt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Xa = np.concatenate([X, Xt])
    return ntk_kernel(Xa, Xa, *ARCH), nngp_kernel(Xa, Xa, *ARCH)


@pytest.mark.parametrize("t", [0.0, 0.7, 5.0, 40.0])
def test_flow_matches_ode_for_mean_and_covariance(t: float) -> None:
    X, Y, Xt = _data()
    lr = 0.3 * ntk_stability_limit(X, *ARCH)
    th, K = _joint(X, Xt)
    N = X.shape[0]
    # joint linear ODE z' = -lr Theta[:, :N] (z_N - Y): mean and covariance propagate exactly
    B = np.zeros_like(th)
    B[:, :N] = -lr * th[:, :N]
    c = lr * th[:, :N] @ Y
    n = th.shape[0]

    def rhs(_: float, s: np.ndarray) -> np.ndarray:
        mu, S = s[:n], s[n:].reshape(n, n)
        return np.concatenate([B @ mu + c, (B @ S + S @ B.T).ravel()])

    sol = solve_ivp(rhs, (0.0, t), np.concatenate([np.zeros(n), K.ravel()]), rtol=1e-10, atol=1e-12)
    mu, S = sol.y[:n, -1], sol.y[n:, -1].reshape(n, n)
    m, C = ntk_predict(X, Y, Xt, t, lr, *ARCH)
    np.testing.assert_allclose(m, mu[N:], atol=1e-7)
    np.testing.assert_allclose(C, S[N:, N:], atol=1e-7)


def test_discrete_matches_gd_iteration() -> None:
    X, Y, Xt = _data()
    lr = 0.9 * ntk_stability_limit(X, *ARCH)  # lr*lambda_max > 1: oscillating but stable
    th, K = _joint(X, Xt)
    N = X.shape[0]
    # iterate f <- f - lr Theta[:, :N] (f_N - Y) on the joint mean and a linear map for the covariance
    P = np.eye(th.shape[0])
    P[:, :N] -= lr * th[:, :N]
    mu = np.zeros(th.shape[0])
    Tmap = np.eye(th.shape[0])
    for _ in range(25):
        mu = P @ mu + lr * th[:, :N] @ Y
        Tmap = P @ Tmap
    S = Tmap @ K @ Tmap.T
    m, C = ntk_predict(X, Y, Xt, 25, lr, *ARCH, discrete=True)
    np.testing.assert_allclose(m, mu[N:], atol=1e-9)
    np.testing.assert_allclose(C, S[N:, N:], atol=1e-9)


def test_infinite_time() -> None:
    X, Y, Xt = _data()
    lr = 0.1
    th = ntk_kernel(np.concatenate([Xt, X]), X, *ARCH)
    m, C = ntk_predict(X, Y, Xt, float("inf"), lr, *ARCH)
    np.testing.assert_allclose(m, th[:3] @ np.linalg.solve(th[3:], Y), atol=1e-9)
    m2, _ = ntk_predict(X, Y, Xt, 1e6, lr, *ARCH)
    np.testing.assert_allclose(m, m2, atol=1e-8)
    mt, Ct = ntk_predict(X, Y, X, float("inf"), lr, *ARCH)
    np.testing.assert_allclose(mt, Y, atol=1e-8)
    np.testing.assert_allclose(Ct, 0.0, atol=1e-8)
    Y2 = np.stack([Y, 2 * Y], axis=1)
    m3, C3 = ntk_predict(X, Y2, Xt, 3.0, lr, *ARCH)
    assert m3.shape == (3, 2)
    np.testing.assert_allclose(m3[:, 1], 2 * m3[:, 0])


def test_nngp_posterior_against_direct_solve() -> None:
    X, Y, Xt = _data()
    Xa = np.concatenate([X, Xt])
    K = nngp_kernel(Xa, Xa, *ARCH)
    m, C = nngp_posterior(X, Y, Xt, *ARCH, noise_variance=0.01)
    A = K[5:, :5] @ np.linalg.inv(K[:5, :5] + 0.01 * np.eye(5))
    np.testing.assert_allclose(m, A @ Y, atol=1e-9)
    np.testing.assert_allclose(C, K[5:, 5:] - A @ K[:5, 5:], atol=1e-9)
    with pytest.raises(ValueError, match="noise_variance"):
        nngp_posterior(np.concatenate([X, X[:1]]), np.concatenate([Y, Y[:1]]), Xt, *ARCH)


def test_bad_input() -> None:
    X, Y, Xt = _data()
    lim = ntk_stability_limit(X, *ARCH)
    with pytest.raises(ValueError, match="stability limit") as e:
        ntk_predict(X, Y, Xt, 1.0, 1.01 * lim, *ARCH)
    assert f"{lim:.4g}"[:4] in str(e.value)
    with pytest.raises(ValueError, match="t must"):
        ntk_predict(X, Y, Xt, -1.0, 0.1, *ARCH)
    with pytest.raises(ValueError, match="Y_train"):
        ntk_predict(X, Y[:3], Xt, 1.0, 0.1, *ARCH)
    with pytest.raises(ValueError, match="X_test"):
        ntk_predict(X, Y, Xt[:, :2], 1.0, 0.1, *ARCH)
    Yn = Y.copy()
    Yn[0] = np.nan
    with pytest.raises(ValueError, match="Y_train must contain only finite"):
        ntk_predict(X, Yn, Xt, 1.0, 0.1, *ARCH)
    with pytest.raises(ValueError, match="bias_variances"):
        ntk_predict(X, Y, Xt, 1.0, 0.1, "relu", (1.0, 2.0), -0.1)
    with pytest.raises(ValueError, match="lr"):
        ntk_predict(X, Y, Xt, 1.0, 0.0, *ARCH)
    Xc = X.copy()
    ntk_predict(Xc, Y, Xt, 1.0, 0.1, *ARCH)
    np.testing.assert_array_equal(Xc, X)


def test_derivation_renders() -> None:
    (d,) = all_derivations(["ntk-gradient-flow"])
    assert "Lee" in d.to_markdown()


def test_wide_networks_keeps_the_trained_ensemble_names() -> None:
    """``theory.wide_networks.ntk_predict`` / ``nngp_posterior`` are the ``theory.ntk`` functions (lazy)."""
    assert theory.wide_networks.ntk_predict is ntk_predict
    assert theory.wide_networks.nngp_posterior is nngp_posterior
    assert {"ntk_predict", "nngp_posterior"} <= set(theory.wide_networks.__all__)
    with pytest.raises(AttributeError):
        theory.wide_networks.no_such_name  # noqa: B018


def test_silent_coercions_are_errors() -> None:
    """Regressions: values that used to be coerced silently now raise, naming the argument."""
    X, Y, Xt = _data()
    with pytest.raises(TypeError, match="noise_variance"):  # True was read as 1.0
        nngp_posterior(X, Y, Xt, *ARCH, noise_variance=True)
    with pytest.raises(TypeError, match="X_train"):
        ntk_predict(X > 0, Y, Xt, 1.0, 0.1, *ARCH)  # a bool array was read as 0/1 inputs
    with pytest.raises(TypeError, match="lr"):
        ntk_predict(X, Y, Xt, 1.0, True, *ARCH)
    with pytest.raises(TypeError, match="bias_variances"):  # True was read as 1.0
        ntk_predict(X, Y, Xt, 1.0, 0.1, "relu", (1.0, 2.0, 2.0), True)
    with pytest.raises(TypeError, match="slope"):
        ntk_stability_limit(X, ("leaky_relu", "0.2"), (1.0, 2.0, 2.0), 0.1)
    with pytest.raises(ValueError, match="whole number"):
        ntk_predict(X, Y, Xt, 2.5, 0.1, *ARCH, discrete=True)


def test_stability_limit_of_a_zero_kernel_is_infinite() -> None:
    """Regression: a vanishing NTK on the training set (zero inputs, no biases) used to divide by zero
    (or, with a round-off eigenvalue of either sign, to return a huge or negative "limit")."""
    X = np.zeros((2, 3))
    assert ntk_stability_limit(X, "relu", (1.0, 2.0), 0.0) == float("inf")


def test_stability_limit_is_two_over_the_largest_eigenvalue() -> None:
    X, _, _ = _data()
    lam = np.linalg.eigvalsh(ntk_kernel(X, X, *ARCH))[-1]
    assert ntk_stability_limit(X, *ARCH) == pytest.approx(2.0 / lam, rel=1e-12)
    lam_s = np.linalg.eigvalsh(ntk_kernel(X, X, *ARCH, parameterization="standard"))[-1]
    assert ntk_stability_limit(X, *ARCH, parameterization="standard") == pytest.approx(2.0 / lam_s, rel=1e-12)
