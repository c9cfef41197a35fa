"""The batched samplers of numerics.singular_learning: exact Gaussian cases, fast paths equal to autograd,
blocked random numbers and chunked history change nothing (no theory imports: closed forms inline)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import numerics.singular_learning._samplers as samplers_mod
import numerics.singular_learning._state as state_mod
import numerics.singular_learning._target as target_mod
from numerics.singular_learning import (
    DeepLinearNetwork,
    NormalCrossingModel,
    QuadraticModel,
    deep_linear_teacher_student,
    estimate_llc,
    mse,
    normal_crossing_data,
    quadratic_data,
    sample_local_posterior,
)
from tests.slt_quiet import QUIET

pytestmark = QUIET


def _quad(h=(1.0, 2.0)):
    X, Y = quadratic_data(list(h), 32, seed=0)
    return QuadraticModel(len(h)), (X, Y)


@pytest.mark.parametrize("block", [None, 1, 256 * 2 * 50])
def test_quadratic_gaussian_posterior_mean_loss(block, monkeypatch):
    # random numbers in blocks of K steps: K = 1, 1 < K < steps (refills mid-run) and K > steps
    if block is not None:
        monkeypatch.setattr(target_mod, "RNG_BLOCK", block)
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


def test_minibatch_and_rmsprop_run():
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 64, seed=0, init_scale=0.0)
    with torch.no_grad():
        assert float(mse(net(data[0]), data[1])) < 1e-20
    e = estimate_llc(net, mse, data, n_beta=50.0, gamma=10.0, step_size=1e-3, chains=4, draws=50, burn_in=10, seed=0,
                     batch_size=16, sampler="rmsprop")
    assert np.isfinite(e.value) and e.stderr > 0


def test_stacked_fast_path_equals_functional_call():
    net, data = deep_linear_teacher_student((4, 3, 4), 1, 50, seed=0, init_scale=0.0)

    class Plain(DeepLinearNetwork):
        forward_stacked = None  # type: ignore[assignment]

    plain = Plain((4, 3, 4))
    plain.load_state_dict(net.state_dict())
    kw = dict(n_beta=100.0, gamma=10.0, step_size=1e-4, chains=3, draws=20, burn_in=0, seed=0, compress=False)
    for bs in (None, 10):
        a = sample_local_posterior(net, mse, data, batch_size=bs, **kw)
        b = sample_local_posterior(plain, mse, data, batch_size=bs, **kw)
        np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-12, atol=1e-15)


def test_batched_loss_equals_vmap_route():
    # slt_models.mse carries a batched per-chain form; a plain lambda goes through vmap: same chains
    net, data = deep_linear_teacher_student((4, 3, 4), 1, 50, seed=0, init_scale=0.0)
    kw = dict(n_beta=100.0, gamma=10.0, step_size=1e-4, chains=3, draws=20, burn_in=0, seed=0, compress=False)
    for bs in (None, 10):
        a = sample_local_posterior(net, mse, data, batch_size=bs, **kw)
        b = sample_local_posterior(net, lambda p, y: ((p - y) ** 2).sum(-1).mean(), data, batch_size=bs, **kw)
        np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-12, atol=1e-15)
    pred, y = torch.randn(5, 7, 3, dtype=torch.float64), torch.randn(5, 7, 3, dtype=torch.float64)
    np.testing.assert_allclose(mse.batched(pred, y).numpy(), [float(mse(pred[c], y[c])) for c in range(5)], rtol=1e-14)


def test_manual_vjp_equals_autograd_chains():
    # DeepLinearNetwork.forward_stacked_vjp + mse.batched_value_and_grad (no autograd) against
    # the autograd route: the same chains to rounding, full batch and minibatch, sgld and rmsprop
    net, data = deep_linear_teacher_student((4, 3, 2, 4), 1, 60, seed=2, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=4, draws=30, burn_in=5, seed=3, compress=False)
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
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=2, draws=10, burn_in=0, seed=0, compress=False)
    run = sample_local_posterior(net, mse, data, diag_every=None, **kw)
    assert np.all(np.isnan(run.acceptance)) and np.all(np.isfinite(run.loss_trace))
    run = sample_local_posterior(net, mse, data, diag_every=3, **kw)
    assert np.all((run.acceptance > 0) & (run.acceptance <= 1))
    for bad in (0, -1):
        with pytest.raises(ValueError, match="diag_every"):
            sample_local_posterior(net, mse, data, diag_every=bad, **kw)
    with pytest.raises(TypeError, match="diag_every"):
        sample_local_posterior(net, mse, data, diag_every=1.5, **kw)


def test_blocked_random_numbers_reproducible():
    # noise and minibatch indices come in blocks; the same seed gives the same chains
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 40, seed=0, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=3, draws=25, burn_in=3, seed=11, batch_size=5, compress=False)
    a = sample_local_posterior(net, mse, data, **kw)
    b = sample_local_posterior(net, mse, data, **kw)
    np.testing.assert_array_equal(a.loss_trace, b.loss_trace)
    c = sample_local_posterior(net, mse, data, **{**kw, "seed": 12})
    assert not np.array_equal(a.loss_trace, c.loss_trace)


def test_trace_independent_of_history_chunking(monkeypatch):
    # the loss history is stacked every HIST_CHUNK steps: chunk boundaries change nothing
    m, data = _quad((1.0, 2.0))
    kw = dict(n_beta=20.0, gamma=1.0, step_size=1e-2, chains=2, seed=5, draws=50, burn_in=13, batch_size=8, compress=False)
    ref = sample_local_posterior(m, mse, data, **kw)
    monkeypatch.setattr(state_mod, "HIST_CHUNK", 7)
    chunked = sample_local_posterior(m, mse, data, **kw)
    assert chunked.loss_trace.shape == (2, 50) and np.all(np.isfinite(chunked.loss_trace))
    np.testing.assert_array_equal(ref.loss_trace, chunked.loss_trace)
    np.testing.assert_array_equal(ref.diverged, chunked.diverged)


def test_mala_chain_is_exact_for_a_gaussian_posterior():
    # quadratic loss: the posterior is N(0, 1/A) per direction, so MALA's n beta E[L] is
    # sum n beta h / (2A) at any step size (no step-size bias, unlike SGLD)
    h, nb, g = np.array([1.0, 2.0, 4.0]), 100.0, 1.0
    X, Y = quadratic_data(list(h), 64, seed=0)
    A = nb * h + g
    run = sample_local_posterior(QuadraticModel(3), mse, (X, Y), n_beta=nb, gamma=g, step_size=0.006, chains=512,
                                 draws=300, burn_in=100, seed=4, sampler="mala")
    llc = nb * (run.loss_trace.mean(1) - run.init_loss)
    assert abs(llc.mean() - np.sum(nb * h / (2 * A))) < 4 * llc.std(ddof=1) / np.sqrt(llc.size)
    assert np.all(run.moved) and 0.3 < run.acceptance.mean() <= 1


def test_samplers_dispatch_and_flags():
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 40, seed=0, init_scale=0.0)
    kw = dict(n_beta=50.0, gamma=5.0, step_size=1e-3, chains=3, draws=10, burn_in=2, seed=0, compress=False)
    for sampler in ("sgld", "rmsprop", "mala"):
        run = sample_local_posterior(net, mse, data, sampler=sampler, **kw)
        assert run.loss_trace.shape == (3, 10) and run.extra["sampler"] == sampler
        assert run.extra["oracle"] == "hand-written pullback"
        assert not run.diverged.any() and not run.descended.any() and run.moved.all()
        assert run.extra["grad_norm"] < 1e-10  # the exact factorisation is a minimum


@pytest.mark.parametrize("sampler", ["sgld", "rmsprop", "mala"])
def test_per_chain_step_sizes_equal_separate_runs(sampler):
    # chain c with its own step is the chain c of a run where every chain has that step (same noise rows)
    net, data = deep_linear_teacher_student((3, 2, 3), 1, 30, seed=0, init_scale=0.0)
    kw = dict(n_beta=[40.0, 80.0], gamma=2.0, chains=2, draws=40, burn_in=3, seed=9, sampler=sampler, diag_every=4, compress=False)
    both = sample_local_posterior(net, mse, data, step_size=[2e-3, 5e-4], **kw)
    for c, eps in enumerate((2e-3, 5e-4)):
        one = sample_local_posterior(net, mse, data, step_size=eps, **kw)
        np.testing.assert_allclose(both.loss_trace[c], one.loss_trace[c], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(both.acceptance[c], one.acceptance[c], rtol=1e-10)
    assert not np.allclose(both.loss_trace[0], both.loss_trace[1])
    with pytest.raises(ValueError, match="one per chain"):
        sample_local_posterior(net, mse, data, step_size=[1e-3, 1e-3, 1e-3], **kw)


@pytest.mark.parametrize("powers", [(1,), (2,), (1, 1), (1, 2, 0), (3, 1, 2)])
def test_normal_crossing_hand_pullback_equals_autograd(powers):
    # NormalCrossingModel.forward_stacked_vjp with mse.batched_value_and_grad against autograd of each
    # chain's own loss; then SGLD chains through both routes agree to rounding (MALA's accept
    # decisions would turn a rounding difference into a different chain, so SGLD is compared)
    X, Y = normal_crossing_data(7, seed=1)
    m = NormalCrossingModel(powers)
    w = torch.randn(5, len(powers), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    pred, pullback = m.forward_stacked_vjp(w, X)
    L, gpred = mse.batched_value_and_grad(pred, Y.expand(5, *Y.shape))
    grad = pullback(gpred)
    k = torch.tensor(powers, dtype=torch.float64)
    for c in range(5):
        wc = w[c].clone().requires_grad_(True)
        Lc = mse(X * torch.prod(wc**k), Y)
        (gc,) = torch.autograd.grad(Lc, wc)
        torch.testing.assert_close(grad[c], gc, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(L[c], Lc.detach(), rtol=1e-13, atol=0.0)
    kw = dict(n_beta=50.0, gamma=1.0, step_size=3e-3, chains=8, draws=200, burn_in=0, seed=0, compress=False)
    a = sample_local_posterior(m, mse, (X, Y), **kw)
    b = sample_local_posterior(m, mse, (X, Y), model_vjp=False, **kw)
    assert a.extra["oracle"] == "hand-written pullback" and b.extra["oracle"] != a.extra["oracle"]
    np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-9, atol=1e-15)
    assert np.ptp(a.loss_trace) > 0
