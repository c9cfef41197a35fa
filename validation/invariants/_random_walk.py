"""Fuzzed invariants of the random-walk PCA theory (the NTK prediction's are in ``invariants/ntk.py``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from theory.random_walk import explained_variance_ratios, random_walk_components, random_walk_eigenvalues
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

