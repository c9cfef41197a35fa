"""Fuzzed invariants of the random-walk PCA theory and the NTK training prediction."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from theory.random_walk import explained_variance_ratios, random_walk_components, random_walk_eigenvalues
from theory.wide_networks import nngp_kernel, ntk_predict
from theory.wide_networks.training import ntk_stability_limit
from validation.fuzz import invariant


@invariant("random_walk.spectrum")
@given(T=st.integers(min_value=2, max_value=300))
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


@invariant("random_walk.ntk_predict_interpolates")
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 4),  # <= d + 1 so that even the linear NTK is full rank
    act=st.sampled_from(["relu", "erf", "linear"]),
    frac=st.floats(0.05, 0.95),
    t=st.floats(0.0, 50.0),
)
def ntk_predict_interpolates(seed: int, n: int, act: str, frac: float, t: float) -> None:
    """Covariance is PSD at any t; t = 0 gives the prior; the mean at t = inf interpolates the data."""
    rng = np.random.default_rng(seed)
    X, Y, Xt = rng.normal(size=(n, 3)), rng.normal(size=n), rng.normal(size=(2, 3))
    arch = (act, (1.0, 2.0, 1.5), 0.2)
    lr = frac * ntk_stability_limit(X, *arch)
    m, C = ntk_predict(X, Y, Xt, t, lr, *arch)
    assert np.linalg.eigvalsh(C).min() > -1e-8 * max(1.0, np.abs(C).max())
    m0, C0 = ntk_predict(X, Y, Xt, 0.0, lr, *arch)
    assert np.allclose(m0, 0.0) and np.allclose(C0, nngp_kernel(Xt, Xt, *arch), atol=1e-10)
    mi, _ = ntk_predict(X, Y, X, float("inf"), lr, *arch)
    assert np.allclose(mi, Y, atol=1e-6 * max(1.0, np.abs(Y).max()))
