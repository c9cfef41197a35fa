"""Singular-learning checks: each passes with a fixed seed, rejects its twins on the same measurement,
and its statistics are what the module docstrings say (t across chains / replicates)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import validation.checks.singular_learning  # noqa: F401  (registers the checks)
from theory.singular_learning import rlct_deep_linear
from validation.check import Prediction, get_check
from validation.plots import plot_result

NAMES = ["singular_learning.normal_crossing", "singular_learning.sgld_step_bias", "singular_learning.deep_linear",
         "singular_learning.degradation", "singular_learning.degradation_exponent"]
ALPHA = 1e-4  # below the suite's alpha, as the twins are sized for


@pytest.fixture(scope="module")
def evaluations():
    out = {}
    for name in NAMES:
        ev = get_check(name).evaluate(seed=5, alpha=ALPHA, catch=False)
        out[name] = ev
    return out


@pytest.mark.parametrize("name", NAMES)
def test_passes_and_rejects_every_twin(evaluations, name):
    ev = evaluations[name]
    assert ev.result.passed, (ev.result.statistic, ev.result.p_value)
    assert ev.result.rule == "point-t"  # Student t, never a normal z over a handful of chains
    for twin, res in ev.twins.items():
        assert not res.passed, f"{name}: twin {twin} passed (p = {res.p_value})"


def test_dof_is_chains_minus_one(evaluations):
    for name in NAMES:
        est = evaluations[name].result.raw["estimate"]
        p = get_check(name).quick
        np.testing.assert_array_equal(np.atleast_1d(est.diagnostics["dof"]), p["chains"] - 1)


def test_degradation_slope_is_the_mean_per_replicate_llc(evaluations):
    est = evaluations["singular_learning.degradation"].result.raw["estimate"]
    d = est.diagnostics
    slopes = d["slope_per_replicate"]
    assert slopes.size == get_check("singular_learning.degradation").quick["chains"]
    assert est.value == pytest.approx(slopes.mean(), rel=1e-12)
    assert est.stderr == pytest.approx(slopes.std(ddof=1) / np.sqrt(slopes.size), rel=1e-12)
    # the WLS slope (weights 1/x^2) of the mean curve is the same number
    x, y = d["x"], d["y"]
    w = 1 / x**2
    assert est.value == pytest.approx(float(np.sum(w * x * y) / np.sum(w * x * x)), rel=1e-10)


def test_exponent_jackknife(evaluations):
    est = evaluations["singular_learning.degradation_exponent"].result.raw["estimate"]
    loo = est.diagnostics["exponent_leave_one_out"]
    R = loo.size
    assert est.stderr == pytest.approx(np.sqrt((R - 1) / R * np.sum((loo - loo.mean()) ** 2)), rel=1e-12)
    x, y = est.diagnostics["x"], est.diagnostics["y"]
    assert est.value == pytest.approx(np.polyfit(np.log(x), np.log(y), 1)[0], rel=1e-10)
    pred = get_check("singular_learning.degradation_exponent").predict(get_check("singular_learning.degradation_exponent").quick)
    assert 0 < pred.truncation < 0.02  # the step-size budget on the exponent


def test_deep_linear_extrapolation_and_its_budget(evaluations):
    chk = get_check("singular_learning.deep_linear")
    est = evaluations[chk.name].result.raw["estimate"]
    q = chk.quick["step_scale"] / 4
    np.testing.assert_allclose(est.diagnostics["step_size_bias"], 2 * q * q / ((1 - q) * (1 - 2 * q)))
    # the first-order bias at the step is about 2% upwards for (3, 3, 3); the extrapolation removes it
    lam = np.array([float(rlct_deep_linear(w, r)[0]) for w, r in chk.quick["networks"]])
    assert est.diagnostics["llc_at_step"][0] > est.value[0]
    # a prediction many standard errors away fails
    far = Prediction(lam + 12 * np.asarray(est.stderr))
    assert not chk.compare(far, est, chk.quick, ALPHA).passed


def test_extrapolation_is_exact_on_a_quadratic_direction():
    # the residual of 2/(1-x) - 1/(1-2x) is -2x^2/((1-x)(1-2x)): the budget formula
    from validation.systems import DeepLinearTeacherStudent

    s = DeepLinearTeacherStudent((3, 3, 3), 3, 10, 1.0, 0.08)
    x = 0.08 / 4
    assert 1 - (2 / (1 - x) - 1 / (1 - 2 * x)) == pytest.approx(s.extrapolated_bias, rel=1e-12)
    assert s.step_size_bias == pytest.approx(x / (1 - x), rel=1e-12)


@pytest.mark.parametrize("name", ["singular_learning.degradation", "singular_learning.degradation_exponent"])
def test_custom_plot(evaluations, name, tmp_path):
    path = plot_result(evaluations[name].result, get_check(name), str(tmp_path))
    assert path is not None and os.path.getsize(path) > 1000


def test_schema_rejects_bad_parameters():
    chk = get_check("singular_learning.deep_linear")
    with pytest.raises(ValueError, match="rank"):
        chk.params(overrides={"networks": (((3, 2, 3), 3),)})
    with pytest.raises(TypeError, match="networks"):
        chk.params(overrides={"networks": "abc"})
    with pytest.raises(ValueError, match="chains"):
        get_check("singular_learning.normal_crossing").params(overrides={"chains": 1})


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_full_mode_passes(name):
    assert get_check(name).run(mode="full", seed=0, catch=False).passed


@pytest.mark.parametrize("k, sigma", [(5, 0), (5, 1), (6, 0)])
def test_tms_kgon_system_is_a_critical_point_of_the_predicted_rank(k, sigma):
    """The derivation's assumption: at the polished k-gon the Hessian has rank 3k - 1 + 3 sigma, all positive."""
    from validation.systems import TmsKgonSystem

    _, data, info = TmsKgonSystem(k, 6, sigma, 3000, 0.9).build(7)
    ev = info["hessian_eigenvalues"]
    assert info["grad_norm"] < 1e-12
    curved = ev > 1e-6 * ev.max()
    assert int(curved.sum()) == 3 * k - 1 + 3 * sigma
    assert np.all(np.abs(ev[~curved]) < 1e-10 * ev.max())  # the rest exactly flat (no negative curvature)
    assert bool(((data[0] > 0).sum(1) == 1).all())  # one-hot rows only
