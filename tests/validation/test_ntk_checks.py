"""ntk checks: declared learning rate below the stability limit, one network for both sides, the
exponent fit on the raw quantity, and the plots.  (Twins and the correct theory at several seeds are
judged by tests/validation/test_check_contract.py.)"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
import torch

from numerics.ntk import MLPSpec
from theory.ntk import ntk_stability_limit
from validation.check import get_check
from validation.checks.ntk._common import data, network, spec
from validation.checks.ntk._fit import compare_exponent, exponent_budget, fit_raw_power_law
from validation.plots import plot_result

NAMES = ("ntk.init_mean", "ntk.init_fluctuations", "ntk.trained_scaling")


@pytest.mark.parametrize("mode", ["quick", "full"])
def test_learning_rate_is_half_the_stability_limit(mode: str) -> None:
    """The declared lr of ntk.trained_scaling is the stated fraction (0.5) of 2/lambda_max(Theta_XX),
    recomputed from the theory for the declared network and data, hence below the limit."""
    c = get_check("ntk.trained_scaling")
    p = c.params(mode)
    X, _, _ = data(p, int(p["n_test"]))
    mlp = network(p, 1)
    limit = ntk_stability_limit(X, *mlp.kernel_args, parameterization=mlp.parameterization)
    assert p["lr"] < limit
    assert p["lr"] / limit == pytest.approx(0.5, abs=0.005)


@pytest.mark.parametrize("name", NAMES)
def test_predict_and_measure_read_one_network(name: str) -> None:
    """The torch architecture is built from the MLP system's fields (NTK parameterisation)."""
    p = get_check(name).params()
    mlp = network(p, 24)
    s = spec(mlp)
    assert isinstance(s, MLPSpec)
    assert (s.in_dim, s.hidden_widths, s.activation, s.parameterization) == \
        (mlp.in_dim, mlp.hidden_widths, mlp.activation, "ntk")
    assert s.weight_variances == mlp.weight_variances and s.bias_variances == mlp.bias_variances
    assert mlp.kernel_args == (p["activation"], tuple(p["weight_variances"]),
                               (float(p["bias_variances"]),) * len(p["weight_variances"]))


def test_leaky_relu_network_is_accepted_by_both_sides() -> None:
    p = {**get_check("ntk.init_mean").params(), "activation": ("leaky_relu", 0.2)}
    s = spec(network(p, 8))
    params = s.init(2, seed=0, dtype=torch.float64)
    assert s.apply(params, torch.zeros(3, 2, dtype=torch.float64)).shape == (2, 3)


def _synthetic(s: float, scale: float, rng: np.random.Generator, x: np.ndarray,
               rel: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    truth = scale * x ** (2 * s)
    err = rel * truth
    return truth + err * rng.normal(size=x.size), err**2


def test_raw_power_fit_recovers_the_exponent_and_is_calibrated() -> None:
    rng = np.random.default_rng(0)
    x = np.array([16.0, 32, 64, 128, 256])
    rejections, slopes = 0, []
    for _ in range(200):
        y, var = _synthetic(-1.0, 3.0, rng, x)
        cmp = compare_exponent(-1.0, x, y, var, q=2.0, corrections=(), alpha=0.05, labels=("n", "T"))
        rejections += not cmp.passed
        slopes.append(cmp.details["slope"])
    assert abs(np.mean(slopes) + 1.0) < 0.01
    assert rejections / 200 < 0.05 + 3 * np.sqrt(0.05 * 0.95 / 200)


def test_unresolved_or_negative_deviation_is_a_p_value_not_a_hard_fail() -> None:
    """Regression (issue 12): a debiased squared deviation at or below zero at one width used to be a hard
    FAIL with p = 0 ("deviation not resolved above noise"); it is now one more data point of the fit."""
    x = np.array([16.0, 32, 64, 128, 256])
    truth = 4.0 * x**-2.0
    err = np.array([0.1, 0.1, 0.1, 0.1, 1.2]) * truth
    y = truth.copy()
    y[-1] = -0.2 * truth[-1]  # noise pushed it below zero
    cmp = compare_exponent(-1.0, x, y, err**2, q=2.0, corrections=(), alpha=1e-4, labels=("n", "T"))
    assert cmp.p_value is not None and 0.0 < cmp.p_value <= 1.0 and cmp.passed
    assert np.isfinite(cmp.details["slope"])


def test_budget_widens_the_null_and_matches_the_small_correction_slope() -> None:
    x = np.array([16.0, 32, 64, 128, 256])
    b = exponent_budget(x, 2.0, -1.0, 1.0)
    lx = np.log(x)
    small = abs(np.polyfit(lx, 1.0 / x, 1)[0]) / 2.0  # d(slope)/dc for a relative correction c/x, q = 2
    assert b == pytest.approx(small, rel=0.1)
    # data exactly x^(2(s0 + b/2)) pass with the budget b and fail without it at high precision
    y = x ** (2 * (-1.0 + 0.5 * b))
    var = (1e-3 * y) ** 2
    assert compare_exponent(-1.0, x, y, var, q=2.0, corrections=(), alpha=1e-4, labels=("n", "T"), budget=b).passed
    assert not compare_exponent(-1.0, x, y, var, q=2.0, corrections=(), alpha=1e-4, labels=("n", "T")).passed
    with pytest.raises(ValueError, match="correction_bound"):
        exponent_budget(x, 2.0, -1.0, 20.0)


def test_fit_with_a_correction_term() -> None:
    x = np.geomspace(8, 1024, 8)
    y = 2.0 * x**-1.0 * (1 - 3.0 / x)
    fit = fit_raw_power_law(x, y, (1e-4 * y) ** 2, q=2.0, corrections=(-1.0,))
    assert fit.exponent == pytest.approx(-0.5, abs=1e-4)
    np.testing.assert_allclose(fit.curve(x), y, rtol=1e-6)


@pytest.mark.parametrize("name,over", [("ntk.init_fluctuations", {"widths": (8, 16, 32), "members": 50}),
                                       ("ntk.init_mean", {"members": 200})])
def test_plots_name_axes_and_verdict(name: str, over: dict[str, Any], tmp_path: Any) -> None:
    c = get_check(name)
    r = c.run(over, seed=1)
    path = plot_result(r, c, str(tmp_path))
    assert path is not None and os.path.getsize(path) > 1000
    if c.plot is not None:
        assert "hidden width" in r.details["x_label"] and "dimensionless" in r.details["y_label"]
