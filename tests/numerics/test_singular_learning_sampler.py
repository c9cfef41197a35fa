"""Tests for numerics.sgld and numerics.slt_models (no theory imports: closed forms written inline)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import numerics.sgld as sgld_mod
from numerics.sgld import degradation_sweep, estimate_llc, hessian_max_eigenvalue, sample_local_posterior
from numerics.slt_models import (
    DeepLinearNetwork,
    compress_linear_data,
    NormalCrossingModel,
    QuadraticModel,
    deep_linear_teacher_student,
    mse,
    normal_crossing_data,
    quadratic_data,
    train_to_minimum,
)


def _quad(h=(1.0, 2.0)):
    X, Y = quadratic_data(list(h), 32, seed=0)
    return QuadraticModel(len(h)), (X, Y)


def test_quadratic_data_has_exact_hessian():
    m, data = _quad((1.0, 3.0))
    assert hessian_max_eigenvalue(m, mse, data) == pytest.approx(3.0, rel=1e-8)


@pytest.mark.parametrize("block", [None, 1, 256 * 2 * 50])
def test_quadratic_gaussian_posterior_mean_loss(block, monkeypatch):
    # random numbers in blocks of K steps: K = 1, 1 < K < steps (refills mid-run) and K > steps
    if block is not None:
        monkeypatch.setattr(sgld_mod, "_RNG_BLOCK", block)
    # full-batch SGLD on h|w|^2/2 at small step: E[lambda_hat] = sum n b h / (2 A (1 - eps A/4)) (stationary)
    h, nb, g, eps = np.array([1.0, 2.0]), 50.0, 1.0, 1e-3
    m, data = _quad(tuple(h))
    e = estimate_llc(m, mse, data, n_beta=nb, gamma=g, step_size=eps, chains=256, draws=300, burn_in=300, seed=3)
    A = nb * h + g
    expected = float(np.sum(nb * h / (2 * A * (1 - eps * A / 4))))
    assert abs(e.value - expected) < 4 * e.stderr
    assert e.diagnostics["step_size_bias"] == pytest.approx((eps * (nb * 2 + g) / 4) / (1 - eps * (nb * 2 + g) / 4), rel=1e-6)
    assert e.diagnostics["loss_trace"].shape == (256, 300)
    assert np.all(e.diagnostics["acceptance_rate"] > 0.5)


def test_reproducible_and_input_not_mutated():
    m, data = _quad()
    before = [p.detach().clone() for p in m.parameters()]
    X0 = data[0].clone()
    a = estimate_llc(m, mse, data, n_beta=10.0, gamma=1.0, step_size=1e-2, chains=4, draws=20, burn_in=5, seed=11)
    b = estimate_llc(m, mse, data, n_beta=10.0, gamma=1.0, step_size=1e-2, chains=4, draws=20, burn_in=5, seed=11)
    assert a.value == b.value
    assert all(torch.equal(p, q) for p, q in zip(before, m.parameters()))
    assert torch.equal(X0, data[0])


def test_wbic_default_n_beta():
    m, data = _quad()
    e = estimate_llc(m, mse, data, chains=2, draws=5, burn_in=1, seed=0, bias_diagnostic=False)
    assert e.diagnostics["n_beta"] == pytest.approx(32 / math.log(32))


def test_divergence_is_reported_not_averaged():
    m, data = _quad((1.0, 2.0))
    # eps * (n beta h + gamma) = 0.05 * 201 > 4: every chain explodes
    with pytest.warns(RuntimeWarning, match="unstable|diverged"):
        with pytest.raises(FloatingPointError, match="diverged"):
            estimate_llc(m, mse, data, n_beta=100.0, gamma=1.0, step_size=0.05, chains=4, draws=200, burn_in=0, seed=0)


def test_partial_divergence_excluded():
    # one temperature stable, the other not: the sweep warns and excludes, never averages
    m, data = _quad((1.0,))
    with pytest.raises(FloatingPointError):
        with pytest.warns(RuntimeWarning):
            degradation_sweep(m, mse, data, [10.0, 1000.0], gamma=1.0, step_size=0.01, chains=3, draws=200, burn_in=0, seed=0)
    run = sample_local_posterior(m, mse, data, n_beta=[10.0, 10.0, 1000.0], gamma=1.0, step_size=0.01, chains=3, draws=200,
                                 burn_in=0, seed=0)
    assert run.diverged.tolist() == [False, False, True]


def test_negative_llc_warns():
    # w* at a maximum of L = 1 - |w|^2 (the localisation gamma keeps the posterior proper)
    class Neg(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 0 + (1.0 - (self.w**2).sum())

    X = torch.ones(8, 1, dtype=torch.float64)
    with pytest.warns(RuntimeWarning, match="not a local minimum"):
        e = estimate_llc(Neg(), lambda p, y: p.mean(), (X, X), n_beta=10.0, gamma=100.0, step_size=1e-3, chains=8, draws=100,
                         burn_in=10, seed=0, bias_diagnostic=False)
    assert e.value < 0


def test_bad_input():
    m, data = _quad()
    with pytest.raises(ValueError, match="non-finite"):
        estimate_llc(m, mse, (data[0] * float("nan"), data[1]), n_beta=1.0, chains=2, draws=2, burn_in=0)
    with pytest.raises(ValueError, match="chains"):
        estimate_llc(m, mse, data, n_beta=1.0, chains=1)
    with pytest.raises(ValueError, match="step_size"):
        estimate_llc(m, mse, data, n_beta=1.0, step_size=-1.0)
    with pytest.raises(ValueError, match="sampler"):
        estimate_llc(m, mse, data, n_beta=1.0, sampler="hmc")
    with pytest.raises(ValueError, match="mala"):
        estimate_llc(m, mse, data, n_beta=1.0, sampler="mala", batch_size=4)
    with pytest.raises(TypeError):
        estimate_llc("net", mse, data)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rank"):
        deep_linear_teacher_student((3, 2, 3), 3, 10, seed=0)
    with pytest.raises(ValueError, match="widths"):
        DeepLinearNetwork((3, 0, 2))


def test_mala_normal_crossing_gaussian_case():
    # K = w^2 with Gaussian localisation: posterior N(0, 1/(2 n b + gamma)) -> n b E[K] = n b/(2 n b + gamma), exactly
    X, Y = normal_crossing_data(8, seed=0)
    nb, g = 40.0, 1.0
    e = estimate_llc(NormalCrossingModel([1]), mse, (X, Y), n_beta=nb, gamma=g, step_size=0.02, chains=128, draws=300,
                     burn_in=50, seed=2, sampler="mala", bias_diagnostic=False)
    assert abs(e.value - nb / (2 * nb + g)) < 4 * e.stderr


def test_minibatch_and_rmsprop_run():
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 64, seed=0, init_scale=0.0)
    with torch.no_grad():
        assert float(mse(net(data[0]), data[1])) < 1e-20
    e = estimate_llc(net, mse, data, n_beta=50.0, gamma=10.0, step_size=1e-3, chains=4, draws=50, burn_in=10, seed=0,
                     batch_size=16, sampler="rmsprop")
    assert np.isfinite(e.value) and e.stderr > 0


def test_train_to_minimum_batched_restarts():
    net, (X, Y) = deep_linear_teacher_student((3, 2, 3), 1, 64, seed=1, init_scale=0.0)
    start = DeepLinearNetwork((3, 2, 3), init_scale=0.3, seed=5)
    trained, loss = train_to_minimum(start, mse, (X, Y), steps=600, lr=2e-2, restarts=4, init_scale=0.1, seed=0)
    assert loss < 1e-4
    with torch.no_grad():
        assert float(mse(trained(X), Y)) == pytest.approx(loss, rel=1e-6, abs=1e-12)
        assert float(mse(start(X), Y)) > 1e-2  # input untouched


def test_degradation_sweep_shapes():
    m, data = _quad((1.0, 2.0))
    e = degradation_sweep(m, mse, data, [10.0, 20.0, 40.0], gamma=0.0, step_size=1e-3, chains=32, draws=200, burn_in=200, seed=0)
    assert e.value.shape == (3,) and np.all(e.value > 0)
    # quadratic, gamma = 0: E[L - L*] = d/(2 n beta) / (1 - eps A/4) -> decreasing like 1/(n beta)
    assert np.all(np.diff(e.value) < 0)
    np.testing.assert_allclose(e.diagnostics["llc"], 1.0, atol=6 * e.diagnostics["llc_stderr"].max() + 0.05)


def test_stacked_fast_path_equals_functional_call():
    net, data = deep_linear_teacher_student((4, 3, 4), 1, 50, seed=0, init_scale=0.0)

    class Plain(DeepLinearNetwork):
        forward_stacked = None  # type: ignore[assignment]

    plain = Plain((4, 3, 4))
    plain.load_state_dict(net.state_dict())
    kw = dict(n_beta=100.0, gamma=10.0, step_size=1e-4, chains=3, draws=20, burn_in=0, seed=0)
    for bs in (None, 10):
        a = sample_local_posterior(net, mse, data, batch_size=bs, **kw)
        b = sample_local_posterior(plain, mse, data, batch_size=bs, **kw)
        np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-12, atol=1e-15)


def test_batched_loss_equals_vmap_route():
    # slt_models.mse carries a batched per-chain form; a plain lambda goes through vmap: same chains
    net, data = deep_linear_teacher_student((4, 3, 4), 1, 50, seed=0, init_scale=0.0)
    kw = dict(n_beta=100.0, gamma=10.0, step_size=1e-4, chains=3, draws=20, burn_in=0, seed=0)
    for bs in (None, 10):
        a = sample_local_posterior(net, mse, data, batch_size=bs, **kw)
        b = sample_local_posterior(net, lambda p, y: ((p - y) ** 2).sum(-1).mean(), data, batch_size=bs, **kw)
        np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-12, atol=1e-15)
    pred, y = torch.randn(5, 7, 3, dtype=torch.float64), torch.randn(5, 7, 3, dtype=torch.float64)
    np.testing.assert_allclose(mse.batched(pred, y).numpy(), [float(mse(pred[c], y[c])) for c in range(5)], rtol=1e-14)


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


def test_manual_vjp_equals_autograd_chains():
    # DeepLinearNetwork.forward_stacked_vjp + mse.batched_value_and_grad (no autograd) against
    # the autograd route: the same chains to rounding, full batch and minibatch, sgld and rmsprop
    net, data = deep_linear_teacher_student((4, 3, 2, 4), 1, 60, seed=2, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=4, draws=30, burn_in=5, seed=3)
    for bs in (None, 7):
        for sampler in ("sgld", "rmsprop"):
            a = sample_local_posterior(net, mse, data, batch_size=bs, sampler=sampler, **kw)
            b = sample_local_posterior(net, mse, data, batch_size=bs, sampler=sampler, model_vjp=False, **kw)
            np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-9, atol=1e-14)
            np.testing.assert_allclose(a.acceptance, b.acceptance, rtol=1e-8, atol=1e-12)
    # and the chains move: a wrong gradient would not be caught by comparing a frozen trace
    assert np.ptp(a.loss_trace) > 0


def test_diag_every_none_and_validation():
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 40, seed=0, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=2, draws=10, burn_in=0, seed=0)
    run = sample_local_posterior(net, mse, data, diag_every=None, **kw)
    assert np.all(np.isnan(run.acceptance)) and np.all(np.isfinite(run.loss_trace))
    run = sample_local_posterior(net, mse, data, diag_every=3, **kw)
    assert np.all((run.acceptance > 0) & (run.acceptance <= 1))
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError, match="diag_every"):
            sample_local_posterior(net, mse, data, diag_every=bad, **kw)


def test_blocked_random_numbers_reproducible():
    # noise and minibatch indices come in blocks; the same seed gives the same chains
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 40, seed=0, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=3, draws=25, burn_in=3, seed=11, batch_size=5)
    a = sample_local_posterior(net, mse, data, **kw)
    b = sample_local_posterior(net, mse, data, **kw)
    np.testing.assert_array_equal(a.loss_trace, b.loss_trace)
    c = sample_local_posterior(net, mse, data, **{**kw, "seed": 12})
    assert not np.array_equal(a.loss_trace, c.loss_trace)


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


def test_trace_independent_of_history_chunking(monkeypatch):
    # the loss history is stacked every _HIST_CHUNK steps: chunk boundaries change nothing
    m, data = _quad((1.0, 2.0))
    kw = dict(n_beta=20.0, gamma=1.0, step_size=1e-2, chains=2, seed=5, draws=50, burn_in=13, batch_size=8)
    ref = sample_local_posterior(m, mse, data, **kw)
    monkeypatch.setattr(sgld_mod, "_HIST_CHUNK", 7)
    chunked = sample_local_posterior(m, mse, data, **kw)
    assert chunked.loss_trace.shape == (2, 50) and np.all(np.isfinite(chunked.loss_trace))
    np.testing.assert_array_equal(ref.loss_trace, chunked.loss_trace)
    np.testing.assert_array_equal(ref.diverged, chunked.diverged)
