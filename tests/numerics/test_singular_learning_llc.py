"""The LLC estimator and the degradation sweep: exact Gaussian values, screening of chains, and the
silent wrong answers it now refuses (stuck MALA chains, a start that is not a minimum)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from numerics.singular_learning import (
    DeepLinearNetwork,
    NormalCrossingModel,
    QuadraticModel,
    deep_linear_teacher_student,
    degradation_sweep,
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


def test_degradation_sweep_shapes():
    m, data = _quad((1.0, 2.0))
    e = degradation_sweep(m, mse, data, [10.0, 20.0, 40.0], gamma=0.0, step_size=1e-3, chains=32, draws=200, burn_in=200, seed=0)
    assert e.value.shape == (3,) and np.all(e.value > 0)
    # quadratic, gamma = 0: E[L - L*] = d/(2 n beta) / (1 - eps A/4) -> decreasing like 1/(n beta)
    assert np.all(np.diff(e.value) < 0)
    np.testing.assert_allclose(e.diagnostics["llc"], 1.0, atol=6 * e.diagnostics["llc_stderr"].max() + 0.05)


# ------------------------------------------------------------------ silent wrong answers, refused


def test_mala_with_every_proposal_rejected_raises_with_the_remedy():
    # was: 0 +- 0 (acceptance 1e-8 .. 1e-135, no warning) on a model whose LLC is 1.49
    X, Y = quadratic_data([1.0, 2.0, 4.0], 64, seed=0)
    with pytest.raises(RuntimeError, match="did not move.*lower step_size"):
        estimate_llc(QuadraticModel(3), mse, (X, Y), n_beta=100.0, gamma=1.0, step_size=0.5, chains=8, draws=100, burn_in=10,
                     sampler="mala", seed=0, bias_diagnostic=False)
    # the same model at a sane step: the exact MALA value sum n beta h / (2A) = 1.49
    e = estimate_llc(QuadraticModel(3), mse, (X, Y), n_beta=100.0, gamma=1.0, step_size=0.004, chains=256, draws=300,
                     burn_in=50, sampler="mala", seed=0, bias_diagnostic=False)
    h = np.array([1.0, 2.0, 4.0])
    assert abs(e.value - np.sum(100 * h / (2 * (100 * h + 1)))) < 4.5 * e.stderr


def test_mala_low_acceptance_warns():
    X, Y = quadratic_data([1.0, 2.0, 4.0], 64, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = estimate_llc(QuadraticModel(3), mse, (X, Y), n_beta=100.0, gamma=1.0, step_size=0.03, chains=16, draws=100,
                         burn_in=10, sampler="mala", seed=0, bias_diagnostic=False)
    text = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("is low" in t and "lower step_size" in t for t in text), text
    assert any("never moved" in t for t in text)  # chains that never moved are named and excluded
    assert e.samples == len(e.diagnostics["llc_per_chain"]) < 16


def test_start_that_is_not_a_minimum_is_named_as_such_not_as_divergence():
    # was: "SGLD diverged ...: step_size too large" (the loss fell far below L(w*) and the
    # divergence test used |L - L*|)
    _, data = deep_linear_teacher_student((3, 3, 3), 3, 200, seed=0)
    untrained = DeepLinearNetwork((3, 3, 3), init_scale=0.5, seed=3)
    with pytest.raises(ValueError, match="not a local minimum.*train the model") as info:
        estimate_llc(untrained, mse, data, n_beta=1e4, gamma=1.0, step_size=1e-5, chains=8, draws=500, burn_in=100, seed=0,
                     bias_diagnostic=False)
    assert "step_size" not in str(info.value).split("(this")[0]
    run = sample_local_posterior(untrained, mse, data, n_beta=1e4, gamma=1.0, step_size=1e-5, chains=8, draws=500, burn_in=100,
                                 seed=0)
    assert run.descended.all() and not run.diverged.any() and run.extra["grad_norm"] > 1e-2
    with pytest.raises(ValueError, match="not a local minimum"):
        degradation_sweep(untrained, mse, data, [1e4, 2e4], gamma=1.0, step_size=1e-5, chains=2, draws=200, burn_in=50, seed=0)


def test_start_off_the_minimum_by_a_little_warns_through_the_gradient():
    # w* = 0.05 away from the minimum of a quadratic: the chains do not fall far (no descent
    # flag) but the estimate is 0.73 instead of 0.99; the gradient at w* says so
    m, data = _quad((1.0, 2.0))
    with torch.no_grad():
        m.w.fill_(0.05)
    with pytest.warns(RuntimeWarning, match="not a stationary point"):
        e = estimate_llc(m, mse, data, n_beta=100.0, gamma=1.0, step_size=1e-3, chains=8, draws=500, burn_in=100, seed=0,
                         bias_diagnostic=False)
    assert e.diagnostics["grad_norm"] == pytest.approx(math.hypot(0.05, 0.1), rel=1e-10)
    assert e.diagnostics["gradient_shift_bound"] > 1.0


def test_trained_network_does_not_warn():
    # the default step (from the measured curvature) and a run long enough for R-hat and ESS: no warning
    net, data = deep_linear_teacher_student((3, 3, 3), 3, 200, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = estimate_llc(net, mse, data, n_beta=2000.0, gamma=1.0, chains=4, draws=2000, burn_in=1000, seed=0)
    d = e.diagnostics
    assert d["warnings"] == [] and d["dof"] == 3
    assert d["gradient_shift_bound"] < 1e-6
    assert d["r_hat"] < 1.01 and d["ess"] > 400 and d["step_rule"].startswith("0.2")
    assert abs(e.value - 4.5) < 0.1 * 4.5  # Aoyagi's lambda of (3, 3, 3), r = 3


def test_degradation_sweep_replicates():
    m, data = _quad((1.0, 2.0))
    e = degradation_sweep(m, mse, data, [10.0, 40.0], gamma=1.0, step_size=1e-3, chains=6, draws=100, burn_in=100, seed=1)
    E = e.diagnostics["excess_per_chain"]
    assert E.shape == (2, 6) and not np.isnan(E).any()
    np.testing.assert_allclose(E.mean(1), e.value, rtol=1e-12)
    np.testing.assert_allclose(e.diagnostics["axis"], [0.1, 0.025])
    np.testing.assert_array_equal(e.diagnostics["dof"], [5, 5])
