"""numerics.edgeworth: sums against exact laws, chunk invariance, streaming counts, unbiasedness and
standard-error calibration of the empirical summaries and k-statistics."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from scipy import stats

import numerics.edgeworth._sums as sums
from numerics.edgeworth import (
    cdf_from_counts,
    density_from_counts,
    empirical_cdf,
    empirical_density,
    empirical_quantiles,
    k_statistics,
    standardized_sum_counts,
    standardized_sums,
)

ALPHA = 1e-3


def _gamma_sum_cdf(n: int):
    # exact law: X_1 + ... + X_n ~ Gamma(n) for X ~ Exp(1); S_n = (G - n)/sqrt(n)
    return lambda s: stats.gamma(n).cdf(n + np.sqrt(n) * s)


@pytest.mark.parametrize("n", [1, 5, 50])
def test_exponential_sums_follow_gamma_law(n):
    s = standardized_sums(stats.expon(), n, 20_000, seed=11)
    assert stats.kstest(s, _gamma_sum_cdf(n)).pvalue > ALPHA
    # the same test has power: the sums are not Gamma(n + 1) (nor Gaussian at small n)
    wrong = lambda x: stats.gamma(n + 1).cdf(n + np.sqrt(n) * x)  # noqa: E731
    assert stats.kstest(s, wrong).pvalue < ALPHA
    if n <= 5:
        assert stats.kstest(s, stats.norm.cdf).pvalue < ALPHA


def test_callable_sampler_and_piecewise_path(monkeypatch):
    # force the n > BLOCK_DRAWS branch (one sum drawn in several pieces) on a small problem
    monkeypatch.setattr(sums, "BLOCK_DRAWS", 8)
    draw = lambda rng, shape: rng.exponential(size=shape)  # noqa: E731
    s = standardized_sums(draw, 20, 4000, mean=1.0, var=1.0, seed=3)
    assert stats.kstest(s, _gamma_sum_cdf(20)).pvalue > ALPHA
    assert np.array_equal(s, standardized_sums(draw, 20, 4000, mean=1.0, var=1.0, seed=3, chunk_draws=1))


@pytest.mark.parametrize("dist", [stats.gamma(0.5), stats.bernoulli(0.3), lambda rng, shape: rng.uniform(size=shape)])
def test_chunking_does_not_change_results(dist):
    kw = {} if hasattr(dist, "rvs") else {"mean": 0.5, "var": 1 / 12}
    ref = standardized_sums(dist, 7, 30_000, seed=5, chunk_draws=10**9, **kw)
    for chunk in (1, 1000, 2**16 + 3, 2**18):
        assert np.array_equal(ref, standardized_sums(dist, 7, 30_000, seed=5, chunk_draws=chunk, **kw))
    assert not np.array_equal(ref, standardized_sums(dist, 7, 30_000, seed=6, **kw))
    ss = np.random.SeedSequence(5)
    assert np.array_equal(ref, standardized_sums(dist, 7, 30_000, seed=ss, **kw))


def test_streamed_counts_equal_histogram_of_stored_sums():
    edges = np.array([-2.0, -0.5, 0.0, 0.3, 1.7])
    kw = dict(seed=8, chunk_draws=5000)
    s = standardized_sums(stats.poisson(2.0), 9, 25_000, **kw)
    c = standardized_sum_counts(stats.poisson(2.0), 9, 25_000, edges, **kw)
    expect = np.bincount(np.searchsorted(edges, s, side="right"), minlength=edges.size + 1)
    assert np.array_equal(c, expect) and c.sum() == 25_000
    # lattice values land exactly on edges: [e_i, e_{i+1}) convention
    d = density_from_counts(c, edges)
    np.testing.assert_allclose(d.value, expect[1:-1] / 25_000 / np.diff(edges))
    F = cdf_from_counts(c, edges)
    np.testing.assert_allclose(F.value, [np.mean(s < e) for e in edges])


def test_kstat_matches_scipy_up_to_four():
    x = np.random.default_rng(0).gamma(0.7, size=500) * 3 + 10
    est = k_statistics(x, 4)
    np.testing.assert_allclose(est.value, [stats.kstat(x, r) for r in range(1, 5)], rtol=1e-9)


def _exact_cumulants(support, probs, order):
    t = sp.Symbol("t")
    K = sp.log(sum(sp.Rational(p) * sp.exp(v * t) for v, p in zip(support, probs)))
    ser = sp.series(K, t, 0, order + 1).removeO()
    return [float(ser.coeff(t, r) * sp.factorial(r)) for r in range(1, order + 1)]


@pytest.mark.parametrize(
    "support,probs,N",
    [((0, 1), ("3/10", "7/10"), 8), ((-1, 0, 2), ("1/6", "1/2", "1/3"), 7)],
)
def test_kstat_exactly_unbiased_by_enumeration(support, probs, N):
    # E k_r over every one of the |support|^N samples, weighted by probability, equals kappa_r
    order = 6
    p = [float(sp.Rational(q)) for q in probs]
    mean = np.zeros(order)
    for idx in itertools.product(range(len(support)), repeat=N):
        w = np.prod([p[i] for i in idx])
        x = np.array([support[i] for i in idx], dtype=float)
        if np.ptp(x) == 0:
            ks = np.r_[x[0], np.zeros(order - 1)]  # constant sample: every k_r (r >= 2) is 0
        else:
            ks = k_statistics(x, order).value
        mean += w * ks
    np.testing.assert_allclose(mean, _exact_cumulants(support, probs, order), rtol=1e-9, atol=1e-11)


def test_kstat_unbiased_monte_carlo_small_samples():
    rng = np.random.default_rng(21)
    R = 3000
    vals = np.array([k_statistics(rng.exponential(size=10), 4).value for _ in range(R)])
    se = vals.std(axis=0, ddof=1) / np.sqrt(R)
    z = (vals.mean(axis=0) - np.array([1.0, 1.0, 2.0, 6.0])) / se
    assert np.all(np.abs(z) < stats.norm.isf(ALPHA / 8))


def _z_ok(z: np.ndarray) -> None:
    """z-scores across R replicates look N(0,1): mean within 4/sqrt(R), sd within 1 +- 4/sqrt(2R)."""
    R = z.shape[0]
    assert np.all(np.abs(z.mean(axis=0)) < 4 / np.sqrt(R)), z.mean(axis=0)
    assert np.all(np.abs(z.std(axis=0) - 1) < 4 / np.sqrt(2 * R)), z.std(axis=0)


def test_stderr_calibration_kstat():
    rng = np.random.default_rng(7)
    for draw, kappa in [(lambda: rng.uniform(size=2000), [0.5, 1 / 12, 0, -1 / 120]),
                        (lambda: rng.standard_normal(2000), [0, 1, 0, 0])]:
        z = []
        for _ in range(600):
            e = k_statistics(draw(), 4)
            z.append((e.value - kappa) / e.stderr)
        _z_ok(np.array(z))


def test_stderr_calibration_cdf_density_quantiles():
    rng = np.random.default_rng(9)
    xs, qs, edges = np.array([-2.0, -0.5, 0.0, 1.5]), np.array([0.05, 0.1, 0.5, 0.9]), np.linspace(-2, 2, 9)
    zc, zd, zq = [], [], []
    for _ in range(500):
        x = rng.standard_normal(2000)
        c, d, q = empirical_cdf(x, xs), empirical_density(x, edges), empirical_quantiles(x, qs)
        zc.append((c.value - stats.norm.cdf(xs)) / c.stderr)
        zd.append((d.value - np.diff(stats.norm.cdf(edges)) / np.diff(edges)) / d.stderr)
        zq.append((q.value - stats.norm.ppf(qs)) / q.stderr)
    for z in (zc, zd, zq):
        _z_ok(np.array(z))


def test_quantile_bootstrap_agrees_with_spacing():
    x = np.random.default_rng(4).exponential(size=5000)
    a = empirical_quantiles(x, [0.25, 0.75])
    b = empirical_quantiles(x, [0.25, 0.75], seed=1, method="bootstrap")
    np.testing.assert_array_equal(a.value, b.value)
    # true asymptotic se for Exp(1): sqrt(q(1-q)/N) / f(x_q), f(x_q) = 1 - q
    true = np.sqrt(np.array([0.25, 0.75]) * [0.75, 0.25] / 5000) / np.array([0.75, 0.25])
    # bootstrap se from 200 resamples has relative sd ~ 1/sqrt(400) = 5%; spacing estimator ~ N^-2/5
    np.testing.assert_allclose(b.stderr, true, rtol=0.25)
    np.testing.assert_allclose(a.stderr, true, rtol=0.25)


def test_inputs_not_mutated():
    x = np.random.default_rng(1).standard_normal(100)
    x0 = x.copy()
    edges = np.array([0.5, -1.0, 2.0])[[1, 0, 2]]
    empirical_cdf(x, 0.0), empirical_density(x, edges), empirical_quantiles(x, 0.3), k_statistics(x, 6)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: standardized_sums(stats.expon(), 0, 10, seed=0), ValueError, "n must"),
        (lambda: standardized_sums(stats.expon(), 2.0, 10, seed=0), TypeError, "n must"),
        (lambda: standardized_sums(stats.expon(), 2, 0, seed=0), ValueError, "size"),
        (lambda: standardized_sums(stats.expon(), 2, 10, seed=None), TypeError, "seed"),
        (lambda: standardized_sums(stats.expon(), 2, 10, seed=1.5), TypeError, "seed"),
        (lambda: standardized_sums(stats.expon(), 2, 10, seed=0, chunk_draws=0), ValueError, "chunk_draws"),
        (lambda: standardized_sums(stats.expon(), 2, 10, seed=0, var=-1.0), ValueError, "var"),
        (lambda: standardized_sums(stats.expon(), 2, 10, seed=0, mean=float("nan")), ValueError, "mean"),
        (lambda: standardized_sums(lambda r, s: r.random(s), 2, 10, seed=0), ValueError, "mean and var"),
        (lambda: standardized_sums(lambda r, s: r.random(3), 2, 10, seed=0, mean=0.5, var=1.0), ValueError, "shape"),
        (lambda: standardized_sums(lambda r, s: np.full(s, np.inf), 2, 10, seed=0, mean=0.5, var=1.0), ValueError, "non-finite"),
        (lambda: standardized_sums("expon", 2, 10, seed=0), TypeError, "dist"),
        (lambda: standardized_sum_counts(stats.expon(), 2, 10, [1.0, 0.0], seed=0), ValueError, "increasing"),
        (lambda: standardized_sum_counts(stats.expon(), 2, 10, [], seed=0), ValueError, "edges"),
        (lambda: empirical_cdf([1.0], 0.0), ValueError, "two"),
        (lambda: empirical_cdf([1.0, np.nan], 0.0), ValueError, "finite"),
        (lambda: empirical_density([1.0, 2.0], [0.0]), ValueError, "edges"),
        (lambda: empirical_quantiles([1.0, 2.0], 1.0), ValueError, "q must"),
        (lambda: empirical_quantiles([1.0, 2.0], 0.5, method="magic"), ValueError, "method"),
        (lambda: k_statistics(np.arange(10.0), 0), ValueError, "order"),
        (lambda: k_statistics(np.arange(10.0), 9), ValueError, "order"),
        (lambda: k_statistics(np.arange(10.0), 4.0), TypeError, "order"),
        (lambda: k_statistics(np.arange(4.0), 4), ValueError, "at least"),
        (lambda: density_from_counts([1, 2], [0.0, 1.0]), ValueError, "counts"),
        (lambda: cdf_from_counts([0, 0, 0], [0.0, 1.0]), ValueError, "zero"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
