"""Random-walk PCA theory against independent computations (dense eigendecomposition, Monte Carlo)."""

import numpy as np
import pytest

from theory.derivation import all_derivations
from theory.random_walk import (
    cosine_overlap,
    drift_ratios,
    drift_shift_bound,
    eigenvalue_bias,
    explained_variance_ratio_limit,
    explained_variance_ratios,
    overlap_remainder_bound,
    random_walk_components,
    random_walk_eigenvalues,
    ratio_bias,
    ratio_perturbation_bound,
    ratio_remainder_bound,
)


def _dense(T: int) -> tuple[np.ndarray, np.ndarray]:
    L = np.tril(np.ones((T, T)))
    C = np.eye(T) - 1.0 / T
    w, v = np.linalg.eigh(C @ L @ L.T @ C)
    return w[::-1][: T - 1], v[:, ::-1][:, : T - 1].T


@pytest.mark.parametrize("T", [2, 3, 7, 50])
def test_eigenpairs_match_dense_eigendecomposition(T: int) -> None:
    w, v = _dense(T)
    np.testing.assert_allclose(random_walk_eigenvalues(T), w, rtol=1e-10)
    u = random_walk_components(T)
    np.testing.assert_allclose(np.abs(np.sum(u * v, axis=1)), 1.0, atol=1e-8)
    np.testing.assert_allclose(explained_variance_ratios(T).sum(), 1.0, rtol=1e-12)


def test_limit() -> None:
    np.testing.assert_allclose(explained_variance_ratios(4000, 5), explained_variance_ratio_limit(5), rtol=1e-5)
    assert abs(explained_variance_ratios(10, 1)[0] - explained_variance_ratio_limit(1)[0]) > 1e-3


