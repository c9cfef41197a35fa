"""The Edgeworth checks beyond the contract test (tests/validation/test_check_contract.py covers their twins,
schemas and the measure/theory separation): the summand system is one definition, the per-bin chi-square is
calibrated and conservative, the Richardson tolerance covers the extrapolation error, the displays are right
and every plot draws."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from scipy import stats

from validation.check import get_check
from validation.checks.edgeworth import CHECKS
from validation.checks.edgeworth._binned import bin_budget, compare_binned
from validation.checks.edgeworth._scaling import extrapolated_slopes
from validation.plots import plot_result
from validation.systems import SUMMANDS

# ----------------------------------------------------------------------------- the system


@pytest.mark.parametrize("key", sorted(SUMMANDS))
def test_summand_is_one_definition_for_theory_and_measurement(key: str) -> None:
    s = SUMMANDS[key]
    k = s.float_cumulants(2)
    law = s.law()
    assert law.mean == pytest.approx(k[0], rel=1e-12, abs=1e-14)
    assert law.var == pytest.approx(k[1], rel=1e-12)
    assert law.discrete == (s.lattice is not None)


@pytest.mark.parametrize("key", ["bernoulli0.3", "two_point"])
def test_lattice_points_are_where_the_exact_law_jumps(key: str) -> None:
    s = SUMMANDS[key]
    law, k = s.law(), s.float_cumulants(2)
    n = 30
    x_theory = s.lattice_points(n, 3.0, k[0], k[1])
    x_numerics = s.lattice_points(n, 3.0, law.mean, law.var)
    np.testing.assert_allclose(x_theory, x_numerics, atol=1e-12)
    F = s.sum_law(n)
    gap = np.min(np.diff(x_numerics)) / 2
    jumps = F.cdf(x_numerics) - F.cdf(x_numerics - gap)
    assert np.all(jumps > 0)  # every compared point carries probability
    assert np.all(np.abs(x_numerics) < 3.0)


# ----------------------------------------------------------------------------- the per-bin chi-square


def test_binned_chi2_is_calibrated_with_the_exact_law() -> None:
    """Multinomial counts from the exact law, zero budget: p-values are uniform (no budget, no bias)."""
    rng = np.random.default_rng(7)
    grid = np.linspace(-4, 4, 401)
    p_fine = np.diff(np.concatenate([[0.0], stats.norm.cdf(grid), [1.0]]))
    zero = lambda x: np.zeros_like(x)  # noqa: E731
    ps = [compare_binned(stats.norm.cdf, zero, zero, grid, rng.multinomial(20_000, p_fine), 20, 0.01).p_value
          for _ in range(300)]
    assert stats.kstest(ps, "uniform").pvalue > 1e-3
    assert np.mean(np.asarray(ps) <= 0.05) < 0.05 + 3 * math.sqrt(0.05 * 0.95 / 300)


def test_binned_chi2_budget_absorbs_an_error_it_bounds_and_not_more() -> None:
    rng = np.random.default_rng(8)
    grid = np.linspace(-4, 4, 401)
    c = 0.01  # the true law is the prediction plus c * phi(x) * He_2(x) in the CDF
    true = lambda x: stats.norm.cdf(x) - c * stats.norm.pdf(x) * (x * x - 1)  # noqa: E731
    counts = rng.multinomial(2_000_000, np.diff(np.concatenate([[0.0], true(grid), [1.0]])))
    cdf_b = lambda x: c * stats.norm.pdf(x) * np.abs(x * x - 1)  # noqa: E731  (bounds |R|)
    pdf_b = lambda x: c * stats.norm.pdf(x) * np.abs(x**3 - 3 * x)  # noqa: E731  (bounds |R'|)
    zero = lambda x: np.zeros_like(x)  # noqa: E731
    good = compare_binned(stats.norm.cdf, cdf_b, pdf_b, grid, counts, 40, 1e-4)
    bad = compare_binned(stats.norm.cdf, zero, zero, grid, counts, 40, 1e-4)
    half = compare_binned(stats.norm.cdf, lambda x: cdf_b(x) / 4, lambda x: pdf_b(x) / 4, grid, counts, 40, 1e-4)
    assert good.passed and good.p_value > 0.01
    assert not bad.passed and not half.passed


def test_bin_budget_is_the_smaller_of_two_bounds() -> None:
    edges = np.array([-1.0, -0.2, 0.5, 2.0])
    cb = lambda x: 0.01 + 0.0 * x  # noqa: E731
    pb = lambda x: np.exp(-x * x)  # noqa: E731
    b = bin_budget(edges, cb, pb)
    integral = [0.5 * math.sqrt(math.pi) * (math.erf(bb) - math.erf(a)) for a, bb in zip(edges[:-1], edges[1:])]
    expect = [0.01] + [min(0.02, i) for i in integral] + [0.01]
    np.testing.assert_allclose(b, expect, rtol=1e-10)


# ----------------------------------------------------------------------------- Richardson tolerance


@pytest.mark.parametrize("s", [-0.5, -1.5, -2.5])
def test_richardson_recovers_the_exponent_within_its_tolerance(s: float) -> None:
    ns = np.array([64 * 2.0**j for j in range(9)])
    e = 0.3 * ns**s * (1 + 2.0 * ns**-0.5 - 3.0 / ns + 5.0 * ns**-1.5 + 4.0 / ns**2)
    slopes, _ = extrapolated_slopes(ns, e, 2)
    last, before = abs(slopes[2] - slopes[1]), abs(slopes[1] - slopes[0])
    rho = last / before
    tol = 2 * max(1.0, rho / (1 - rho)) * last
    assert abs(slopes[2] - s) <= tol  # the tolerance covers the error left
    assert abs(slopes[0] - s) > tol  # and the extrapolation was needed


@pytest.mark.parametrize("order", range(5))
def test_error_scaling_full_set_passes_and_twins_fail(order: int) -> None:
    c = get_check(f"edgeworth.error_scaling.order{order}")
    ev = c.evaluate(mode="full", seed=0, catch=False)
    assert ev.result.passed and ev.result.kind == "deterministic" and ev.result.p_value is None
    assert ev.result.details["rho"] < 0.5
    assert all(not t.passed for t in ev.twins.values())


# ----------------------------------------------------------------------------- displays and plots

KINDS = {"density": "distribution", "error_scaling": "scaling", "cornish_fisher": "curve", "lattice": "curve",
         "kstatistics": "point"}
SMALL = {"density": {"samples": 20_000, "bins": 20}, "cornish_fisher": {"samples": 20_000},
         "lattice": {"samples": 20_000}, "kstatistics": {"samples": 20_000}, "error_scaling": {}}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_display_kind(name: str) -> None:
    c = get_check(name)
    assert c.display.kind == KINDS[name.split(".")[1]]
    assert c.plot is not None


# one check per plot function (two for the density plot: one and two columns)
@pytest.mark.parametrize("name", ["edgeworth.density.exp", "edgeworth.density.uniform", "edgeworth.error_scaling.order2",
                                  "edgeworth.cornish_fisher.gamma0.5", "edgeworth.lattice.two_point",
                                  "edgeworth.kstatistics.mixture"])
def test_plot_draws(name: str, tmp_path: os.PathLike) -> None:
    c = get_check(name)
    res = c.run(SMALL[name.split(".")[1]], seed=3, catch=False)
    path = plot_result(res, c, str(tmp_path))
    assert path is not None and os.path.getsize(path) > 10_000
