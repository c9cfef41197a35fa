"""Models and data of numerics.singular_learning: exact losses, exact compression, training, cached views."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.singular_learning import (
    DeepLinearNetwork,
    NormalCrossingModel,
    QuadraticModel,
    compress_linear_data,
    deep_linear_teacher_student,
    hessian_max_eigenvalue,
    mse,
    normal_crossing_data,
    quadratic_data,
    sample_local_posterior,
    train_to_minimum,
)


def _quad(h=(1.0, 2.0)):
    X, Y = quadratic_data(list(h), 32, seed=0)
    return QuadraticModel(len(h)), (X, Y)


def test_quadratic_data_has_exact_hessian():
    m, data = _quad((1.0, 3.0))
    assert hessian_max_eigenvalue(m, mse, data) == pytest.approx(3.0, rel=1e-8)


def test_train_to_minimum_batched_restarts():
    net, (X, Y) = deep_linear_teacher_student((3, 2, 3), 1, 64, seed=1, init_scale=0.0)
    start = DeepLinearNetwork((3, 2, 3), init_scale=0.3, seed=5)
    trained, loss = train_to_minimum(start, mse, (X, Y), steps=600, lr=2e-2, restarts=4, init_scale=0.1, seed=0)
    assert loss < 1e-4
    with torch.no_grad():
        assert float(mse(trained(X), Y)) == pytest.approx(loss, rel=1e-6, abs=1e-12)
        assert float(mse(start(X), Y)) > 1e-2  # input untouched


def test_compress_linear_data_exact_loss_and_llc():
    net, (X, Y) = deep_linear_teacher_student((5, 3, 4), 2, 300, seed=1, init_scale=0.0)
    Y = Y + 0.2 * torch.randn(Y.shape, generator=torch.Generator().manual_seed(3), dtype=Y.dtype)  # not in col(X)
    (Xc, Yc), c = compress_linear_data((X, Y))
    assert Xc.shape == (5, 5) and Yc.shape == (5, 4) and c > 0
    # the residual of the least-squares fit, computed independently with lstsq
    B = torch.linalg.lstsq(X, Y).solution
    assert c == pytest.approx(float(((X @ B - Y) ** 2).sum() / 300), rel=1e-10)
    g = torch.Generator().manual_seed(0)
    for _ in range(3):  # loss identical up to the constant at random parameters
        w = [torch.randn(p.shape, generator=g, dtype=p.dtype) for p in net.parameters()]
        f = lambda x: x @ w[0].T @ w[1].T  # noqa: E731
        assert float(mse(f(Xc), Yc)) + c == pytest.approx(float(mse(f(X), Y)), rel=1e-10)
    # so the sampled chains coincide (full batch) up to rounding
    kw = dict(n_beta=100.0, gamma=10.0, step_size=1e-4, chains=3, draws=30, burn_in=0, seed=0)
    a = sample_local_posterior(net, mse, (X, Y), **kw)
    b = sample_local_posterior(net, mse, (Xc, Yc), **kw)
    np.testing.assert_allclose(a.loss_trace - a.init_loss, b.loss_trace - b.init_loss, rtol=1e-6, atol=1e-10)
    with pytest.raises(ValueError, match="at least as many rows"):
        compress_linear_data((X[:3], Y[:3]))
    with pytest.raises(ValueError, match="non-finite"):
        compress_linear_data((X.clone().fill_(float("nan")), Y))


def test_stacked_weight_view_cache_follows_in_place_updates():
    # the per-layer views are cached for the sampler's in-place state: they must see in-place
    # updates and never be reused for another tensor
    net = DeepLinearNetwork((3, 2, 4), dtype=torch.float64)
    w = torch.randn(2, 3 * 2 + 2 * 4, dtype=torch.float64)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    plain = lambda wv: torch.stack([x[c] @ wv[c, :6].reshape(2, 3).T @ wv[c, 6:].reshape(4, 2).T for c in range(2)])  # noqa: E731
    torch.testing.assert_close(net.forward_stacked(w, x), plain(w))
    w.mul_(-2.0)  # in place: the cached views see it
    torch.testing.assert_close(net.forward_stacked(w, x), plain(w))
    w2 = w.clone().add_(1.0)  # another tensor: not served from the cache
    torch.testing.assert_close(net.forward_stacked(w2, x), plain(w2))
    torch.testing.assert_close(net.forward_stacked_vjp(w, x)[0], plain(w))


def test_normal_crossing_loss_is_exactly_k():
    X, Y = normal_crossing_data(16, seed=3)
    assert float((X**2).mean()) == pytest.approx(1.0, rel=1e-14)
    m = NormalCrossingModel([1, 2, 0])
    w = torch.tensor([0.7, -1.3, 5.0], dtype=torch.float64)
    with torch.no_grad():
        m.w.copy_(w)
        assert float(mse(m(X), Y)) == pytest.approx(float(w[0] ** 2 * w[1] ** 4), rel=1e-13)


def test_teacher_student_is_a_minimum_with_the_teacher_map():
    net, (X, Y) = deep_linear_teacher_student((4, 3, 2, 5), 2, 80, seed=1, singular_values=[2.0, 0.5])
    with torch.no_grad():
        assert float(mse(net(X), Y)) < 1e-10
        P = torch.eye(4, dtype=torch.float64)
        for W in net.weights:
            P = W @ P
        assert torch.linalg.matrix_rank(P, atol=1e-6) == 2
        np.testing.assert_allclose(torch.linalg.svdvals(P)[:2].numpy(), [2.0, 0.5], rtol=1e-4)
    zero, _ = deep_linear_teacher_student((3, 2, 3), 0, 10, seed=0)
    assert all(float(W.detach().abs().max()) == 0.0 for W in zero.weights)


def test_mse_refuses_broadcasting():
    with pytest.raises(ValueError, match="same shape"):
        mse(torch.zeros(5, 1), torch.zeros(5))
    with pytest.raises(TypeError):
        mse(np.zeros((5, 1)), torch.zeros(5, 1))  # type: ignore[arg-type]
    pred, y = torch.randn(4, 6, 2, dtype=torch.float64), torch.randn(4, 6, 2, dtype=torch.float64)
    L, g = mse.batched_value_and_grad(pred.clone(), y)
    np.testing.assert_allclose(L.numpy(), [float(mse(pred[c], y[c])) for c in range(4)], rtol=1e-14)
    np.testing.assert_allclose(g.numpy(), (2 * (pred - y) / 6).numpy(), rtol=1e-14)


def test_hessian_of_a_flat_loss_is_zero():
    class Flat(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 0 + self.w.sum()

    X = torch.ones(4, 1, dtype=torch.float64)
    # the loss mean(pred) is linear in w: the gradient is constant and the Hessian zero
    assert hessian_max_eigenvalue(Flat(), lambda p, y: p.mean(), (X, X)) == 0.0
    assert hessian_max_eigenvalue(Flat(), mse, (X, X)) == pytest.approx(4.0)  # (w1 + w2 - 1)^2: eigenvalues 0, 4


def test_tms_hand_written_pullback_equals_autograd():
    from numerics.singular_learning import ToyModelOfSuperposition, tms_data

    m = ToyModelOfSuperposition(6, 2, seed=3)
    with torch.no_grad():
        m.b.normal_(0.0, 0.5, generator=torch.Generator().manual_seed(1))
    X, _ = tms_data(6, 40, sparsity=0.5, seed=0)
    w0 = torch.cat([p.detach().reshape(-1) for p in m.parameters()])
    W = w0 + 0.2 * torch.randn(3, w0.numel(), dtype=w0.dtype, generator=torch.Generator().manual_seed(2))
    pred, pullback = m.forward_stacked_vjp(W, X)
    assert torch.equal(pred, m.forward_stacked(W, X))
    G = torch.randn(pred.shape, dtype=pred.dtype, generator=torch.Generator().manual_seed(4))
    got = pullback(G)
    for c in range(3):
        wc = W[c].clone().requires_grad_(True)
        Wm, b = wc[:12].reshape(2, 6), wc[12:]
        out = torch.relu(X @ Wm.T @ Wm + b)
        torch.testing.assert_close(out, pred[c])
        (ref,) = torch.autograd.grad((out * G[c]).sum(), wc)
        torch.testing.assert_close(got[c], ref)
