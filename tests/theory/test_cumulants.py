"""theory.cumulants against independent computations: scipy.stats moments, sympy series of
log-MGFs, brute-force enumeration and Monte Carlo."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from theory.cumulants import (
    central_moments_from_cumulants,
    cumulants_from_central_moments,
    cumulants_from_moments,
    family_cumulants,
    joint_cumulant,
    joint_moment,
    moments_from_cumulants,
    perfect_matchings,
    set_partitions,
    standardized_cumulants,
    wick_count,
    wick_moment,
)

t = sp.Symbol("t")

# (family, params, scipy frozen distribution)
SCIPY_CASES = [
    ("normal", {"mu": 1.5, "sigma2": 4}, stats.norm(1.5, 2)),
    ("exponential", {"rate": 2}, stats.expon(scale=0.5)),
    ("gamma", {"shape": Fraction(1, 2), "scale": 3}, stats.gamma(0.5, scale=3)),
    ("chi2", {"df": 5}, stats.chi2(5)),
    ("uniform", {"a": -1, "b": 3}, stats.uniform(-1, 4)),
    ("bernoulli", {"p": Fraction(1, 5)}, stats.bernoulli(0.2)),
    ("binomial", {"n": 7, "p": Fraction(3, 10)}, stats.binom(7, 0.3)),
    ("poisson", {"lam": Fraction(5, 2)}, stats.poisson(2.5)),
    ("laplace", {"loc": 1, "scale": 2}, stats.laplace(1, 2)),
]


@pytest.mark.parametrize("family,params,dist", SCIPY_CASES, ids=[c[0] for c in SCIPY_CASES])
def test_family_moments_match_scipy(family, params, dist):
    ks = family_cumulants(family, 6, **params)
    ms = moments_from_cumulants(ks)
    for r, m in enumerate(ms, 1):
        ref = dist.moment(r)
        # scipy integrates some moments by quadrature (epsrel 1.49e-8), hence rel=1e-7
        assert float(m) == pytest.approx(ref, rel=1e-7, abs=1e-9), (family, r)


def _series_cumulants(log_mgf: sp.Expr, order: int) -> list[sp.Expr]:
    ser = sp.series(log_mgf, t, 0, order + 1).removeO()
    return [sp.simplify(ser.coeff(t, r) * sp.factorial(r)) for r in range(1, order + 1)]


@pytest.mark.parametrize(
    "family,params,log_mgf",
    [
        ("uniform", {"a": 0, "b": 1}, sp.log((sp.exp(t) - 1) / t)),
        ("bernoulli", {"p": Fraction(1, 3)}, sp.log(1 - sp.Rational(1, 3) + sp.Rational(1, 3) * sp.exp(t))),
        ("gamma", {"shape": 3, "scale": Fraction(1, 2)}, -3 * sp.log(1 - t / 2)),
        ("poisson", {"lam": 2}, 2 * (sp.exp(t) - 1)),
        ("two_point", {"p": Fraction(1, 4), "a": -1, "b": 2}, sp.log(sp.Rational(3, 4) * sp.exp(-t) + sp.Rational(1, 4) * sp.exp(2 * t))),
        ("normal_mixture", {"weights": [Fraction(1, 3), Fraction(2, 3)], "means": [0, 2], "variances": [1, 3]},
         sp.log(sp.Rational(1, 3) * sp.exp(t**2 / 2) + sp.Rational(2, 3) * sp.exp(2 * t + 3 * t**2 / 2))),
    ],
)
def test_family_cumulants_match_log_mgf_series(family, params, log_mgf):
    ks = family_cumulants(family, 6, **params)
    assert ks == _series_cumulants(log_mgf, 6)
    assert all(isinstance(k, sp.Expr) and k.is_rational for k in ks)


def test_symbolic_parameters():
    a = sp.Symbol("a", positive=True)
    assert family_cumulants("gamma", 3, shape=a, scale=1) == [a, a, 2 * a]
    p = sp.Symbol("p")
    assert sp.expand(family_cumulants("bernoulli", 3, p=p)[2] - p * (1 - p) * (1 - 2 * p)) == 0


@pytest.mark.parametrize("kind", ["int", "fraction", "sympy", "float", "array"])
def test_round_trip_and_types(kind):
    base = [3, 7, -2, 11, 5, -13]
    conv = {
        "int": lambda v: v,
        "fraction": lambda v: Fraction(v, 7),
        "sympy": lambda v: sp.Rational(v, 3),
        "float": lambda v: v / 3.0,
        "array": lambda v: np.array([v, 2.0 * v]),
    }[kind]
    ks = [conv(v) for v in base]
    copy = list(ks)
    ms = moments_from_cumulants(ks)
    back = cumulants_from_moments(ms)
    assert ks == copy or kind == "array"  # not mutated
    for a, b in zip(back, ks):
        if kind in ("float", "array"):
            np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-9)
        else:
            assert a == b
    if kind == "int":
        assert all(type(m) is int for m in ms)  # exact, no float, no floor division
    if kind == "fraction":
        assert all(isinstance(m, Fraction) for m in ms)


def test_moments_match_set_partition_formula():
    # independent route: m_r = sum over set partitions of prod kappa_|B|
    ks = sp.symbols("k1:7")
    ms = moments_from_cumulants(list(ks))
    for r in range(1, 7):
        brute = sum(sp.Mul(*[ks[len(b) - 1] for b in part]) for part in set_partitions(range(r)))
        assert sp.expand(brute - ms[r - 1]) == 0


def test_central_moments():
    ks = [Fraction(3), Fraction(2), Fraction(1, 2), Fraction(5)]
    mu = central_moments_from_cumulants(ks)
    assert mu[:3] == [0, 2, Fraction(1, 2)] and mu[3] == 5 + 3 * 4
    assert cumulants_from_central_moments(mu, mean=3) == ks
    with pytest.raises(ValueError, match="central_moments"):
        cumulants_from_central_moments([1, 2])


def test_set_partitions_count_is_bell():
    for n in range(7):
        parts = list(set_partitions(range(n)))
        assert len(parts) == sp.bell(n)
        assert len({tuple(tuple(b) for b in sorted(p)) for p in parts}) == len(parts)


def _brute_pairings(k: int) -> int:
    # fixed-point-free involutions of k objects, by enumerating permutations
    return sum(all(p[p[i]] == i and p[i] != i for i in range(k)) for p in itertools.permutations(range(k)))


@pytest.mark.parametrize("k", range(0, 8))
def test_pairing_counts(k):
    assert wick_count(k) == len(list(perfect_matchings(range(k)))) == _brute_pairings(k)


def test_wick_against_brute_force_and_monte_carlo():
    C = np.array([[2.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 1.5]])
    idx = [0, 1, 1, 2, 0, 2]
    brute = sum(math.prod(C[idx[a], idx[b]] for a, b in m) for m in perfect_matchings(range(len(idx))))
    assert wick_moment(C, idx) == pytest.approx(brute, rel=1e-12)
    x = np.random.default_rng(1).multivariate_normal(np.zeros(3), C, size=400_000)
    prod = np.prod(x[:, idx], axis=1)
    se = prod.std(ddof=1) / np.sqrt(len(prod))
    assert abs(prod.mean() - wick_moment(C, idx)) < 5 * se
    Cs = sp.Matrix([[1, sp.Rational(1, 2)], [sp.Rational(1, 2), 2]])
    assert wick_moment(Cs, [0, 0, 1, 1]) == 1 * 2 + 2 * sp.Rational(1, 4)
    assert wick_moment(Cs, [0, 1, 1]) == 0


def test_joint_cumulants_linear_mix_of_exponentials():
    # X = A E with E_m iid Exp(1): kappa(X_i, X_j, X_k) = sum_m A_im A_jm A_km (3-1)!  (multilinearity)
    A = [[1, 2], [0, 1], [3, -1]]

    def moment(labels):  # exact E[prod X_label] by expanding the products (enumeration)
        tot = 0
        for ms in itertools.product(range(2), repeat=len(labels)):
            coef = math.prod(A[lab][m] for lab, m in zip(labels, ms))
            tot += coef * math.prod(math.factorial(ms.count(m)) for m in range(2))  # E[E^k] = k!
        return tot

    for idx in [(0, 1, 2), (0, 0, 2, 1), (2, 2, 2, 2, 1)]:
        r = len(idx)
        exact = sum(math.prod(A[i][m] for i in idx) for m in range(2)) * math.factorial(r - 1)
        assert joint_cumulant(moment, idx) == exact
        kappa = lambda labels: sum(math.prod(A[i][m] for i in labels) for m in range(2)) * math.factorial(len(labels) - 1)  # noqa: E731
        assert joint_moment(kappa, idx) == moment(idx)
    # Monte Carlo of the same moment
    E = np.random.default_rng(2).exponential(size=(400_000, 2))
    X = E @ np.array(A, float).T
    prod = X[:, 0] * X[:, 1] * X[:, 2]
    se = prod.std(ddof=1) / np.sqrt(len(prod))
    assert abs(prod.mean() - moment((0, 1, 2))) < 5 * se


def test_joint_cumulant_mapping_and_gaussian_vanishing():
    C = sp.Matrix([[2, 1], [1, 3]])
    mom = lambda labels: wick_moment(C, labels)  # noqa: E731
    assert joint_cumulant(mom, (0, 1)) == 1
    for idx in [(0, 0, 1), (0, 1, 1, 0), (1, 1, 1, 1, 0, 0)]:
        assert joint_cumulant(mom, idx) == 0
    table = {(0,): 1, (1,): 2, (0, 1): 5}
    assert joint_cumulant(table, (1, 0)) == 3
    with pytest.raises(ValueError, match="moment"):
        joint_cumulant(table, (0, 0))


def test_standardized():
    l = standardized_cumulants(family_cumulants("exponential", 5, rate=3))
    assert l == [1, 1, 2, 6, 24]
    lf = standardized_cumulants([0.0, 4.0, 8.0])
    assert lf == [0.0, 1.0, 1.0]
    arr = standardized_cumulants([np.zeros(2), np.array([1.0, 4.0]), np.array([1.0, 8.0])])
    np.testing.assert_allclose(arr[2], [1.0, 1.0])


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: moments_from_cumulants([]), ValueError, "order"),
        (lambda: moments_from_cumulants([1.0, float("nan")]), ValueError, "finite"),
        (lambda: moments_from_cumulants([1, "a"]), TypeError, "cumulants"),
        (lambda: moments_from_cumulants(3), TypeError, "sequence"),
        (lambda: cumulants_from_moments([True]), TypeError, "bool"),
        (lambda: cumulants_from_moments([sp.oo]), ValueError, "finite"),
        (lambda: family_cumulants("normal", 3, sigma2=-1), ValueError, "sigma2"),
        (lambda: family_cumulants("bernoulli", 3, p=1.5), ValueError, "p"),
        (lambda: family_cumulants("binomial", 3, n=2, p=-0.1), ValueError, "p"),
        (lambda: family_cumulants("binomial", 3, n=2.5), ValueError, "n"),
        (lambda: family_cumulants("gamma", 0), ValueError, "order"),
        (lambda: family_cumulants("gamma", 2.0), TypeError, "order"),
        (lambda: family_cumulants("gamma", 2, shape=float("inf")), ValueError, "shape"),
        (lambda: family_cumulants("uniform", 2, a=1, b=1), ValueError, "a < b"),
        (lambda: family_cumulants("cauchy", 2), ValueError, "unknown family"),
        (lambda: family_cumulants("gamma", 2, rate=1), TypeError, "gamma"),
        (lambda: family_cumulants("normal_mixture", 2, weights=[0.5, 0.6], means=[0, 1], variances=[1, 1]), ValueError, "sum to 1"),
        (lambda: family_cumulants("normal_mixture", 2, weights=[1], means=[0, 1], variances=[1]), ValueError, "equal length"),
        (lambda: standardized_cumulants([1, 0]), ValueError, "k2"),
        (lambda: standardized_cumulants([1]), ValueError, "two"),
        (lambda: wick_moment([[1, 2], [0, 1]], [0, 1]), ValueError, "symmetric"),
        (lambda: wick_moment([[1, 0], [0, -1]], [1, 1]), ValueError, "variance"),
        (lambda: wick_moment(np.eye(2), [0, 2]), ValueError, "indices"),
        (lambda: wick_count(-2), ValueError, "k"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_inputs_not_mutated():
    arr = np.array([1.0, 2.0, 3.0])
    lst = [1, 2, 3]
    moments_from_cumulants(arr)
    moments_from_cumulants(lst)
    standardized_cumulants(arr)
    np.testing.assert_array_equal(arr, [1.0, 2.0, 3.0])
    assert lst == [1, 2, 3]
