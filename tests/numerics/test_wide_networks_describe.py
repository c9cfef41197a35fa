"""numerics.wide_networks: reading a user's torch MLP (architecture, measured laws, iid tests), the law
sampler, and the fast described-law route against the module route (two-sample tests)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from numerics.wide_networks import (
    describe_module,
    mlp_ensemble_outputs,
    mlp_ensemble_sample,
    module_ensemble_outputs,
    param_law,
    sample_law,
)

torch.set_num_threads(1)
nn = torch.nn


def default_net(d: int = 10, n: int = 64, act: type = nn.Tanh) -> nn.Module:
    return nn.Sequential(nn.Linear(d, n), act(), nn.Linear(n, n), act(), nn.Linear(n, 1))


def gaussian_net() -> nn.Module:
    m = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    for lin in (m[0], m[2], m[4]):
        nn.init.normal_(lin.weight, std=math.sqrt(1.5 / lin.in_features))
        nn.init.normal_(lin.bias, std=math.sqrt(0.1))
    return m


def test_default_init_is_uniform_with_torch_variances() -> None:
    d = describe_module(default_net)
    assert d.in_dim == 10 and d.hidden_widths == (64, 64) and d.activation == "tanh"
    for lay in d.layers:
        assert lay.weight.law_name == "uniform" and lay.bias.law_name == "uniform"
        assert lay.weight.kurtosis == pytest.approx(-1.2, abs=5 * lay.weight.kurtosis_se)
        assert lay.weight.iid_p_value > 1e-6
    np.testing.assert_allclose(d.weight_variances, 1 / 3, rtol=1e-4)  # kaiming_uniform(a = sqrt 5): 1/(3 fan_in)
    np.testing.assert_allclose(d.bias_variances, [1 / 30, 1 / 192, 1 / 192], rtol=3e-3)


def test_gaussian_rademacher_measured_laws() -> None:
    d = describe_module(gaussian_net)
    assert {lay.weight.law_name for lay in d.layers} == {"gaussian"}
    np.testing.assert_allclose(d.weight_variances, 1.5, rtol=0.02)

    def rademacher() -> nn.Module:
        m = default_net(4, 8)
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randint(0, 2, p.shape).float() * 2 - 1).mul_(0.3)
        return m

    d = describe_module(rademacher)
    assert {lay.weight.law_name for lay in d.layers} == {"rademacher"}
    assert d.layers[0].weight.variance == pytest.approx(0.09, rel=1e-6)

    def truncated() -> nn.Module:
        m = default_net(4, 8)
        for lin in (m[0], m[2], m[4]):
            nn.init.trunc_normal_(lin.weight, std=0.5, a=-0.6, b=0.6)
        return m

    d = describe_module(truncated)
    assert d.layers[1].weight.law_name == "measured" and d.layers[1].weight.law.kurtosis < -0.5


def test_zero_bias_and_no_bias() -> None:
    def f() -> nn.Module:
        m = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1, bias=False))
        nn.init.zeros_(m[0].bias)
        return m

    d = describe_module(f)
    assert d.layers[0].bias.law_name == "zero" and d.layers[1].bias is None and d.bias_variances == (0.0, 0.0)


@pytest.mark.parametrize("init, match", [(nn.init.orthogonal_, "not iid"), ("rows", "not iid"), ("mean", "mean"),
                                         ("const", "constant")])
def test_non_iid_or_non_centred_parameters_are_refused(init, match) -> None:
    def f() -> nn.Module:
        m = default_net(8, 16)
        with torch.no_grad():
            if init == "rows":
                m[2].weight.mul_(torch.linspace(0.5, 2.0, 16)[:, None])
            elif init == "mean":
                m[2].bias.add_(0.5)
            elif init == "const":
                m[2].bias.fill_(0.1)
            else:
                init(m[2].weight)
        return m

    with pytest.raises(ValueError, match=match):
        describe_module(f)


class _Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(x + torch.tanh(self.a(x)))


class _Traced(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(4, 8), nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(torch.nn.functional.relu(self.a(x)))


class _Cube(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * x * x


class _Softmax(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=-1)


@pytest.mark.parametrize("make, match", [
    (lambda: nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1)), "BatchNorm1d"),
    (lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.1), nn.Linear(8, 1)), "Dropout"),
    (lambda: nn.Sequential(nn.Conv1d(1, 2, 3), nn.Tanh(), nn.Linear(8, 1)), "Conv1d"),
    (lambda: nn.Sequential(nn.Linear(4, 8), _Softmax(), nn.Linear(8, 1)), "not an elementwise"),
    (lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1)), "different activations"),
    (lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid()), "after the last"),
    (lambda: nn.Sequential(nn.Linear(4, 1)), "at least two"),
    (_Residual, "residual"),
])
def test_unsupported_architectures_are_named(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        describe_module(make, max_modules=4, min_modules=2)


def test_traced_module_and_user_elementwise_activation() -> None:
    d = describe_module(_Traced, min_modules=2, max_modules=40)
    assert d.activation == "relu" and d.hidden_widths == (8,)
    d = describe_module(lambda: nn.Sequential(nn.Linear(4, 8), _Cube(), nn.Linear(8, 1)), max_modules=40)
    z = torch.linspace(-2, 2, 5)
    assert torch.allclose(d.activation(z), z ** 3)


def test_bad_factories() -> None:
    with pytest.raises(TypeError, match="callable"):
        describe_module("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nn.Module"):
        describe_module(lambda: 3)  # type: ignore[arg-type, return-value]
    fixed = default_net(4, 8)
    with pytest.raises(ValueError, match="same parameters"):
        describe_module(lambda: fixed, min_modules=2, max_modules=4)
    sizes = iter([8, 8, 9] * 50)
    with pytest.raises(ValueError, match="different architecture"):
        describe_module(lambda: default_net(4, next(sizes)), max_modules=40)
    with pytest.raises(ValueError, match="dimension 5"):
        describe_module(default_net, in_dim=5)


@pytest.mark.parametrize("spec, kurt", [("gaussian", 0.0), ("uniform", -1.2), ("rademacher", -2.0),
                                        (("student_t", 12.0), 0.75)])
def test_sample_law_moments(spec, kurt) -> None:
    g = torch.Generator().manual_seed(0)
    x = sample_law(param_law(spec), torch.empty(400_000, dtype=torch.float64), g).numpy()
    assert abs(x.mean()) < 5 / math.sqrt(x.size) and (x * x).mean() == pytest.approx(1.0, abs=0.01)
    assert (x ** 4).mean() - 3 == pytest.approx(kurt, abs=0.08 if kurt > 0 else 0.02)


def test_sample_conditional_moments_are_exact_given_the_last_hidden_layer() -> None:
    """E z^2 = E Sigma and E z^4 = E[3 Sigma^2 + Q] with uniform last-layer parameters (raw vs conditional)."""
    X = np.random.default_rng(0).normal(size=(2, 3))
    s = mlp_ensemble_sample(X, [4], "tanh", [1.5, 2.0], [0.1, 0.5], ensemble_size=200_000, seed=1,
                            weight_laws="uniform", bias_laws="uniform")
    z = s.outputs[:, 0]
    S, Q = s.conditional_covariance[:, 0, 0], s.conditional_fourth_cumulant[:, 0]
    assert abs((z ** 2).mean() - S.mean()) < 5 * (z ** 2).std() / math.sqrt(z.size)
    assert abs((z ** 4).mean() - (3 * S * S + Q).mean()) < 5 * (z ** 4).std() / math.sqrt(z.size)
    g = mlp_ensemble_sample(X, [4], "tanh", [1.5, 2.0], [0.1, 0.5], ensemble_size=2000, seed=1)
    assert np.all(g.conditional_fourth_cumulant == 0.0)


def test_fast_route_matches_module_route_default_and_gaussian_init() -> None:
    """Two-sample tests: outputs of the factory's modules against the described-law batched ensemble."""
    X = np.random.default_rng(3).normal(size=(2, 3))
    for factory in (lambda: default_net(3, 16), gaussian_net):
        d = describe_module(factory)
        laws_w = [lay.weight.law.spec for lay in d.layers]
        laws_b = [lay.bias.law.spec for lay in d.layers]
        fast = mlp_ensemble_outputs(X, list(d.hidden_widths), d.activation, list(d.weight_variances),
                                    list(d.bias_variances), ensemble_size=20_000, seed=5, weight_laws=laws_w,
                                    bias_laws=laws_b, device="cpu", dtype=torch.float64)
        slow = module_ensemble_outputs(factory, X, ensemble_size=6000, seed=6, device="cpu")
        for a in range(2):
            assert stats.ks_2samp(fast[:, a], slow[:, a]).pvalue > 1e-3
            f4, s4 = fast[:, a] ** 2, slow[:, a] ** 2
            z = (f4.mean() - s4.mean()) / math.sqrt(f4.var() / f4.size + s4.var() / s4.size)
            assert abs(z) < 4


def test_function_space_refuses_non_gaussian_laws() -> None:
    with pytest.raises(ValueError, match="Gaussian"):
        mlp_ensemble_outputs(np.ones((1, 2)), [4], "tanh", 1.0, 0.0, ensemble_size=4, seed=0,
                             method="function_space", weight_laws="uniform")
