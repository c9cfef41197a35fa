"""Density-matrix checks: each passes, each twin fails, tolerances are derived (not hand-set), models are
defined once, spectra are compared pair by pair, and every plot is drawn."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from numerics.estimate import Estimate
from validation.check import Check
from validation.checks.density_matrix import CHECKS, _scaling
from validation.plots import plot_result

NAMES = sorted(CHECKS)
DETERMINISTIC = [n for n in NAMES if CHECKS[n].deterministic]


def _get(name: str) -> Check:
    # straight from this area's registry, so a broken module of another area cannot mask these tests
    return CHECKS[name]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes_and_every_twin_fails(name: str) -> None:
    ev = _get(name).evaluate(seed=0, alpha=1e-4)
    assert ev.result.error is None, ev.result.error
    assert ev.result.passed, (ev.result.statistic, ev.result.details)
    for twin, res in ev.twins.items():
        assert res.error is None and not res.passed, f"{name}: twin {twin} passed"


def test_only_the_born_rule_is_statistical() -> None:
    assert [n for n in NAMES if not CHECKS[n].deterministic] == ["density_matrix.born_rule"]


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_deterministic_tolerance_is_derived_and_tight(name: str) -> None:
    """The tolerance comes from the computation's error control (stated in source) and is far below the twins."""
    res = _get(name).run(seed=0)
    assert res.kind == "deterministic" and res.p_value is None
    assert res.details.get("source"), f"{name}: the tolerance must say where it comes from"
    assert 0 < res.tolerance < 1e-4
    # the measured discrepancy is a small fraction of the bound: the bound is informative, not inflated to pass
    assert res.statistic < 0.5


def test_solver_bound_tracks_the_real_error() -> None:
    """With the tolerance shrunk 1000-fold the Rabi check fails: the bound is within ~3 orders of the real error
    (so it is not a hand-set constant far above it)."""
    c = _get("density_matrix.rabi_dephasing")
    p = c.params()
    pred, est = c.predict(p), c.measure(p, 0)
    tight = Estimate(est.value, 0.0, 1, 0, 0.0, "deterministic",
                     {**est.diagnostics, "tolerance": np.asarray(est.diagnostics["tolerance"]) / 1e3})
    assert not c.compare(pred, tight, p, 1e-3).passed


def test_spectrum_is_compared_pair_by_pair() -> None:
    """Regression: prediction and measurement were sorted differently and drawn 4 units apart while they agree
    to 1e-16; now the eigenvalues are matched before comparing, whatever their order."""
    c = _get("density_matrix.liouvillian_spectrum")
    p = c.params()
    pred, est = c.predict(p), c.measure(p, 0)
    perm = np.arange(len(est.value))[::-1]
    shuffled = Estimate(np.asarray(est.value)[perm], 0.0, 1, 0, 0.0, "deterministic",
                        {**est.diagnostics, "tolerance": np.asarray(est.diagnostics["tolerance"])[perm]})
    cmp = c.compare(pred, shuffled, p, 1e-3)
    assert cmp.passed
    a, b = np.asarray(cmp.details["matched_prediction"]), np.asarray(cmp.details["matched_measurement"])
    assert np.abs(a - b).max() < 1e-12


def test_scaling_tolerance_comes_from_the_series_remainder() -> None:
    c = _get("density_matrix.strong_dephasing_scaling")
    p = c.params()
    pred = c.predict(p)
    assert pred.value == 2.0
    assert pred.extra["corrections"] == (2.0, 4.0, 6.0, 8.0)
    rem = pred.extra["remainder"]
    assert np.all(np.diff(rem) > 0) and rem[-1] < 1e-6  # the remainder grows with x and stays small
    # with fewer fitted corrections the remainder (hence the tolerance) grows: it is derived, not chosen
    fewer = _scaling._scaling_predict({**p, "corrections": 2})
    assert fewer.extra["remainder"][-1] > 100 * rem[-1]
    res = c.run(seed=0)
    assert res.passed and res.tolerance < 1e-3


def test_scaling_rejects_a_wrong_classical_rate_law() -> None:
    """A classical chain with rates 3% off leaves an O(1) error: the measured exponent is far from 2."""
    c = _get("density_matrix.strong_dephasing_scaling")
    p = c.params()
    est = c.measure(p, 0)
    import validation.systems._lindblad as L

    orig = L.dimer_classical_rate
    try:
        _scaling.dimer_classical_rate = lambda m: orig(m) * 1.03  # type: ignore[assignment]
        wrong = c.measure(p, 0)
    finally:
        _scaling.dimer_classical_rate = orig  # type: ignore[assignment]
    assert not c.compare(c.predict(p), wrong, p, 1e-3).passed
    assert c.compare(c.predict(p), est, p, 1e-3).passed


def test_born_rule_seeds_reproducible() -> None:
    c = _get("density_matrix.born_rule")
    a, b = c.run(seed=3), c.run(seed=3)
    assert a.statistic == b.statistic


def test_one_model_definition() -> None:
    """predict and measure read the same system: the measured Hamiltonian is the rounded sympy one."""
    from validation.systems._lindblad import rabi_dephasing, to_numpy

    m = rabi_dephasing(2.0, 0.5)
    H, Ls, rho0 = m.numeric()
    np.testing.assert_array_equal(H, to_numpy(m.H))
    np.testing.assert_array_equal(Ls[0], np.diag([0.5, -0.5]))
    assert m.input_error(0.0) >= 0 and m.input_error(10.0) > m.input_error(0.0)


@pytest.mark.parametrize("name", NAMES)
def test_plot_is_drawn(name: str, tmp_path: Any) -> None:
    c = _get(name)
    res = c.run(seed=0)
    path = plot_result(res, c, str(tmp_path))
    assert path is not None and os.path.getsize(path) > 10_000


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_check_full_passes(name: str) -> None:
    ev = _get(name).evaluate(mode="full", seed=1, alpha=1e-4)
    assert ev.result.error is None, ev.result.error
    assert ev.result.passed
    assert all(not r.passed for r in ev.twins.values())
