"""Tests for numerics.wide_networks: batched ensembles and their statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from numerics.wide_networks import (
    conditional_moment_ratio_estimate,
    conditional_moments_estimate,
    covariance_estimate,
    excess_kurtosis_estimate,
    mlp_ensemble_outputs,
    module_ensemble_outputs,
    moment_ratio_estimate,

)
from numerics.activations import torch_activation



def test_shapes_reproducible_and_seed_dependent():
    X = np.random.default_rng(0).normal(size=(3, 2))
    a = mlp_ensemble_outputs(X, [5, 4], "tanh", [1.0, 1.5, 1.5], 0.1, ensemble_size=37, seed=3, chunk_size=10)
    b = mlp_ensemble_outputs(X, [5, 4], "tanh", [1.0, 1.5, 1.5], 0.1, ensemble_size=37, seed=3, chunk_size=10)
    c = mlp_ensemble_outputs(X, [5, 4], "tanh", [1.0, 1.5, 1.5], 0.1, ensemble_size=37, seed=4, chunk_size=10)
    assert a.shape == (37, 3) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert len(np.unique(np.round(a[:, 0], 12))) == 37  # members are distinct


def test_linear_network_variance_elementary():
    """Linear net, one hidden layer: E z^2 = C_b2 + C_W2 (C_b1 + C_W1 |x|^2 / d) (elementary algebra)."""
    x = np.array([[0.5, -1.0, 2.0]])
    cw, cb = [1.3, 0.7], [0.2, 0.1]
    z = mlp_ensemble_outputs(x, [6], "linear", cw, cb, ensemble_size=200_000, seed=1, dtype=torch.float64)[:, 0]
    exact = cb[1] + cw[1] * (cb[0] + cw[0] * float((x @ x.T)[0, 0]) / 3)
    assert abs(np.mean(z * z) - exact) < 5 * np.std(z * z) / math.sqrt(z.size)
    assert abs(np.mean(z)) < 5 * np.std(z) / math.sqrt(z.size)


def test_conditional_variance_is_the_output_variance_given_last_layer():
    X = np.ones((1, 2))
    z, S = mlp_ensemble_outputs(X, [4, 3], "relu", [1.0, 2.0, 2.0], 0.05, ensemble_size=100_000, seed=2,
                                conditional_variance=True, dtype=torch.float64)
    u = z[:, 0] ** 2 / S[:, 0]  # chi-square(1) if z | S ~ N(0, S)
    assert abs(u.mean() - 1) < 5 * math.sqrt(2 / u.size)
    assert abs(np.mean(u ** 2) - 3) < 5 * math.sqrt(96 / u.size)
    e = conditional_moments_estimate(S[:, 0])
    assert abs(e.value[0] - np.mean(z[:, 0] ** 2)) < 5 * math.hypot(e.stderr[0], np.std(z[:, 0] ** 2) / math.sqrt(z.shape[0]))


def test_chunking_bounds_memory_and_keeps_statistics():
    X = np.ones((2, 3))
    big = mlp_ensemble_outputs(X, [8], "erf", [1.0, 1.0], 0.0, ensemble_size=50_000, seed=0, max_chunk_bytes=2 ** 12)
    one = mlp_ensemble_outputs(X, [8], "erf", [1.0, 1.0], 0.0, ensemble_size=50_000, seed=0, chunk_size=50_000)
    v1, v2 = np.mean(big ** 2, 0), np.mean(one ** 2, 0)
    se = np.std(big ** 2, 0) / math.sqrt(50_000)
    assert np.all(np.abs(v1 - v2) < 5 * math.sqrt(2) * se)


def _factory():
    net = torch.nn.Sequential(torch.nn.Linear(3, 7), torch.nn.Tanh(), torch.nn.Linear(7, 1))
    return net


def test_module_ensemble_matches_member_by_member_forward():
    X = np.random.default_rng(1).normal(size=(4, 3))
    out = module_ensemble_outputs(_factory, X, ensemble_size=5, seed=9, chunk_size=5, dtype=torch.float64)
    assert out.shape == (5, 4)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(9 * 1_000_003)
        members = [_factory().double() for _ in range(5)]
    Xt = torch.as_tensor(X)
    with torch.no_grad():
        loop = np.stack([m(Xt)[:, 0].numpy() for m in members])
    np.testing.assert_allclose(out, loop, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out, module_ensemble_outputs(_factory, X, ensemble_size=5, seed=9, chunk_size=5,
                                                               dtype=torch.float64))


def test_estimates_on_gaussian_samples_and_stderr_calibration():
    rng = np.random.default_rng(5)
    vals, ses = [], []
    for _ in range(40):
        g = rng.normal(size=20_000)
        e = moment_ratio_estimate(g, 4)
        vals.append(e.value)
        ses.append(e.stderr)
    vals = np.array(vals)
    assert abs(vals.mean() - 3) < 5 * vals.std() / math.sqrt(len(vals))
    # the delta-method stderr matches the spread of repeated estimates (chi-square test on 39 dof)
    ratio = vals.std(ddof=1) / np.mean(ses)
    assert 0.6 < ratio < 1.4
    k = excess_kurtosis_estimate(rng.normal(size=50_000))
    assert abs(k.value) < 5 * k.stderr
    S = rng.chisquare(4, size=100_000) / 4  # z = sqrt(S) g is Student-like with E z^4/(E z^2)^2 = 3 E S^2 = 3 (1 + 2/4)
    r = conditional_moment_ratio_estimate(S, 4)
    assert abs(r.value - 4.5) < 5 * r.stderr


def test_covariance_estimate():
    rng = np.random.default_rng(6)
    C = np.array([[1.0, 0.3], [0.3, 2.0]])
    Z = rng.multivariate_normal([0, 0], C, size=50_000)
    e = covariance_estimate(Z)
    assert np.all(np.abs(e.value - C) < 5 * e.stderr)


def test_bad_input():
    X = np.ones((1, 2))
    with pytest.raises(ValueError, match="hidden_widths"):
        mlp_ensemble_outputs(X, [0], "relu", [1.0, 1.0], 0.0, ensemble_size=2, seed=0)
    with pytest.raises(ValueError, match="unknown activation"):
        mlp_ensemble_outputs(X, [2], "swish2", [1.0, 1.0], 0.0, ensemble_size=2, seed=0)
    with pytest.raises(ValueError, match="weight_variances"):
        mlp_ensemble_outputs(X, [2], "relu", [1.0, 0.0], 0.0, ensemble_size=2, seed=0)
    with pytest.raises(ValueError, match="bias_variances"):
        mlp_ensemble_outputs(X, [2], "relu", [1.0, 1.0], -1.0, ensemble_size=2, seed=0)
    with pytest.raises(ValueError, match="finite"):
        mlp_ensemble_outputs(np.array([[np.inf, 0.0]]), [2], "relu", [1.0, 1.0], 0.0, ensemble_size=2, seed=0)
    with pytest.raises(ValueError, match="ensemble_size"):
        mlp_ensemble_outputs(X, [2], "relu", [1.0, 1.0], 0.0, ensemble_size=0, seed=0)
    with pytest.raises(TypeError):
        torch_activation(3)
    with pytest.raises(ValueError, match="even"):
        conditional_moment_ratio_estimate(np.ones(5), 3)
    Xc = X.copy()
    mlp_ensemble_outputs(X, [2], ("leaky_relu", 0.1), [1.0, 1.0], 0.0, ensemble_size=3, seed=0)
    np.testing.assert_array_equal(X, Xc)


def test_fourth_cumulant_estimates_agree():
    from numerics.wide_networks import conditional_fourth_cumulant_estimate, fourth_cumulant_estimate

    X = np.array([[1.0, 0.0], [0.6, 0.8]])
    Z, Sig = mlp_ensemble_outputs(X, [3], "tanh", [1.5, 1.3], 0.1, ensemble_size=200_000, seed=4,
                                  conditional_covariance=True, dtype=torch.float64)
    assert Sig.shape == (200_000, 2, 2)
    np.testing.assert_allclose(Sig[:, 0, 1], Sig[:, 1, 0])
    raw = fourth_cumulant_estimate(Z)
    rb = conditional_fourth_cumulant_estimate(Sig)
    assert np.all(rb.stderr < raw.stderr)  # Rao-Blackwellisation reduces the error
    assert np.all(np.abs(raw.value - rb.value) < 5 * np.hypot(raw.stderr, rb.stderr))
    g = np.random.default_rng(0).normal(size=(100_000, 2))
    e = fourth_cumulant_estimate(g)
    assert np.all(np.abs(e.value) < 5 * e.stderr)


def test_integrated_last_layer_matches_conditional_estimator_with_smaller_error():
    """Integrating the last hidden layer out (given the layer before) estimates the same variance and
    kurtosis as the conditional-variance estimator of the full network, with a smaller standard error."""
    from numerics.wide_networks import integrated_moments_estimate

    X = np.ones((1, 1))
    _, S = mlp_ensemble_outputs(X, [6, 6], "tanh", [1.0, 1.5, 1.5], 0.1, ensemble_size=200_000, seed=3,
                                conditional_variance=True, dtype=torch.float64)
    full = conditional_moments_estimate(S[:, 0])
    _, Q = mlp_ensemble_outputs(X, [6], "tanh", [1.0, 1.5], 0.1, ensemble_size=200_000, seed=4,
                                conditional_variance=True, dtype=torch.float64)
    integ = integrated_moments_estimate(Q[:, 0], "tanh", 1.5, 0.1, 6)
    z = (full.value - integ.value) / np.hypot(full.stderr, integ.stderr)
    assert np.all(np.abs(z) < 4)
    assert integ.stderr[1] < full.stderr[1] / 2
