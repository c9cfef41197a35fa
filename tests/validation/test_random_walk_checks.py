"""random_walk checks: the correct theory passes, the twins fail, and the drift-dominated regime is rejected."""

import numpy as np
import pytest

from theory.random_walk import drift_ratios, explained_variance_ratio_limit
from theory.wide_networks import ntk_kernel
from validation.check import Prediction, all_checks, get_check
from validation.checks.random_walk import _sgd
from validation.runner import family_alpha

ALPHA = family_alpha(all_checks())
NAMES = ["random_walk.variance_ratios", "random_walk.cosine_overlap", "random_walk.sgd_trajectory"]


def _verdicts(name: str, seed: int = 0) -> tuple[bool, dict[str, bool]]:
    ev = get_check(name).evaluate(seed=seed, alpha=ALPHA)  # one measurement, the theory and every twin
    assert ev.result.error is None, ev.result.error
    return ev.result.passed, {k: r.passed for k, r in ev.twins.items()}


@pytest.mark.parametrize("name", NAMES[:2])
def test_walk_checks_pass_and_falsify(name: str) -> None:
    ok, twins = _verdicts(name)
    assert ok
    assert twins and not any(twins.values())


def test_variance_ratios_limit_formula_is_rejected_at_small_T() -> None:
    """6/(pi^2 k^2) (the T -> inf limit) is detectably wrong for T = 8."""
    c = get_check("random_walk.variance_ratios")
    p = c.params("quick", {"T": 8, "components": 2})
    r = c.run(p, predict=lambda q: Prediction(explained_variance_ratio_limit(2), 0.0), seed=1)
    assert r.error is None and not r.passed


def test_sgd_noise_regime_matches_the_random_walk_and_twins_fail() -> None:
    ok, twins = _verdicts("random_walk.sgd_trajectory", seed=5)
    assert ok
    assert set(twins) == {"ratios_x1.04", "ratios_x0.96"} and not any(twins.values())


def test_sgd_budgets_are_small_and_stated() -> None:
    c = get_check("random_walk.sgd_trajectory")
    pred = c.predict(c.params())
    ex = pred.extra
    assert ex["linearization"] < 1e-4  # lr = 1e-14 makes the curvature term negligible
    np.testing.assert_allclose(pred.truncation, np.add(ex["drift_budget"], ex["curvature_budget"]))
    assert np.all(pred.truncation < 0.04 * pred.value)  # a 4 % error is outside the budget


def test_sgd_realized_noise_labels_are_inside_the_drift_bound_and_signal_labels_are_not() -> None:
    """The Bonami bound on rho = y^T Theta y / sum y_i^2 Theta_ii holds for the quick set's random signs
    and is broken by labels that depend on the inputs (the drift-dominated regime)."""
    c = get_check("random_walk.sgd_trajectory")
    p = c.params()
    mlp, X, Y = _sgd._system(p)
    th = ntk_kernel(X, X, *mlp.kernel_args)
    rho = lambda y: float(y @ th @ y / (y**2 @ np.diag(th)))  # noqa: E731
    rho_max = c.predict(p).extra["rho_max"]
    assert rho(Y) < rho_max
    _, _, Ys = _sgd._system({**p, "labels": "signal"})
    assert rho(Ys) > 1.5 * rho_max


def test_sgd_drift_dominated_regime_fails() -> None:
    """Labels that are a function of the inputs (sign of x_1) give SGD a drift beyond the noise-regime bound:
    the trajectory is not a random walk and the check fails (negative control)."""
    c = get_check("random_walk.sgd_trajectory")
    r = c.run({"labels": "signal", "batch_size": 64, "members": 128}, seed=0, alpha=ALPHA)
    assert r.error is None and not r.passed


def test_sgd_drift_theory_predicts_the_drift_dominated_trajectory() -> None:
    """Independent check of the drift algebra: with the realized drift ratio beta = B rho/(N - rho) of the
    signal labels, the exact ratios of the expected Gram matrix M + beta c c^T match the pooled measurement."""
    c = get_check("random_walk.sgd_trajectory")
    p = c.params(overrides={"labels": "signal", "batch_size": 64, "members": 128})
    mlp, X, Y = _sgd._system(p)
    th = ntk_kernel(X, X, *mlp.kernel_args)
    rho = float(Y @ th @ Y / (Y**2 @ np.diag(th)))
    beta = p["batch_size"] * rho / (X.shape[0] - rho)
    est = c.measure(p, 3)
    want = drift_ratios(p["steps"] + 1, beta, p["components"])
    z = (est.value - want) / est.stderr
    assert np.all(np.abs(z) < 4.5), z
    assert abs(want[0] - c.predict(p).value[0]) > 10 * est.stderr[0]  # far from the driftless walk


def test_unknown_label_mode() -> None:
    c = get_check("random_walk.sgd_trajectory")
    with pytest.raises(ValueError, match="labels"):
        c.run({"labels": "bogus"}, catch=False)


def test_pooled_estimator_used_by_the_check_is_unbiased_where_the_mean_of_ratios_is_not() -> None:
    """Regression for the old estimator (the mean over networks of each network's ratios): for narrow
    networks (few effective dimensions each) it is biased by many standard errors, while the pooled
    jackknife is not."""
    c = get_check("random_walk.sgd_trajectory")
    p = c.params(overrides={"width": 4})
    est, pred = c.measure(p, 11), c.predict(p)
    assert est.method == "jackknife" and est.diagnostics["axis"] == [1, 2, 3]
    assert np.all(np.abs(est.value - pred.value) < 4.5 * est.stderr + pred.truncation)
    old, old_se = np.array(est.diagnostics["per_network_mean"]), np.array(est.diagnostics["per_network_stderr"])
    assert old[0] - pred.value[0] > 5 * old_se[0] + pred.truncation[0]
