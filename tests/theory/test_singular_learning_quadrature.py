"""The finite-n_beta normal-crossing quadrature at large n_beta, against independent computations.

Regression for a silent wrong answer: ``normal_crossing_llc([1], 1e5, prior_powers=[8])``
returned 10.5 (exact: 4.49998) and NaN from n_beta = 1e7, because the grid covered the prior's
bulk but not the far left tail of log K where the tempered posterior lives.  The quadrature now
integrates an exponentially tilted law placed at log(lambda / n_beta).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from theory.singular_learning import (
    normal_crossing_llc,
    normal_crossing_tempered_loss,
    rlct_normal_crossing,
)

LARGE = np.array([1e3, 1e5, 1e7, 1e9, 1e12])


@pytest.mark.parametrize("h", [0, 1, 3, 8, 20])
def test_gaussian_case_exact_at_every_n_beta(h: int) -> None:
    """h = 8 at n_beta = 1e5 is the reported case (was 10.5, exact 4.49998)."""
    # k = 1: w^2 ~ Gamma((h+1)/2, rate s + gamma/2) under the tempered posterior -> E = (h+1)/(2s + gamma)
    g = 1.0
    got = normal_crossing_llc([1], LARGE, gamma=g, prior_powers=[h])
    np.testing.assert_allclose(got, (h + 1) * LARGE / (2 * LARGE + g), rtol=1e-11)


def _one_dim(k: int, h: int, s: float, g: float) -> float:
    """n_beta E[w^(2k)] under |w|^h exp(-s w^(2k) - g w^2/2), by mpmath quadrature split at the posterior's scale."""
    mp.mp.dps = 40  # 30 digits leave the tanh-sinh rule 3e-6 off for (k, h) = (3, 8) at 1e12
    f = lambda w: w**h * mp.exp(-s * w ** (2 * k) - g * w * w / 2)  # noqa: E731
    sc = mp.mpf(s) ** (-1 / mp.mpf(2 * k))
    pts = [0] + [sc * x for x in (0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 100)] + [mp.inf]
    return float(s * mp.quad(lambda w: w ** (2 * k) * f(w), pts, maxdegree=10) / mp.quad(f, pts, maxdegree=10))


@pytest.mark.parametrize("k,h", [(2, 3), (3, 8)])
def test_one_dimensional_against_mpmath(k: int, h: int) -> None:
    got = normal_crossing_llc([k], LARGE[1::2], prior_powers=[h])
    want = [_one_dim(k, h, s, 1.0) for s in LARGE[1::2]]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def _two_dim(h1: int, h2: int, s: float, g: float) -> float:
    r"""n_beta E[(w_1 w_2)^2]: w_1 integrated in closed form (a Gamma integral), w_2 by mpmath.

    With c = s w_2^2 + g/2 and a_1 = (h_1+1)/2: int w^h1 e^{-c w^2} dw = Gamma(a_1)/(2 c^a_1), and the
    same with w^(h1+2) gives an extra a_1/c.
    """
    mp.mp.dps = 40  # 30 digits leave the tanh-sinh rule 3e-6 off for (k, h) = (3, 8) at 1e12
    a1 = mp.mpf(h1 + 1) / 2

    def base(w: mp.mpf) -> mp.mpf:
        return w**h2 * mp.exp(-g * w * w / 2) * (s * w * w + mp.mpf(g) / 2) ** (-a1)

    num = lambda w: base(w) * w * w * a1 / (s * w * w + mp.mpf(g) / 2)  # noqa: E731
    sc = mp.mpf(s) ** -0.5
    pts = [0, sc / 100, sc / 10, sc, 10 * sc, 100 * sc, mp.mpf(1), mp.inf]
    return float(s * mp.quad(num, pts, maxdegree=10) / mp.quad(base, pts, maxdegree=10))


@pytest.mark.parametrize("h1,h2", [(0, 0), (2, 1)])
def test_two_dimensional_against_mpmath(h1: int, h2: int) -> None:
    got = normal_crossing_llc([1, 1], LARGE[1:4:2], prior_powers=[h1, h2])
    want = [_two_dim(h1, h2, s, 1.0) for s in LARGE[1:4:2]]
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_finite_everywhere_and_below_lambda_for_m_equal_two() -> None:
    # m = 2: n beta E[K] rises towards lambda = 1/2 from below, never NaN
    v = normal_crossing_llc([1, 1], np.geomspace(1e2, 1e14, 7))
    assert np.all(np.isfinite(v)) and np.all(np.diff(v) > 0) and np.all(v < 0.5)
    lam = float(rlct_normal_crossing([1, 1])[0])
    gaps = lam - v
    # the gap closes like (m - 1) / log(n beta) up to lower-order terms
    assert gaps[-1] * math.log(1e14) == pytest.approx(gaps[3] * math.log(1e8), rel=0.3)


def test_grid_step_converged() -> None:
    a = normal_crossing_tempered_loss([1, 2], [30.0, 1e6], prior_powers=[1, 0], grid_step=0.004)
    b = normal_crossing_tempered_loss([1, 2], [30.0, 1e6], prior_powers=[1, 0], grid_step=0.002)
    np.testing.assert_allclose(a, b, rtol=1e-12)
