"""The comparison rules: calibrated under the null, powerful against wrong predictions, budgets honoured."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from validation.stats import compare_distribution, compare_point, compare_scaling, fit_power_law, suite_alpha


def test_point_p_values_are_calibrated_under_the_null() -> None:
    rng = np.random.default_rng(0)
    p = [compare_point(1.0, 1.0 + 0.1 * rng.standard_normal(), 0.1, alpha=0.05).p_value for _ in range(4000)]
    # single component: exactly the two-sided normal p-value, uniform under the null
    assert stats.kstest(p, "uniform").pvalue > 1e-3


def test_point_budget_absorbs_discrepancy_but_not_more() -> None:
    assert compare_point(1.0, 1.05, 0.001, truncation=0.05).passed
    assert not compare_point(1.0, 1.06, 0.001, truncation=0.05).passed
    assert compare_point([1.0, 2.0], [1.0, 2.0], [0.0, 0.0]).passed
    assert not compare_point([1.0, 2.0], [1.0, 2.1], [0.0, 0.0]).passed  # no error, no budget: any miss fails


def test_point_with_covariance() -> None:
    cov = np.array([[1.0, 0.9], [0.9, 1.0]]) * 1e-4
    assert compare_point([0, 0], [0.01, 0.01], [0.01, 0.01], covariance=cov).passed
    assert not compare_point([0, 0], [0.01, -0.01], [0.01, 0.01], covariance=cov).passed


@pytest.mark.parametrize("method", ["chi2", "ks"])
def test_distribution_rule_null_and_power(method: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(100_000)
    assert compare_distribution(stats.norm.cdf, x, method=method).passed
    assert not compare_distribution(lambda t: stats.norm.cdf(t / 1.02), x, method=method).passed
    # a wrong CDF passes only when the stated budget covers the error
    wrong = lambda t: stats.norm.cdf(t / 1.02)  # noqa: E731
    budget = lambda t: np.abs(stats.norm.cdf(t) - wrong(t))  # noqa: E731
    assert compare_distribution(wrong, x, truncation=budget, method=method).passed


def test_distribution_null_calibration_chi2() -> None:
    rng = np.random.default_rng(2)
    p = [compare_distribution(stats.norm.cdf, rng.standard_normal(2000), alpha=0.05).p_value for _ in range(300)]
    assert stats.kstest(p, "uniform").pvalue > 1e-3


def test_distribution_from_counts_and_bad_input() -> None:
    edges = np.array([-1.0, 0.0, 1.0])
    rng = np.random.default_rng(3)
    x = rng.standard_normal(10_000)
    counts = np.bincount(np.searchsorted(edges, x, side="right"), minlength=4)
    a = compare_distribution(stats.norm.cdf, None, bins=edges, counts=counts)
    b = compare_distribution(stats.norm.cdf, x, bins=edges)
    assert a.statistic == pytest.approx(b.statistic)
    with pytest.raises(ValueError, match="non-finite"):
        compare_distribution(stats.norm.cdf, np.array([np.nan] * 100))
    with pytest.raises(ValueError, match="method"):
        compare_distribution(stats.norm.cdf, x, method="ad")


def test_power_law_fit_recovers_exponent_with_noise_and_corrections() -> None:
    rng = np.random.default_rng(4)
    n = np.geomspace(10, 1e4, 12)
    y = 3 * n**-1.0 * (1 + 2 * n**-0.5)
    err = 0.01 * y
    yn = y * (1 + 0.01 * rng.standard_normal(n.size))
    fit = fit_power_law(n, yn, err, corrections=(-0.5,))
    lo, hi = fit.interval(0.999)
    assert lo < -1.0 < hi
    assert compare_scaling(-1.0, n, yn, err, corrections=(-0.5,)).passed
    assert not compare_scaling(-1.2, n, yn, err, corrections=(-0.5,)).passed
    with pytest.raises(ValueError, match="y > 0"):
        fit_power_law(n, -yn)


def test_suite_alpha_bonferroni() -> None:
    assert suite_alpha(0.01, 5) == 1e-3
    assert suite_alpha(0.01, 50) == pytest.approx(2e-4)
    with pytest.raises(ValueError):
        suite_alpha(1.5, 3)
