"""Fuzzed invariants of the random-walk area: the theory's spectrum and bounds, the numerics' PCA."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from numerics.random_walk import pooled_pca, trajectory_pca
from theory.random_walk import (
    drift_ratios,
    drift_shift_bound,
    explained_variance_ratios,
    random_walk_components,
    random_walk_eigenvalues,
    ratio_perturbation_bound,
)
from validation.fuzz import invariant
from validation.strategies import (
    trajectories,
    trajectory_perturbations,
    walk_lengths,
)


@invariant("random_walk.spectrum")
@given(T=walk_lengths(max_T=300))
def random_walk_spectrum(T: int) -> None:
    """Ratios sum to one and decrease; eigenpairs satisfy M u = lambda u for M = C L L^T C."""
    r = explained_variance_ratios(T)
    assert abs(r.sum() - 1.0) < 1e-10
    assert np.all(np.diff(r) < 0)
    if T <= 60:
        L = np.tril(np.ones((T, T)))
        C = np.eye(T) - 1.0 / T
        M = C @ L @ L.T @ C
        u = random_walk_components(T)
        lam = random_walk_eigenvalues(T)
        assert np.allclose(u @ M, lam[:, None] * u, atol=1e-8 * lam.max())


@invariant("random_walk.pca_matches_svd")
@given(X=trajectories(drift=True))
def pca_matches_svd(X: np.ndarray) -> None:
    """Gram-route PCA equals numpy's SVD of the centred trajectory; the pooled PCA equals the SVD of the
    trajectories concatenated over parameters."""
    T = X.shape[1]
    k = min(3, T - 1)
    pca = trajectory_pca(X, k)
    Xc = X - X.mean(axis=1, keepdims=True)
    for r in range(X.shape[0]):
        s2 = np.pad(np.linalg.svd(Xc[r], compute_uv=False) ** 2, (0, k))  # P < k: the rest is zero
        scale = s2.sum()
        np.testing.assert_allclose(pca.explained_variance[r], s2[:k], atol=1e-9 * scale)
        np.testing.assert_allclose(pca.explained_variance_ratio[r], s2[:k] / scale, atol=1e-9)
    if X.shape[0] >= 3:
        s2 = np.pad(np.linalg.svd(np.concatenate(list(Xc), axis=1), compute_uv=False) ** 2, (0, k))
        np.testing.assert_allclose(pooled_pca(X, k).plugin, s2[:k] / s2.sum(), atol=1e-9)


@invariant("random_walk.pca_invariances")
@given(X=trajectories(max_batch=1), scale=st.floats(1e-3, 1e3), shift=st.floats(-50.0, 50.0),
       seed=st.integers(0, 2**31 - 1))
def pca_invariances(X: np.ndarray, scale: float, shift: float, seed: int) -> None:
    """Ratios are unchanged by time reversal, scaling, a constant offset and an orthogonal mixing of parameters."""
    k = min(3, X.shape[1] - 1)
    base = trajectory_pca(X, k).explained_variance_ratio
    P = X.shape[2]
    Q = np.linalg.qr(np.random.default_rng(seed).normal(size=(P, P)))[0]
    for Y in (X[:, ::-1].copy(), scale * X, X + shift, X @ Q):
        np.testing.assert_allclose(trajectory_pca(Y, k).explained_variance_ratio, base, atol=1e-8)


@invariant("random_walk.perturbation_bound")
@given(pair=trajectory_perturbations())
def perturbation_bound(pair: tuple[np.ndarray, np.ndarray]) -> None:
    """A relative Frobenius change eps moves every explained-variance ratio by at most the Weyl bound."""
    X, D = pair
    Xc, Dc = X - X.mean(0), D - D.mean(0)
    s0 = np.linalg.svd(Xc, compute_uv=False) ** 2
    s1 = np.linalg.svd(Xc + Dc, compute_uv=False) ** 2
    r0, r1 = s0 / s0.sum(), s1 / s1.sum()
    e = float(np.linalg.norm(Dc) / np.linalg.norm(Xc))  # PCA over time sees the centred trajectories
    if e < 1.0:
        assert np.all(np.abs(r1 - r0) <= ratio_perturbation_bound(r0, e) + 1e-12)


@invariant("random_walk.drift_bounds")
@given(T=walk_lengths(min_T=3, max_T=60), beta=st.floats(0.0, 10.0))
def drift_bounds(T: int, beta: float) -> None:
    """Drift ratios sum to at most one, PC 1 gains, and every shift is within the interlacing bound."""
    k = min(4, T - 1)
    r0, r = explained_variance_ratios(T, k), drift_ratios(T, beta, k)
    delta = beta * T / 2
    assert r.sum() <= 1 + 1e-12
    assert r[0] >= r0[0] - 1e-12
    assert np.all(np.abs(r - r0) <= delta / (1 + delta) + 1e-12)
    assert np.all(np.abs(r - r0) <= drift_shift_bound(T, beta, k) + 1e-12)
