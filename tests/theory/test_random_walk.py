"""Random-walk PCA theory against independent computations (dense eigendecomposition, Monte Carlo)."""

import numpy as np
import pytest

from theory.derivation import all_derivations
from theory.random_walk import (
    cosine_overlap,
    eigenvalue_bias,
    explained_variance_ratio_limit,
    explained_variance_ratios,
    random_walk_components,
    random_walk_eigenvalues,
    ratio_bias,
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


def test_finite_d_terms_against_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    T, d, R = 12, 20, 4000
    L = np.tril(np.ones((T, T)))
    X = np.einsum("ts,rsd->rtd", L, rng.normal(size=(R, T, d)))
    X -= X.mean(axis=1, keepdims=True)
    G = X @ X.transpose(0, 2, 1) / d
    w, v = np.linalg.eigh(G)
    w, v = w[:, ::-1][:, :3], v[:, :, ::-1][:, :, :3]
    lam = random_walk_eigenvalues(T, 3)
    rel = (w.mean(0) - lam) / lam
    se = w.std(0) / np.sqrt(R) / lam
    b = eigenvalue_bias(T, d, 3)
    assert np.all(np.abs(rel - b) < 4 * se + 4 * b**2)  # remainder O(d^-2) ~ b^2
    ratios = w / np.trace(G, axis1=1, axis2=2)[:, None]
    rb = ratio_bias(T, d, 3)
    diff = ratios.mean(0) - explained_variance_ratios(T, 3)
    assert np.all(np.abs(diff - rb) < 4 * ratios.std(0) / np.sqrt(R) + np.abs(rb) * 0.5)  # remainder O(d^-2): relative O(1/d)
    ov = np.einsum("rtk,kt->rk", v, random_walk_components(T, 3)) ** 2
    pred, trunc = cosine_overlap(T, d, 3)
    assert np.all(np.abs(ov.mean(0) - pred) < 4 * ov.std(0) / np.sqrt(R) + 10 * trunc)


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


def test_derivation_renders() -> None:
    (d,) = all_derivations(["random-walk-pca"])
    md = d.to_markdown()
    assert "6}{\\pi^{2} k^{2}}" in md and "Lawley" in md
