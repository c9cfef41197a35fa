"""Batched ensemble training and the empirical NTK against independent per-member computations."""

from typing import Any

import numpy as np
import pytest
import torch
from torch.func import jacrev, vmap

from numerics.ntk import (MLPSpec, empirical_ntk, ensemble_mean_cov, ensemble_ntk, flatten_params, train_ensemble,
                          trained_moments)

#: every activation of the shared table, a leaky ReLU and a plain callable (autograd derivative)
ACTIVATIONS: list[Any] = ["linear", "relu", "erf", "tanh", "gelu", "silu", "sigmoid", ("leaky_relu", 0.2), torch.sin]


def _act_id(a: Any) -> str:
    """A stable test id (an object's repr holds its address, which differs between xdist workers)."""
    return getattr(a, "__name__", None) or str(a)



def _setup() -> tuple[MLPSpec, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    return MLPSpec(3, (16, 8), "tanh", (1.0, 1.5, 1.5), (0.1, 0.1, 0.1)), X, np.sin(X[:, 0])


def _single_member_gd(spec: MLPSpec, params: list, X: torch.Tensor, Y: torch.Tensor, lr: float,
                      steps: int) -> torch.Tensor:
    """Reference: one member as an ordinary nn-style loop, plain autograd on its own parameters."""
    ps = [p.detach().clone().requires_grad_(True) for p in params]
    for _ in range(steps):
        loss = 0.5 * ((spec.apply(ps, X) - Y) ** 2).sum()
        gs = torch.autograd.grad(loss, ps)
        with torch.no_grad():
            for p, g in zip(ps, gs):
                p -= lr * g
    return spec.apply(ps, X).detach()[0]


def test_batched_gd_equals_per_member_loop() -> None:
    spec, X, Y = _setup()
    r = train_ensemble(spec, X, Y, members=5, steps=7, lr=0.05, seed=3, dtype=torch.float64, return_params=True)
    init = spec.init(5, seed=3 * 7919, dtype=torch.float64)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    for e in range(5):
        ref = _single_member_gd(spec, [p[e:e + 1] for p in init], Xt, Yt, 0.05, 7)
        np.testing.assert_allclose(r.outputs[-1, e], ref.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("act", ACTIVATIONS, ids=_act_id)
@pytest.mark.parametrize("param", ["ntk", "standard"])
def test_hand_backprop_equals_autograd_every_activation(act: str, param: str) -> None:
    """The hand-written batched kernel against plain autograd on each member (all activations, both
    parameterisations, zero and non-zero bias variances, GD and SGD)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 3))
    Y = np.cos(X[:, 1])
    spec = MLPSpec(3, (7, 6), act, (1.2, 1.7, 1.4), (0.0, 0.2, 0.3), parameterization=param)
    lr = 0.03 if param == "ntk" else 0.01
    r = train_ensemble(spec, X, Y, members=4, steps=5, lr=lr, seed=2, dtype=torch.float64, return_params=True)
    init = spec.init(4, seed=2 * 7919, dtype=torch.float64)
    rates = [lr / (spec.layer_sizes[i // 2] if (param == "standard" and i % 2 == 0) else 1) for i in range(6)]
    for e in range(4):
        ps = [p[e:e + 1].clone().requires_grad_(True) for p in init]
        for _ in range(5):
            gs = torch.autograd.grad(0.5 * ((spec.apply(ps, torch.tensor(X)) - torch.tensor(Y)) ** 2).sum(), ps)
            with torch.no_grad():
                for p, g, rt in zip(ps, gs, rates):
                    p -= rt * g
        for got, want in zip(r.params, ps):
            np.testing.assert_allclose(got[e].numpy(), want[0].detach().numpy(), rtol=1e-9, atol=1e-12)
    # SGD: the kernel's minibatch step against autograd on the same drawn indices
    sgd = train_ensemble(spec, X, Y, members=3, steps=1, lr=lr, seed=4, batch_size=2, dtype=torch.float64,
                         return_params=True)
    init = spec.init(3, seed=4 * 7919, dtype=torch.float64)
    idx = torch.randint(5, (3, 2), generator=torch.Generator().manual_seed(4 * 104729 + 1))
    for e in range(3):
        ps = [p[e:e + 1].clone().requires_grad_(True) for p in init]
        Xb, Yb = torch.tensor(X)[idx[e]], torch.tensor(Y)[idx[e]]
        gs = torch.autograd.grad(0.5 * (5 / 2) * ((spec.apply(ps, Xb) - Yb) ** 2).sum(), ps)
        for got, p, g, rt in zip(sgd.params, ps, gs, rates):
            np.testing.assert_allclose(got[e].numpy(), (p - rt * g)[0].detach().numpy(), rtol=1e-9, atol=1e-12)


def test_work_chunk_does_not_change_results() -> None:
    spec, X, Y = _setup()
    runs = [train_ensemble(spec, X, Y, members=7, steps=6, lr=0.05, seed=5, record_steps=[0, 3, 6],
                           dtype=torch.float64, work_chunk=wc) for wc in (1, 3, 7, None)]
    for r in runs[1:]:
        np.testing.assert_allclose(r.outputs, runs[0].outputs, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(r.train_loss, runs[0].train_loss, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="work_chunk"):
        train_ensemble(spec, X, Y, members=2, steps=1, lr=0.1, seed=0, work_chunk=0)


def test_chunking_does_not_change_results_and_loss_decreases() -> None:
    spec, X, Y = _setup()
    a = train_ensemble(spec, X, Y, members=6, steps=20, lr=0.05, seed=1, record_steps=[0, 20], member_chunk=6)
    b = train_ensemble(spec, X, Y, members=6, steps=20, lr=0.05, seed=1, record_steps=[0, 20], member_chunk=6)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    assert np.all(a.train_loss[1] < a.train_loss[0])
    s = train_ensemble(spec, X, Y, members=6, steps=20, lr=0.05, seed=1, batch_size=2, record_steps=[0, 20])
    assert np.all(s.train_loss[1] < s.train_loss[0])


def test_residual_targets_start_at_minus_y() -> None:
    spec, X, Y = _setup()
    r = train_ensemble(spec, X, Y, members=3, steps=0, lr=0.01, seed=0, residual_targets=True, record_steps=[0])
    np.testing.assert_allclose(r.train_loss[0], 0.5 * np.sum(Y**2), rtol=1e-5)


def test_empirical_ntk_matches_finite_difference_jacobian() -> None:
    spec, X, _ = _setup()
    params = spec.init(2, seed=0, dtype=torch.float64)
    Xt = torch.tensor(X)
    K = empirical_ntk(spec, params, Xt).numpy()
    flat = flatten_params(params).numpy()[0]
    shapes = [p.shape[1:] for p in params]

    def f(theta: np.ndarray) -> np.ndarray:
        ps, i = [], 0
        for s in shapes:
            n = int(np.prod(s))
            ps.append(torch.tensor(theta[i:i + n].reshape(s))[None])
            i += n
        return spec.apply(ps, Xt).numpy()[0]

    h = 1e-6
    J = np.stack([(f(flat + h * e) - f(flat - h * e)) / (2 * h) for e in np.eye(flat.size)], axis=1)
    np.testing.assert_allclose(K[0], J @ J.T, rtol=1e-6, atol=1e-8)
    assert K.shape == (2, 6, 6)
    np.testing.assert_allclose(K, np.swapaxes(K, 1, 2), atol=1e-12)
    assert ensemble_ntk(spec, X, members=3, seed=1).shape == (3, 6, 6)


def test_ensemble_mean_cov() -> None:
    f = np.random.default_rng(0).normal(size=(4000, 2)) @ np.array([[1.0, 0.5], [0.0, 1.0]])
    m, ms, c, cs = ensemble_mean_cov(f)
    np.testing.assert_allclose(c, np.cov(f.T), rtol=1e-12)
    assert np.all(np.abs(c - np.array([[1.0, 0.5], [0.5, 1.25]])) < 5 * cs)
    with pytest.raises(ValueError):
        ensemble_mean_cov(f[:2])


def test_bad_input() -> None:
    spec, X, Y = _setup()
    with pytest.raises(ValueError, match="activation"):
        MLPSpec(3, (4,), "swish?")
    with pytest.raises(ValueError, match="hidden_widths"):
        MLPSpec(3, (0,), "relu")
    with pytest.raises(ValueError, match="weight_variances"):
        MLPSpec(3, (4,), "relu", (1.0, -1.0))
    with pytest.raises(ValueError, match="bias_variances"):
        MLPSpec(3, (4,), "relu", 1.0, -0.5)
    with pytest.raises(ValueError, match="Y_train"):
        train_ensemble(spec, X, Y[:2], members=2, steps=1, lr=0.1, seed=0)
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="X_train must contain only finite"):
        train_ensemble(spec, Xn, Y, members=2, steps=1, lr=0.1, seed=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        with np.errstate(all="ignore"):
            train_ensemble(spec, X, 1e3 * Y, members=2, steps=200, lr=50.0, seed=0)


def test_init_kernel_mean_is_output_covariance() -> None:
    """E[K_hat] = Cov[f_0] at any width (law of total covariance): mean init kernel vs sample covariance."""
    spec, X, Y = _setup()
    r = train_ensemble(spec, X[:3], Y[:3], members=20000, steps=0, lr=0.01, seed=0, record_steps=[0],
                       record_init_kernel=True, dtype=torch.float64)
    f0 = r.outputs[0]
    _, _, C, C_se = ensemble_mean_cov(f0)
    K = r.init_kernel.mean(0)
    K_se = r.init_kernel.std(0, ddof=1) / np.sqrt(f0.shape[0])
    assert np.all(np.abs(C - K) < 5 * np.hypot(C_se, K_se))
    assert np.all(np.abs(f0.mean(0)) < 5 * f0.std(0) / np.sqrt(f0.shape[0]))


def test_trained_moments_agree_with_plain_ensemble_statistics() -> None:
    """The control-variate estimator against plain ensemble mean/covariance of independent members."""
    rng = np.random.default_rng(3)
    X, Xt = rng.normal(size=(4, 2)), rng.normal(size=(2, 2))
    Y = np.sin(2 * X[:, 0])
    spec = MLPSpec(2, (8,), "erf", (1.0, 2.0), 0.1)
    v, c = trained_moments(spec, X, Y, Xt, steps=[5, 20], lr=0.3, members=3000, seed=1)
    r = train_ensemble(spec, X, Y, members=20000, steps=20, lr=0.3, seed=2, X_eval=Xt, record_steps=[5, 20])
    plain, plain_se = [], []
    iu = np.triu_indices(2)
    for j in range(2):
        m, ms, C, Cs = ensemble_mean_cov(r.outputs[j])
        plain += [m, C[iu]]
        plain_se += [ms, Cs[iu]]
    z = (v - np.concatenate(plain)) / np.sqrt(np.diag(c) + np.concatenate(plain_se) ** 2)
    assert np.all(np.abs(z) < 4.5), z


def _jacobian_ntk(spec: MLPSpec, params: list, X1: torch.Tensor, X2: torch.Tensor) -> torch.Tensor:
    """Reference: per-parameter Jacobians by ``torch.func.jacrev``, vmapped over members, each
    parameter's block weighted by its learning-rate factor (1/n_{l-1} on W in the standard
    parameterisation)."""
    rho = [r for pair in spec.rate_factors() for r in pair]

    def single(ps: tuple, X: torch.Tensor) -> torch.Tensor:
        return spec.apply([p.unsqueeze(0) for p in ps], X)[0]

    def one(ps: tuple) -> torch.Tensor:
        j1, j2 = jacrev(single)(ps, X1), jacrev(single)(ps, X2)
        return sum(r * a.reshape(a.shape[0], -1) @ b.reshape(b.shape[0], -1).T for r, a, b in zip(rho, j1, j2))

    return vmap(one)(tuple(params))


@pytest.mark.parametrize("act", ACTIVATIONS, ids=_act_id)
@pytest.mark.parametrize("param", ["ntk", "standard"])
def test_empirical_ntk_equals_jacobian_reference(act: Any, param: str) -> None:
    """The batched backprop kernel against torch.func Jacobians, on X1 x X1 and X1 x X2."""
    rng = np.random.default_rng(7)
    X1, X2 = torch.tensor(rng.normal(size=(4, 3))), torch.tensor(rng.normal(size=(2, 3)))
    spec = MLPSpec(3, (6, 5), act, (1.2, 1.7, 1.4), (0.0, 0.2, 0.3), parameterization=param)
    params = spec.init(3, seed=1, dtype=torch.float64)
    for A, B in ((X1, X1), (X1, X2)):
        want = _jacobian_ntk(spec, params, A, B)
        got = empirical_ntk(spec, params, A, None if B is A else B, member_chunk=2)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("param", ["ntk", "standard"])
def test_empirical_ntk_is_the_kernel_of_one_gd_step(param: str) -> None:
    """Regression (the standard-parameterisation kernel used to ignore the 1/n_{l-1} weight rates):
    one small GD step moves the outputs by -lr * Theta_hat (f - y) to first order in lr."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 3))
    Y = np.sin(X[:, 0])
    spec = MLPSpec(3, (9, 7), "tanh", (1.0, 1.5, 1.5), 0.2, parameterization=param)
    lr = 1e-7
    r = train_ensemble(spec, X, Y, members=3, steps=1, lr=lr, seed=3, record_steps=[0, 1], dtype=torch.float64)
    params = spec.init(3, seed=3 * 7919, dtype=torch.float64)
    K = empirical_ntk(spec, params, X).numpy()
    want = -lr * np.einsum("eij,ej->ei", K, r.outputs[0] - Y)
    np.testing.assert_allclose(r.outputs[1] - r.outputs[0], want, rtol=1e-5, atol=1e-15)


def test_leaky_relu_and_callables_are_accepted() -> None:
    spec = MLPSpec(2, (4,), ["leaky_relu", 0.1])
    assert spec.activation == ("leaky_relu", 0.1) and spec.weight_variances == (1.0, 1.0)
    assert MLPSpec(2, (4,), torch.sin).activation is torch.sin
    with pytest.raises(ValueError, match="leaky_relu"):
        MLPSpec(2, (4,), "leaky_relu")
    with pytest.raises(TypeError, match="slope"):
        MLPSpec(2, (4,), ("leaky_relu", "0.1"))


def test_silent_coercions_are_errors() -> None:
    """Regressions: values that used to be rounded or coerced now raise."""
    spec, X, Y = _setup()
    with pytest.raises(TypeError, match="record_steps"):  # 2.5 was silently recorded as step 2
        train_ensemble(spec, X, Y, members=2, steps=3, lr=0.1, seed=0, record_steps=[2.5])
    with pytest.raises(TypeError, match="weight_variances"):  # the string "1.0" was parsed as a number
        MLPSpec(3, (4,), "relu", "1.0")
    with pytest.raises(TypeError, match="bias_variances"):  # True was read as 1.0
        MLPSpec(3, (4,), "relu", 1.0, True)
    with pytest.raises(TypeError, match="lr"):
        train_ensemble(spec, X, Y, members=2, steps=1, lr=True, seed=0)
    with pytest.raises(TypeError, match="Y_train"):  # a bool array was cast to 0/1 targets
        train_ensemble(spec, X, Y > 0, members=2, steps=1, lr=0.1, seed=0)


def test_return_params_with_several_chunks_raises() -> None:
    """Regression: with several member chunks ``return_params=True`` used to return ``params=None`` silently."""
    spec, X, Y = _setup()
    with pytest.raises(ValueError, match="return_params"):
        train_ensemble(spec, X, Y, members=4, steps=1, lr=0.1, seed=0, member_chunk=2, return_params=True)
    r = train_ensemble(spec, X, Y, members=4, steps=1, lr=0.1, seed=0, member_chunk=4, return_params=True)
    assert r.params is not None and r.params[0].shape[0] == 4


def test_trained_moments_steps_in_any_order() -> None:
    """Regression: unsorted ``steps`` used to pair each step's A_t with another step's outputs."""
    rng = np.random.default_rng(3)
    X, Xt = rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    Y = np.sin(2 * X[:, 0])
    spec = MLPSpec(2, (8,), "erf", (1.0, 2.0), 0.1)
    a, ca = trained_moments(spec, X, Y, Xt, steps=[2, 6], lr=0.3, members=50, seed=1)
    b, cb = trained_moments(spec, X, Y, Xt, steps=[6, 2], lr=0.3, members=50, seed=1)
    k = a.size // 2
    np.testing.assert_allclose(b, np.concatenate([a[k:], a[:k]]), rtol=1e-12)
    np.testing.assert_allclose(np.diag(cb), np.concatenate([np.diag(ca)[k:], np.diag(ca)[:k]]), rtol=1e-12)


def test_inputs_are_not_modified_or_aliased() -> None:
    spec, X, Y = _setup()
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    X0, Y0 = Xt.clone(), Yt.clone()
    r = train_ensemble(spec, Xt, Yt, members=2, steps=3, lr=0.1, seed=0, dtype=torch.float64, return_params=True)
    assert torch.equal(Xt, X0) and torch.equal(Yt, Y0)
    params = spec.init(2, seed=0, dtype=torch.float64)
    copy = [p.clone() for p in params]
    empirical_ntk(spec, params, X)
    assert all(torch.equal(p, q) for p, q in zip(params, copy))
    assert r.params is not None and not any(p.data_ptr() == q.data_ptr() for p in r.params for q in params)
