"""Invariants of the moment/cumulant machinery (theory.cumulants) and of the Edgeworth expansion
(theory.edgeworth) on realisable cumulant sequences."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory.cumulants import (
    central_moments_from_cumulants,
    cumulants_from_moments,
    joint_cumulant,
    moments_from_cumulants,
    standardized_cumulants,
    wick_count,
    wick_moment,
)
from theory.edgeworth import Edgeworth
from validation.fuzz import invariant
from validation.strategies import cumulant_sequences

__all__: list[str] = []

_rationals = st.fractions(Fraction(-3), Fraction(3), max_denominator=6)
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)  # exact for polynomials of degree < 80 times exp(-x^2/2)


@invariant("edgeworth.moment_roundtrip")
@given(cumulant_sequences(order=8, exact=True), cumulant_sequences(order=8))
def _roundtrip(exact: list[sp.Expr], floats: list[float]) -> None:
    assert cumulants_from_moments(moments_from_cumulants(exact)) == exact
    back = cumulants_from_moments(moments_from_cumulants(floats))
    scale = max(abs(m) for m in moments_from_cumulants(floats)) + 1.0
    assert np.allclose(back, floats, rtol=1e-9, atol=1e-12 * scale)


@invariant("edgeworth.independent_sums_add")
@given(cumulant_sequences(order=6, exact=True), cumulant_sequences(order=6, exact=True))
def _sums_add(kx: list[sp.Expr], ky: list[sp.Expr]) -> None:
    # moments of X + Y for independent X, Y by the binomial convolution (an independent route)
    mx, my = [1, *moments_from_cumulants(kx)], [1, *moments_from_cumulants(ky)]
    msum = [sp.expand(sum(math.comb(r, j) * mx[j] * my[r - j] for j in range(r + 1))) for r in range(1, 7)]
    assert cumulants_from_moments(msum) == [sp.expand(a + b) for a, b in zip(kx, ky)]


@invariant("edgeworth.scale_and_shift")
@given(cumulant_sequences(order=6, exact=True), _rationals.filter(lambda a: a != 0), _rationals)
def _scale_shift(k: list[sp.Expr], a: Fraction, b: Fraction) -> None:
    A, B = sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator)
    m = [1, *moments_from_cumulants(k)]
    # E (aX + b)^r by the binomial theorem
    mab = [sp.expand(sum(math.comb(r, j) * A**j * m[j] * B ** (r - j) for j in range(r + 1))) for r in range(1, 7)]
    got = cumulants_from_moments(mab)
    assert got[0] == sp.expand(A * k[0] + B)
    assert all(sp.expand(got[r - 1] - A**r * k[r - 1]) == 0 for r in range(2, 7))
    # a shift alone changes only k1; standardized cumulants are invariant under a > 0 scaling (up to sign for a < 0)
    lam, lab = standardized_cumulants(k), standardized_cumulants(got)
    sign = 1 if a > 0 else -1
    assert all(sp.radsimp(lab[r - 1] - sign**r * lam[r - 1]) == 0 for r in range(2, 7))


@invariant("edgeworth.wick_gaussian")
@given(
    st.integers(1, 3).flatmap(lambda d: st.tuples(
        st.lists(st.lists(st.integers(-3, 3), min_size=d, max_size=d), min_size=d, max_size=d),
        st.lists(st.integers(0, d - 1), min_size=1, max_size=6),
    ))
)
def _wick(data: tuple[list[list[int]], list[int]]) -> None:
    L, idx = data
    d = len(L)
    C = sp.Matrix(L) * sp.Matrix(L).T  # a covariance matrix (PSD), exact integers
    k = len(idx)
    # pairing count: with an all-ones covariance every pairing contributes 1
    assert wick_moment(np.ones((d, d), dtype=int).tolist(), idx) == wick_count(k)
    # joint cumulants of a Gaussian vector: the covariance at order 2, zero beyond
    mom = lambda labels: wick_moment(C, labels)  # noqa: E731
    kap = joint_cumulant(mom, idx)
    if k == 1:
        assert kap == 0
    elif k == 2:
        assert kap == C[idx[0], idx[1]]
    else:
        assert kap == 0


@invariant("edgeworth.realisable_hankel")
@given(cumulant_sequences(order=8))
def _hankel(k: list[float]) -> None:
    assert k[1] > 0
    lam = standardized_cumulants(k)
    mu = [1.0, *central_moments_from_cumulants([0.0, 1.0, *lam[2:]])]  # standardized central moments
    H = np.array([[mu[i + j] for j in range(5)] for i in range(5)])
    eig = np.linalg.eigvalsh(H)
    assert eig.min() >= -1e-9 * np.abs(H).max(), (eig, mu)
    assert all(mu[r] >= 1.0 - 1e-9 for r in (2, 4, 6, 8))  # Lyapunov: even standardized moments >= 1
    assert mu[4] >= mu[3] ** 2 + 1 - 1e-9 * mu[4]  # Pearson's inequality


@invariant("edgeworth.expansion_reproduces_cumulants")
@given(cumulant_sequences(order=8), st.integers(0, 4), st.floats(1.0, 200.0))
def _expansion_cumulants(k: list[float], order: int, n: float) -> None:
    """The order-k density has exactly the cumulants of S_n up to order k + 2 (0, 1, lambda_r n^(1 - r/2)).

    The truncated terms are epsilon^j He_m with m >= j + 2 > k + 2, so the first k + 2 moments are those of the
    full formal series; they are computed here by Gauss-Hermite quadrature (exact for a polynomial times phi)
    and converted with theory.cumulants, an independent route.
    """
    E = Edgeworth(k)
    lam = standardized_cumulants(k)
    ratio = E.pdf(_GH_X, n, order, warn=False) / np.exp(-0.5 * _GH_X**2)  # the polynomial factor / sqrt(2 pi)
    moments = [float(np.sum(_GH_W * ratio * _GH_X**r)) for r in range(1, order + 3)]
    assert abs(float(np.sum(_GH_W * ratio)) - 1.0) < 1e-10
    got = cumulants_from_moments(moments)
    want = [0.0, 1.0] + [lam[r - 1] * n ** (1 - r / 2) for r in range(3, order + 3)]
    scale = max(1.0, max(abs(m) for m in moments))
    assert np.allclose(got, want, rtol=1e-8, atol=1e-9 * scale), (got, want)
