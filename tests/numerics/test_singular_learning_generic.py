"""The generic LLC path: any module, loss form and data form; recognised routes equal the generic one;
diagnostics in every estimate; bad input named; the degradation experiment and the toy models."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
import torch

from numerics.singular_learning import (
    QuadraticModel,
    ToyModelOfSuperposition,
    degradation_experiment,
    estimate_llc,
    modular_addition_data,
    modular_addition_mlp,
    mse,
    quadratic_data,
    sample_local_posterior,
    tms_data,
    tms_kgon,
    train_classifier,
)
from numerics.singular_learning._diagnostics import convergence
from numerics.singular_learning._target import build_posterior
from tests.slt_quiet import QUIET

pytestmark = QUIET
F64 = torch.float64


def _seq(ws, act=None, bias=False):
    layers = []
    for i, (a, b) in enumerate(zip(ws[:-1], ws[1:])):
        layers.append(torch.nn.Linear(a, b, bias=bias, dtype=F64))
        if act is not None and i < len(ws) - 2:
            layers.append(act())
    torch.manual_seed(0)
    seq = torch.nn.Sequential(*layers)
    for p in seq.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return seq


def _grads(model, loss, data, C=3, **kw):
    kw.setdefault("model_vjp", True)
    post = build_posterior(model, loss, data, n_beta=np.full(C, 10.0), gamma=1.0, chains=C, batch_size=None, device=None,
                           dtype=None, **kw)
    w = post.w0 + 0.05 * torch.randn(C, post.d, generator=torch.Generator().manual_seed(1), dtype=post.w0.dtype)
    return post, post.grads(w, None)


@pytest.mark.parametrize("act,bias,loss", [(None, False, torch.nn.MSELoss()), (torch.nn.Tanh, True, torch.nn.MSELoss()),
                                           (torch.nn.ReLU, True, mse), (torch.nn.Sigmoid, False, torch.nn.functional.mse_loss)])
def test_recognised_sequential_equals_generic_route(act, bias, loss):
    X = torch.randn(40, 4, dtype=F64)
    Y = torch.randn(40, 3, dtype=F64)
    net = _seq((4, 5, 6, 3), act, bias)
    fast, (g1, L1) = _grads(net, loss, (X, Y), model_vjp=True, compress=False)
    slow, (g2, L2) = _grads(net, loss, (X, Y), model_vjp=False)
    assert "hand-written" in fast.oracle and "vmap" in slow.oracle
    torch.testing.assert_close(L1, L2, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(g1, g2, rtol=1e-10, atol=1e-12)


def test_cross_entropy_route_equals_generic():
    X = torch.randn(30, 6, dtype=F64)
    y = torch.randint(0, 4, (30,))
    net = _seq((6, 8, 4), torch.nn.ReLU, True)
    fast, (g1, L1) = _grads(net, torch.nn.CrossEntropyLoss(), (X, y))
    slow, (g2, L2) = _grads(net, torch.nn.CrossEntropyLoss(), (X, y), model_vjp=False)
    assert "hand-written" in fast.oracle
    torch.testing.assert_close(L1, L2, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(g1, g2, rtol=1e-10, atol=1e-12)


def test_compression_keeps_gradients_and_shifts_the_loss_by_a_constant():
    X = torch.randn(200, 4, dtype=F64)
    Y = X @ torch.randn(4, 3, dtype=F64) + 0.1 * torch.randn(200, 3, dtype=F64)
    net = _seq((4, 3, 3))
    comp, (g1, L1) = _grads(net, torch.nn.MSELoss(), (X, Y))
    gen, (g2, L2) = _grads(net, torch.nn.MSELoss(), (X, Y), model_vjp=False)
    assert "compressed exactly from 200 to 4 rows" in comp.oracle and comp.n == 4
    torch.testing.assert_close(g1, g2, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(L1 + comp.loss_offset, L2, rtol=1e-10, atol=1e-12)


def test_estimates_agree_across_routes_statistically():
    X = torch.randn(500, 3, dtype=F64)
    Y = X @ torch.randn(3, 3, dtype=F64)
    net = _seq((3, 3, 3))
    with torch.no_grad():  # put w* at an exact minimum: W2 W1 = T
        T = torch.linalg.lstsq(X, Y).solution.T
        net[0].weight.copy_(torch.eye(3, dtype=F64))
        net[1].weight.copy_(T)
    kw = dict(n_beta=200.0, gamma=5.0, chains=16, draws=1500, burn_in=500, step_check=False)
    a = estimate_llc(net, mse, (X, Y), seed=0, **kw)
    b = estimate_llc(net, mse, (X, Y), seed=1, model_vjp=False, **kw)
    assert abs(a.value - b.value) < 4 * math.hypot(a.stderr, b.stderr)


def test_data_forms_give_the_same_chains():
    X = torch.randn(60, 3, dtype=F64)
    Y = torch.randn(60, 2, dtype=F64)
    net = _seq((3, 2), torch.nn.Tanh, True)
    kw = dict(n_beta=20.0, gamma=1.0, step_size=1e-3, chains=2, draws=30, burn_in=0, seed=4, batch_size=10)
    ref = sample_local_posterior(net, torch.nn.MSELoss(), (X, Y), **kw)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=10, shuffle=False)
    gen = ((X[i:i + 10], Y[i:i + 10]) for i in range(0, 60, 10))
    for data in (loader, gen, [(X[i:i + 10], Y[i:i + 10]) for i in range(0, 60, 10)]):
        got = sample_local_posterior(net, torch.nn.MSELoss(), data, **kw)
        np.testing.assert_array_equal(got.loss_trace, ref.loss_trace)
    # the loader's own batch size is the default minibatch
    got = sample_local_posterior(net, torch.nn.MSELoss(), loader, **{**kw, "batch_size": None})
    assert got.extra["batch_size"] == 10


def test_model_form_loss_multi_input_and_dict_batches():
    class Two(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(3, 2, dtype=F64)
            self.b = torch.nn.Linear(4, 2, dtype=F64)

        def forward(self, x1, x2):
            return self.a(x1) * torch.tanh(self.b(x2))

    X1, X2, Y = torch.randn(50, 3, dtype=F64), torch.randn(50, 4, dtype=F64), torch.randn(50, 2, dtype=F64)
    kw = dict(n_beta=20.0, gamma=1.0, step_size=1e-3, chains=2, draws=20, burn_in=0, seed=0, batch_size=5)
    m = Two()
    a = sample_local_posterior(m, torch.nn.MSELoss(), (X1, X2, Y), **kw)

    def loss(model, batch):
        return torch.nn.functional.mse_loss(model(batch["x1"], batch["x2"]), batch["y"])

    b = sample_local_posterior(m, loss, {"x1": X1, "x2": X2, "y": Y}, **kw)
    np.testing.assert_allclose(a.loss_trace, b.loss_trace, rtol=1e-12)
    assert "vmap" in a.extra["oracle"]


def test_parameter_subset_samples_only_those():
    net = _seq((3, 4, 2), torch.nn.Tanh, True)
    X, Y = torch.randn(40, 3, dtype=F64), torch.randn(40, 2, dtype=F64)
    run = sample_local_posterior(net, mse, (X, Y), n_beta=20.0, gamma=1.0, step_size=1e-3, chains=2, draws=10, burn_in=0,
                                 seed=0, parameters="2", snapshot_every=5)
    assert run.extra["d"] == 4 * 2 + 2 and run.extra["problem"].names == ["2.weight", "2.bias"]
    assert "vmap" in run.extra["oracle"]  # a subset takes the generic route


def test_every_estimate_carries_the_diagnostics_and_the_step_rule():
    X, Y = quadratic_data([1.0, 2.0, 4.0], 64, seed=0)
    e = estimate_llc(QuadraticModel(3), mse, (X, Y), n_beta=50.0, gamma=1.0, chains=4, draws=500, burn_in=100, seed=0)
    d = e.diagnostics
    for key in ("r_hat", "ess", "step_size", "localization_bias", "warnings", "stderr_across_chains", "llc_double_step",
                "llc_extrapolated", "route"):
        assert key in d, key
    assert e.method == "ess"
    assert d["step_size"] == pytest.approx(0.2 / (50.0 * d["hessian_max"] + 1.0))
    assert d["hessian_max"] == pytest.approx(4.0, rel=1e-6)


def test_localization_bias_is_measured_and_warned():
    # the case: a regular model at the default gamma = 100 comes out well below d/2, silently
    X, Y = quadratic_data([1.0] * 6, 1000, seed=0)
    nb = 1000 / math.log(1000)
    with pytest.warns(RuntimeWarning, match="localization gamma = 100 lowers the estimate"):
        e = estimate_llc(QuadraticModel(6), mse, (X, Y), chains=8, draws=4000, burn_in=500, seed=0)
    a = nb * 1.0
    assert e.value == pytest.approx(6 * a / (2 * (a + 100)), rel=0.05)  # 2.2 instead of 3
    b, se = e.diagnostics["localization_bias"], e.diagnostics["localization_bias_stderr"]
    assert abs(b - 6 * 100 * a / (2 * (a + 100) ** 2)) < 4 * se + 0.05  # the first-order shift of a quadratic


def test_ess_and_rhat_of_an_ar1_process():
    rng = np.random.default_rng(0)
    rho, C, T = 0.8, 4, 20000
    x = np.zeros((C, T))
    for t in range(1, T):
        x[:, t] = rho * x[:, t - 1] + rng.normal(size=C)
    c = convergence(x)
    assert c["r_hat"] < 1.01
    assert c["ess_mean"] == pytest.approx(C * T * (1 - rho) / (1 + rho), rel=0.15)


@pytest.mark.parametrize("case", ["no_trainable", "non_scalar", "empty", "exhausted", "subset", "nonfinite"])
def test_bad_input_is_named(case):
    X, Y = torch.randn(20, 3, dtype=F64), torch.randn(20, 2, dtype=F64)
    net = _seq((3, 2))
    kw = dict(n_beta=10.0, gamma=1.0, step_size=1e-3, chains=2, draws=5, burn_in=0)
    if case == "no_trainable":
        for p in net.parameters():
            p.requires_grad_(False)
        with pytest.raises(ValueError, match="no trainable parameters"):
            estimate_llc(net, mse, (X, Y), **kw)
    elif case == "non_scalar":
        with pytest.raises(ValueError, match="must return a scalar"):
            estimate_llc(net, torch.nn.MSELoss(reduction="none"), (X, Y), **kw)
    elif case == "empty":
        with pytest.raises(ValueError, match="yielded no batches"):
            estimate_llc(net, mse, [], **kw)
    elif case == "exhausted":
        gen = ((X[i:i + 5], Y[i:i + 5]) for i in range(0, 20, 5))
        list(gen)
        with pytest.raises(ValueError, match="already exhausted"):
            estimate_llc(net, mse, gen, **kw)
    elif case == "subset":
        with pytest.raises(ValueError, match="'layer9' names no parameter"):
            estimate_llc(net, mse, (X, Y), parameters="layer9", **kw)
    else:
        X[3, 1] = float("nan")
        with pytest.raises(ValueError, match=r"non-finite values .*rows \[3\]"):
            estimate_llc(net, mse, (X, Y), **kw)


def _quadratic_problem():
    X, Y = quadratic_data([1.0, 4.0], 32, seed=0)
    Xb, _ = quadratic_data([2.0, 0.5], 32, seed=1)
    zeros = torch.zeros(32, 1, dtype=F64)
    return QuadraticModel(2), (X, Y), lambda m: mse(m(Xb), zeros)


def test_degradation_experiment_curves_characteristic_temperatures_and_plot(tmp_path):
    model, data, B = _quadratic_problem()

    def acc(m):  # not vmappable (a Python float from .item()): evaluated sample by sample
        return float((m(data[0]).abs() < 0.5).double().mean().item())

    res = degradation_experiment(model, mse, data, {"B": B, "acc": acc}, [0.25, 0.5, 1.0, 2.0, 4.0], gamma=1.0, chains=16,
                                 draws=200, burn_in=100, evaluations=10, seed=0)
    c = res.curves["B"]
    assert c.value.shape == (5,) and np.all(np.diff(c.value) > 0)
    assert res.diagnostics["evaluation"] == {"B": "vmap", "acc": "loop"}
    T, lo, hi = res.characteristic["B"]
    assert lo <= T <= hi and 0.25 <= T <= 4.0
    # a quadratic behaviour: linear in T at low temperature, so it reaches half its top value near T = 2
    assert 1.0 < T < 3.0
    path = os.path.join(tmp_path, "deg.png")
    res.plot(path)
    assert os.path.getsize(path) > 1000


@pytest.mark.parametrize("case", ["decreasing", "negative", "raises", "vector"])
def test_degradation_experiment_bad_input(case):
    model, data, B = _quadratic_problem()
    kw = dict(gamma=1.0, chains=2, draws=10, burn_in=0, evaluations=2)
    if case == "decreasing":
        with pytest.raises(ValueError, match="positive and increasing"):
            degradation_experiment(model, mse, data, {"B": B}, [2.0, 1.0], **kw)
    elif case == "negative":
        with pytest.raises(ValueError, match="positive and increasing"):
            degradation_experiment(model, mse, data, {"B": B}, [-1.0, 1.0], **kw)
    elif case == "raises":
        def bad(m):
            raise KeyError("sub-task")

        with pytest.raises(RuntimeError, match="behaviour 'bad' raised KeyError at the trained parameters"):
            degradation_experiment(model, mse, data, {"bad": bad}, [1.0, 2.0], **kw)
    else:
        with pytest.raises(ValueError, match="behaviour 'vec' returned a tensor of shape"):
            degradation_experiment(model, mse, data, {"vec": lambda m: m(data[0])}, [1.0, 2.0], **kw)


def test_toy_models():
    X, Y = tms_data(6, 100, sparsity=0.9, seed=0)
    assert X.shape == (100, 6) and (X == 0).float().mean() > 0.8 and Y is X
    m = tms_kgon(5, 6, radius=1.2, bias=-0.1)
    W = m.W.detach()
    assert torch.allclose(W[:, :5].norm(dim=0), torch.full((5,), 1.2, dtype=F64)) and torch.all(W[:, 5] == 0)
    assert isinstance(ToyModelOfSuperposition(6, 2), torch.nn.Module) and m(X).shape == (100, 6)
    (Xtr, ytr), (Xte, yte) = modular_addition_data(7, train_fraction=0.5, seed=0)
    assert Xtr.shape[0] + Xte.shape[0] == 49 and Xtr.shape[1] == 14 and int(ytr.max()) < 7
    net = modular_addition_mlp(7, 32, seed=0)
    net, loss = train_classifier(net, (Xtr, ytr), steps=300, lr=1e-2, weight_decay=0.0)
    assert loss < 0.05  # memorises the training pairs


def test_generic_user_path_recognised_and_accurate():
    # nn.Sequential of bias-free nn.Linear with nn.MSELoss and minibatches: the deep linear route, compressed
    g = torch.Generator().manual_seed(0)
    X = torch.rand(2000, 3, generator=g, dtype=F64) * 2 - 1
    T = torch.randn(3, 3, generator=g, dtype=F64)
    net = _seq((3, 3, 3))
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(3, dtype=F64))
        net[1].weight.copy_(T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = estimate_llc(net, torch.nn.MSELoss(), (X, X @ T.T), gamma=1.0, chains=4, draws=3000, burn_in=1000, batch_size=100)
    assert "compressed exactly from 2000 to 3 rows" in e.diagnostics["route"]
    assert abs(e.value - 4.5) < 0.1 * 4.5  # Aoyagi's lambda of (3, 3, 3), full rank