def _gaussian_walk_mc(T: int, d: int, R: int, K: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues / d, ratios and squared cosine overlaps of R Gaussian walks (independent of the theory code)."""
    rng = np.random.default_rng(seed)
    L = np.tril(np.ones((T, T)))
    C = np.eye(T) - 1.0 / T
    t = np.arange(1, T + 1)
    cos = np.cos(np.pi * np.outer(np.arange(1, K + 1), t - 0.5) / T)
    cos /= np.linalg.norm(cos, axis=1, keepdims=True)
    ws, rs, ovs = [], [], []
    for _ in range(R // 2000):
        X = np.einsum("ts,rsd->rtd", C @ L, rng.normal(size=(2000, T, d)))
        G = X @ X.transpose(0, 2, 1) / d
        w, v = np.linalg.eigh(G)
        w, v = w[:, ::-1][:, :K], v[:, :, ::-1][:, :, :K]
        ws.append(w)
        rs.append(w / np.trace(G, axis1=1, axis2=2)[:, None])
        ovs.append(np.einsum("rtk,kt->rk", v, cos) ** 2)
    return np.concatenate(ws), np.concatenate(rs), np.concatenate(ovs)


def test_finite_d_terms_against_monte_carlo() -> None:
    T, d, K = 12, 20, 3
    w, ratios, ov = _gaussian_walk_mc(T, d, 8000, K, 0)
    n = w.shape[0]
    lam = random_walk_eigenvalues(T, K)
    rel, se = (w.mean(0) - lam) / lam, w.std(0) / np.sqrt(n) / lam
    b = eigenvalue_bias(T, d, K)
    assert np.all(np.abs(rel - b) < 4 * se + np.abs(b))  # the first-order term is right to O(d^-2)
    assert np.all(np.abs(rel) > 4 * se)  # ... and the bias is resolved
    pred = explained_variance_ratios(T, K) + ratio_bias(T, d, K)
    assert np.all(np.abs(ratios.mean(0) - pred) < 4 * ratios.std(0) / np.sqrt(n) + ratio_remainder_bound(T, d, K))
    val, corr = cosine_overlap(T, d, K)
    np.testing.assert_allclose(val, 1 - corr)
    assert np.all(np.abs(ov.mean(0) - val) < 4 * ov.std(0) / np.sqrt(n) + overlap_remainder_bound(T, d, K))


@pytest.mark.slow
@pytest.mark.parametrize("T,d", [(12, 20), (12, 100), (30, 100), (40, 40)])
def test_remainder_bounds_calibrated_against_monte_carlo(T: int, d: int) -> None:
    """The O(d^-2) remainders stay inside their bounds where Monte Carlo resolves them (the calibration
    behind ratio_remainder_bound and overlap_remainder_bound; the checks use d >= 20)."""
    K = 3
    _, ratios, ov = _gaussian_walk_mc(T, d, 40000, K, 7)
    n = ratios.shape[0]
    rem_r = ratios.mean(0) - explained_variance_ratios(T, K) - ratio_bias(T, d, K)
    assert np.all(np.abs(rem_r) <= ratio_remainder_bound(T, d, K) + 3 * ratios.std(0) / np.sqrt(n))
    rem_o = ov.mean(0) - cosine_overlap(T, d, K)[0]
    assert np.all(np.abs(rem_o) <= overlap_remainder_bound(T, d, K) + 3 * ov.std(0) / np.sqrt(n))


def test_overlap_remainder_bound_is_needed() -> None:
    """Regression: the old budget c_k^2 (the 'square of the first-order term') is exceeded for PC 1.

    Monte Carlo at T = 12, d = 50 gives a remainder of about -2.8 c_1^2; the bound 4 c_1 max_j c_j covers it."""
    T, d, K = 12, 50, 2
    _, _, ov = _gaussian_walk_mc(T, d, 24000, K, 3)
    val, corr = cosine_overlap(T, d, K)
    rem, se = ov.mean(0)[0] - val[0], ov.std(0)[0] / np.sqrt(ov.shape[0])
    assert rem + 3 * se < -corr[0] ** 2  # beyond the old budget
    assert abs(rem) < overlap_remainder_bound(T, d, K)[0]


def test_drift_ratios_exact_and_bounded() -> None:
    T, k = 15, 4
    np.testing.assert_allclose(drift_ratios(T, 0.0, k), explained_variance_ratios(T, k), rtol=1e-10)
    # a walk with drift: the expected Gram of x_t = t mu + walk, from its definition
    beta = 0.01
    L = np.tril(np.ones((T, T)))
    C = np.eye(T) - 1.0 / T
    t = np.arange(1, T + 1.0)
    G = C @ (L @ L.T + beta * np.outer(t, t)) @ C
    w = np.linalg.eigvalsh(G)[::-1]
    np.testing.assert_allclose(drift_ratios(T, beta, k), w[:k] / np.trace(G), rtol=1e-10)
    # the drift's ramp is odd about the centre: PC 2 (even) gains nothing, PC 1 gains
    r0, r1 = explained_variance_ratios(T, k), drift_ratios(T, beta, k)
    assert r1[0] > r0[0] and r1[1] < r0[1]
    bound = drift_shift_bound(T, beta, k)
    betas = np.linspace(0, beta, 17)
    worst = np.max([np.abs(drift_ratios(T, b, k) - r0) for b in betas], axis=0)
    assert np.all(worst <= bound) and np.all(bound <= 1.5 * worst + 1e-12)
    delta = beta * T / 2
    assert np.all(drift_shift_bound(T, 10.0, k) <= 10.0 * T / 2 / (1 + 10.0 * T / 2))
    assert np.all(bound <= delta / (1 + delta))


def test_ratio_perturbation_bound_holds_for_random_perturbations() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        T, P = rng.integers(3, 12), rng.integers(1, 40)
        X = rng.normal(size=(T, P))
        D = rng.normal(size=(T, P)) * rng.uniform(1e-4, 0.3) * np.linalg.norm(X) / np.sqrt(T * P)
        e = np.linalg.norm(D) / np.linalg.norm(X)
        if e >= 1:
            continue
        s0 = np.linalg.svd(X, compute_uv=False) ** 2
        s1 = np.linalg.svd(X + D, compute_uv=False) ** 2
        r0, r1 = s0 / s0.sum(), s1 / s1.sum()
        assert np.all(np.abs(r1 - r0) <= ratio_perturbation_bound(r0, e) + 1e-12)


@pytest.mark.parametrize("bad", [1, 0, -3])
def test_bad_T(bad: int) -> None:
    with pytest.raises(ValueError, match="T"):
        random_walk_eigenvalues(bad)


def test_bad_inputs() -> None:
    with pytest.raises(TypeError):
        random_walk_eigenvalues(5.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_components"):
        explained_variance_ratios(5, 5)
    with pytest.raises(ValueError, match="d"):
        cosine_overlap(5, 0)


def test_integer_arguments_are_not_coerced() -> None:
    """Regression: a float such as 3.0 or a bool was accepted (with a ValueError at best) instead of a TypeError."""
    with pytest.raises(TypeError, match="n_components"):
        explained_variance_ratio_limit(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="d"):
        ratio_bias(10, 50.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="d"):
        eigenvalue_bias(10, True)  # type: ignore[arg-type]


def test_derivations_render() -> None:
    d, s = all_derivations(["random_walk-pca", "random_walk-sgd"])
    md = d.to_markdown()
    assert "6}{\\pi^{2} k^{2}}" in md and "Lawley" in md
    assert "Bonami" in s.to_markdown() and s.steps
