"""Tests for the function-space sampler ``mlp_ensemble_outputs(..., method="function_space")``.

It must have the same output law as real networks with explicit weights: two-sample
Kolmogorov-Smirnov tests between the two routes on every output coordinate and on
contrasts between inputs (which probe the joint law), Bonferroni-corrected; exact second
moments of linear networks; exact finite-width non-Gaussianity; and a falsification
twin (a wrong sampler is rejected by the same tests).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from numerics.wide_networks._function_space import covariance_factor
from numerics.wide_networks import conditional_moment_ratio_estimate, mlp_ensemble_outputs


ALPHA = 1e-3


def _projections(Z: np.ndarray) -> np.ndarray:
    """Every output coordinate, plus differences of neighbouring inputs and a fixed random contrast."""
    P = Z.shape[1]
    cols = [Z[:, a] for a in range(P)] + [Z[:, a] - Z[:, a + 1] for a in range(P - 1)]
    if P > 1:
        cols.append(Z @ np.random.default_rng(123).normal(size=P))
    return np.stack(cols, 1)


def _min_p(Z1: np.ndarray, Z2: np.ndarray) -> float:
    """Bonferroni-corrected p-value of two-sample KS tests on all projections."""
    A, B = _projections(Z1), _projections(Z2)
    ps = [stats.ks_2samp(A[:, j], B[:, j]).pvalue for j in range(A.shape[1])]
    return min(1.0, min(ps) * len(ps))


CASES = [
    # activation, hidden widths, C_W per layer, C_b, points, input dim
    ("tanh", [8, 8], [1.0, 1.5, 1.5], 0.1, 3, 2),
    ("relu", [3], [1.0, 2.0], 0.0, 6, 2),          # P > width, zero bias: singular covariances, dead units
    ("relu", [2, 4], [1.0, 2.0, 2.0], 0.0, 5, 3),  # a width-2 layer: often all units dead on some inputs
    ("erf", [6, 6, 6], [2.0, 1.5, 1.5, 1.5], 0.05, 1, 4),  # P = 1 (norm factor), depth 3
    ("gelu", [16], [1.0, 2.0], 0.2, 4, 2),         # QR route (n + 1 > P, n > P)
    (("leaky_relu", 0.2), [4, 12], [1.0, 1.9, 1.9], 0.0, 8, 3),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-P{c[4]}")
def test_function_space_has_the_law_of_real_networks(case):
    act, widths, cw, cb, P, d = case
    X = np.random.default_rng(7).normal(size=(P, d))
    X[-1] = X[0] if P > 3 else X[-1]  # a duplicated input: exactly singular input Gram matrix
    kw = dict(ensemble_size=20_000, dtype=torch.float64)
    Zw = mlp_ensemble_outputs(X, widths, act, cw, cb, seed=11, **kw)
    Zf = mlp_ensemble_outputs(X, widths, act, cw, cb, seed=12, method="function_space", **kw)
    assert Zf.shape == Zw.shape and np.all(np.isfinite(Zf))
    if P > 3:
        np.testing.assert_allclose(Zf[:, -1], Zf[:, 0], rtol=1e-9, atol=1e-12)  # same input, same output
    assert _min_p(Zw, Zf) > ALPHA


def test_falsification_wrong_scale_and_wrong_correlations_are_rejected():
    """Twins of the test above with a deliberately wrong sampler: both must fail."""
    X = np.random.default_rng(8).normal(size=(3, 2))
    kw = dict(ensemble_size=50_000, dtype=torch.float64)
    Zw = mlp_ensemble_outputs(X, [6, 6], "tanh", [1.0, 1.5, 1.5], 0.1, seed=1, **kw)
    wrong_cw = mlp_ensemble_outputs(X, [6, 6], "tanh", [1.0, 1.5, 1.8], 0.1, seed=2, method="function_space", **kw)
    assert _min_p(Zw, wrong_cw) < ALPHA
    # correct marginals, but the inputs sampled independently (no joint law): the contrasts must see it
    indep = np.stack([mlp_ensemble_outputs(X[a:a + 1], [6, 6], "tanh", [1.0, 1.5, 1.5], 0.1, seed=3 + a,
                                           method="function_space", **kw)[:, 0] for a in range(3)], 1)
    assert _min_p(Zw, indep) < ALPHA
    right = mlp_ensemble_outputs(X, [6, 6], "tanh", [1.0, 1.5, 1.5], 0.1, seed=2, method="function_space", **kw)
    assert _min_p(Zw, right) > ALPHA


def test_linear_network_second_moments_exact():
    """Linear MLP: E[z z^T] = K^(L), K^(1) = C_b + C_W X X^T / d, K^(l+1) = C_b + C_W K^(l) (elementary)."""
    X = np.array([[1.0, 0.0, 0.5], [0.2, -1.0, 0.3], [2.0, 1.0, -1.0], [0.0, 0.3, 0.1]])
    cw, cb = [1.2, 0.8, 1.5], 0.3
    K = cb + cw[0] * X @ X.T / 3
    for c in cw[1:]:
        K = cb + c * K
    Z = mlp_ensemble_outputs(X, [3, 2], "linear", cw, cb, ensemble_size=200_000, seed=5, method="function_space",
                             dtype=torch.float64)
    prod = Z[:, :, None] * Z[:, None, :]
    se = prod.std(0, ddof=1) / math.sqrt(Z.shape[0])
    z = (prod.mean(0) - K) / se
    assert np.max(np.abs(z)) < stats.norm.isf(ALPHA / 2 / z.size)


def test_finite_width_non_gaussianity_exact():
    """One hidden linear layer of width n, zero bias: E z^4/(E z^2)^2 = 3 (1 + 2/n) (chi-square moments)."""
    for n in (2, 5):
        _, S = mlp_ensemble_outputs(np.ones((1, 1)), [n], "linear", [1.0, 1.0], 0.0, ensemble_size=200_000, seed=n,
                                    method="function_space", conditional_variance=True, dtype=torch.float64)
        e = conditional_moment_ratio_estimate(S[:, 0], 4)
        assert abs(e.value - 3 * (1 + 2 / n)) < stats.norm.isf(ALPHA / 2) * e.stderr


def test_conditional_variance_and_covariance_compose():
    X = np.random.default_rng(2).normal(size=(3, 2))
    z, S = mlp_ensemble_outputs(X, [4, 3], "relu", [1.0, 2.0, 2.0], 0.05, ensemble_size=100_000, seed=2,
                                conditional_variance=True, method="function_space", dtype=torch.float64, chunk_size=50)
    u = z ** 2 / S  # chi-square(1) per input if z | S ~ N(0, S)
    assert np.all(np.abs(u.mean(0) - 1) < 5 * math.sqrt(2 / u.shape[0]))
    z2, Sig = mlp_ensemble_outputs(X, [4, 3], "relu", [1.0, 2.0, 2.0], 0.05, ensemble_size=100, seed=2,
                                   conditional_covariance=True, method="function_space", dtype=torch.float64,
                                   chunk_size=50)
    np.testing.assert_array_equal(z2, z[:100])  # same stream for the same seed and chunking
    np.testing.assert_allclose(np.diagonal(Sig, axis1=1, axis2=2), S[:100], rtol=1e-12)


def test_covariance_factor_exact_for_singular_gram():
    g = torch.Generator().manual_seed(0)
    H = torch.relu(torch.randn((4, 9, 3), generator=g, dtype=torch.float64))  # rank <= 3 < P = 9
    H[0] = 0.0  # all units dead
    for cb in (0.0, 0.4):
        F = covariance_factor(H, 1.7, cb, n_out=50)
        target = 1.7 / 3 * H @ H.transpose(-1, -2) + cb
        torch.testing.assert_close(F @ F.transpose(-1, -2), target, rtol=1e-12, atol=1e-12)
    H2 = torch.randn((2, 5, 40), generator=g, dtype=torch.float64)  # Cholesky route
    F = covariance_factor(H2, 0.9, 0.1, n_out=64)
    assert F.shape == (2, 5, 5)
    torch.testing.assert_close(F @ F.transpose(-1, -2), 0.9 / 40 * H2 @ H2.transpose(-1, -2) + 0.1)
    # a batch mixing singular members (QR fallback) with regular ones (Cholesky)
    H3 = torch.cat([torch.cat([H, torch.zeros((4, 9, 27), dtype=torch.float64)], -1),
                    torch.randn((4, 9, 30), generator=g, dtype=torch.float64)])
    F = covariance_factor(H3, 1.7, 0.0, n_out=50)
    assert F.shape == (8, 9, 9) and torch.isfinite(F).all()
    torch.testing.assert_close(F @ F.transpose(-1, -2), 1.7 / 30 * H3 @ H3.transpose(-1, -2), rtol=1e-12, atol=1e-12)


def test_reproducible_chunked_and_bad_input():
    X = np.random.default_rng(1).normal(size=(3, 2))
    kw = dict(ensemble_size=37, chunk_size=10, method="function_space")
    a = mlp_ensemble_outputs(X, [5, 40], "tanh", [1.0, 1.5, 1.5], 0.1, seed=3, **kw)
    b = mlp_ensemble_outputs(X, [5, 40], "tanh", [1.0, 1.5, 1.5], 0.1, seed=3, **kw)
    c = mlp_ensemble_outputs(X, [5, 40], "tanh", [1.0, 1.5, 1.5], 0.1, seed=4, **kw)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c) and len(np.unique(np.round(a[:, 0], 10))) == 37
    w = mlp_ensemble_outputs(X, [5, 40], "tanh", [1.0, 1.5, 1.5], 0.1, seed=3, ensemble_size=37, chunk_size=10)
    assert not np.allclose(a, w)  # a different algorithm: same law, different numbers
    Xc = X.copy()
    with pytest.raises(ValueError, match="method"):
        mlp_ensemble_outputs(X, [2], "relu", [1.0, 1.0], 0.0, ensemble_size=2, seed=0, method="weight_space")
    with pytest.raises(ValueError, match="hidden_widths"):
        mlp_ensemble_outputs(X, [0], "relu", [1.0, 1.0], 0.0, ensemble_size=2, seed=0, method="function_space")
    with pytest.raises(ValueError, match="finite"):
        mlp_ensemble_outputs(X * np.nan, [2], "relu", [1.0, 1.0], 0.0, ensemble_size=2, seed=0,
                             method="function_space")
    np.testing.assert_array_equal(X, Xc)
