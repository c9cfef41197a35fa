"""numerics.edgeworth summand and sum laws against independent computations: high-precision sums (mpmath),
scipy, quadrature and Monte Carlo sums of the samplers."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, stats

from numerics.edgeworth import SUM_LAW_FAMILIES, SUMMAND_FAMILIES, standardized_sums, sum_law, summand_law

PARAMS = {
    "normal": {"mu": 0.5, "sigma2": 2.0},
    "exponential": {"rate": 2.0},
    "gamma": {"shape": 0.5, "scale": 3.0},
    "chi2": {"df": 3.0},
    "poisson": {"lam": 2.5},
    "uniform": {"a": -1.0, "b": 3.0},
    "bernoulli": {"p": 0.3},
    "binomial": {"n": 4, "p": 0.3},
    "two_point": {"p": 0.2, "a": -1.0, "b": 2.0},
    "laplace": {"loc": 1.0, "scale": 2.0},
    "normal_mixture": {"weights": (0.85, 0.15), "means": (0.0, 3.0), "variances": (1.0, 0.25)},
}


def _irwin_hall_mp(n: int, x: float) -> float:
    """P(U_1 + ... + U_n <= n/2 + x sqrt(n/12)) by the alternating sum in 60-digit arithmetic."""
    mpmath.mp.dps = 60
    y = mpmath.mpf(n) / 2 + mpmath.mpf(x) * mpmath.sqrt(mpmath.mpf(n) / 12)
    s = sum((-1) ** k * mpmath.binomial(n, k) * (y - k) ** n for k in range(int(mpmath.floor(y)) + 1))
    return float(s / mpmath.factorial(n))


@pytest.mark.parametrize("family", SUMMAND_FAMILIES)
def test_sampler_moments(family: str) -> None:
    law = summand_law(family, PARAMS[family])
    x = law.sample(np.random.default_rng(1), (200_000,))
    assert x.shape == (200_000,) and x.dtype == float
    z_mean = (x.mean() - law.mean) / math.sqrt(law.var / x.size)
    assert abs(z_mean) < 4.5
    assert x.var() == pytest.approx(law.var, rel=0.05)


@pytest.mark.parametrize("n", [1, 2, 6, 24, 96])
def test_irwin_hall_against_60_digit_sum(n: int) -> None:
    law = sum_law("uniform", n, PARAMS["uniform"])
    x = np.linspace(-3.5, 3.5, 15)
    ref = np.array([_irwin_hall_mp(n, v) for v in x])
    np.testing.assert_allclose(law.cdf(x), ref, rtol=1e-13, atol=1e-300)
    # the density is the derivative of the distribution function
    h = 1e-5
    xi = np.array([-1.3, 0.2, 1.7])
    np.testing.assert_allclose(law.pdf(xi), (law.cdf(xi + h) - law.cdf(xi - h)) / (2 * h), rtol=1e-6)


@pytest.mark.parametrize("m", [0.5, 16.0, 8192.0])
def test_gamma_density_without_cancellation(m: float) -> None:
    law = sum_law("gamma", 1, {"shape": m})
    x = np.array([-2.9, -0.7, 0.3, 2.7])
    mpmath.mp.dps = 40
    M = mpmath.mpf(m)
    ref = [float(mpmath.exp((M - 1) * mpmath.log(M + mpmath.sqrt(M) * v) - (M + mpmath.sqrt(M) * v) - mpmath.loggamma(M))
                 * mpmath.sqrt(M)) if m + math.sqrt(m) * v > 0 else 0.0 for v in x]
    np.testing.assert_allclose(law.pdf(x), ref, rtol=1e-14)  # scipy.stats.gamma.pdf: ~1e-11 at m = 8192
    np.testing.assert_allclose(law.cdf(x), stats.gamma(m).cdf(m + math.sqrt(m) * x), rtol=1e-12, atol=1e-300)
    q = np.array([0.01, 0.5, 0.99])
    np.testing.assert_allclose(law.cdf(law.ppf(q)), q, rtol=1e-12)


@pytest.mark.parametrize("family", [f for f in SUM_LAW_FAMILIES if f not in ("bernoulli", "binomial", "two_point", "poisson")])
def test_continuous_sum_laws_integrate_and_match_monte_carlo(family: str) -> None:
    n = 7
    law = sum_law(family, n, PARAMS[family])
    total, _ = integrate.quad(lambda t: float(law.pdf(t)), -12, 12, limit=200)
    assert total == pytest.approx(1.0, abs=1e-7)
    one = summand_law(family, PARAMS[family])
    s = standardized_sums(one.sample, n, 20_000, mean=one.mean, var=one.var, seed=4)
    assert stats.kstest(s, law.cdf).pvalue > 1e-3
    q = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(law.cdf(law.ppf(q)), q, atol=1e-12)


@pytest.mark.parametrize("family", ["bernoulli", "binomial", "two_point", "poisson"])
def test_lattice_sum_laws_match_exact_counts_and_monte_carlo(family: str) -> None:
    n = 9
    law, one = sum_law(family, n, PARAMS[family]), summand_law(family, PARAMS[family])
    s = standardized_sums(one.sample, n, 40_000, mean=one.mean, var=one.var, seed=5)
    pts = np.unique(s)[:: max(1, np.unique(s).size // 8)]
    emp = np.array([np.mean(s <= v + 1e-9) for v in pts])
    se = np.sqrt(emp * (1 - emp) / s.size) + 1e-12
    assert np.all(np.abs(law.cdf(pts) - emp) < 5 * se + 1e-4)
    with pytest.raises(ValueError, match="lattice"):
        law.pdf(0.0)


def test_two_point_with_b_below_a() -> None:
    law = sum_law("two_point", 5, {"p": 0.3, "a": 2.0, "b": -1.0})  # P(X = -1) = 0.3
    one = summand_law("two_point", {"p": 0.3, "a": 2.0, "b": -1.0})
    assert one.mean == pytest.approx(2.0 - 3 * 0.3)
    k = np.arange(6)  # number of -1's
    t = 2.0 * (5 - k) - 1.0 * k
    x = (t - 5 * one.mean) / math.sqrt(5 * one.var)
    np.testing.assert_allclose(law.cdf(x), stats.binom(5, 0.3).sf(k - 1), rtol=1e-12)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: summand_law("cauchy"), ValueError, "family"),
        (lambda: summand_law(3), TypeError, "family"),
        (lambda: summand_law("gamma", {"shape": -1.0}), ValueError, "shape"),
        (lambda: summand_law("gamma", {"shape": "1"}), TypeError, "shape"),
        (lambda: summand_law("gamma", {"rate": 1.0}), ValueError, "no parameter"),
        (lambda: summand_law("bernoulli", {"p": 1.0}), ValueError, "p"),
        (lambda: summand_law("uniform", {"a": 1.0, "b": 0.0}), ValueError, "a < b"),
        (lambda: summand_law("normal_mixture", {"weights": (0.5, 0.4), "means": (0.0, 1.0), "variances": (1.0, 1.0)}),
         ValueError, "sum to 1"),
        (lambda: summand_law("binomial", {"n": 2.0}), TypeError, "n"),
        (lambda: sum_law("laplace", 3), ValueError, "no closed-form"),
        (lambda: sum_law("gamma", 0), ValueError, "n"),
        (lambda: sum_law("gamma", 2.0), TypeError, "n"),
        (lambda: sum_law("gamma", 2).ppf(1.0), ValueError, "q"),
        (lambda: sum_law("gamma", 2).cdf("x"), TypeError, "x"),
    ],
)
def test_bad_arguments(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()
