"""Statistics of network-ensemble outputs with standard errors.

iid means (analytic) and the delta method for ratios of means (Casella & Berger,
*Statistical Inference*, sec. 5.5.4); Rao-Blackwellised versions from the conditional
Gaussian law of the output given the last hidden layer.  A moment ratio also carries the
sample moments a calibrated test of it needs (``diagnostics["ratio_moments"]``): the delta
method's normal z is skewed for heavy-tailed conditional variances, and a test that corrects
for the skewness (Hall 1992) needs the third moments of the influence function.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from numerics import validate as v
from numerics.activations import torch_activation
from numerics.estimate import Estimate

__all__ = [
    "moment_ratio_estimate",
    "excess_kurtosis_estimate",
    "conditional_moments_estimate",
    "conditional_moment_ratio_estimate",
    "covariance_estimate",
    "fourth_cumulant_estimate",
    "conditional_fourth_cumulant_estimate",
    "integrated_moments_estimate",
]


def _ratio_of_means(a: np.ndarray, b: np.ndarray, p: float) -> tuple[float, float]:
    """mean(a)/mean(b)^p and its delta-method standard error."""
    ma, mb = a.mean(), b.mean()
    cov = np.cov(np.stack([a, b])) / a.size
    g = np.array([1 / mb ** p, -p * ma / mb ** (p + 1)])
    return float(ma / mb ** p), float(math.sqrt(max(g @ cov @ g, 0.0)))


def _samples1d(samples: Any, name: str = "samples") -> np.ndarray:
    return v.array(samples, name, ndim=1, min_size=2)


def _seed_seconds(seed: Any, seconds: Any) -> tuple[int | None, float]:
    return (None if seed is None else v.seed(seed)), v.real(seconds, "seconds", minimum=0.0)


def ratio_moments(a: np.ndarray, b: np.ndarray, m: int) -> dict[str, float]:
    """Means and central moments (orders 2 and 3) of the pair ``(a, b)``, for a test of ``E a / (E b)^m``."""
    ma, mb = float(a.mean()), float(b.mean())
    da, db = a - ma, b - mb
    out = {"n": float(a.size), "m": float(m), "mean_a": ma, "mean_b": mb}
    for key, x in (("aa", da * da), ("ab", da * db), ("bb", db * db)):
        out["s" + key] = float(x.mean())
    for key, x in (("aaa", da ** 3), ("aab", da * da * db), ("abb", da * db * db), ("bbb", db ** 3)):
        out["s" + key] = float(x.mean())
    return out


def moment_ratio_estimate(samples: Any, k: int, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """:math:`\\overline{z^k} / (\\overline{z^2})^{k/2}` (moments about 0) with a delta-method standard error.

    Parameters
    ----------
    samples
        One-dimensional finite samples (at least 2).
    k
        Moment order, an int >= 2.
    seed, seconds
        Recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate

    References
    ----------
    Casella & Berger, *Statistical Inference* (2002), sec. 5.5.4 (delta method).
    """
    s = _samples1d(samples)
    k = v.integer(k, "k", minimum=2)
    seed, seconds = _seed_seconds(seed, seconds)
    val, se = _ratio_of_means(s ** k, s ** 2, k / 2)
    return Estimate(val, se, s.size, seed=seed, seconds=seconds, method="delta")


def excess_kurtosis_estimate(samples: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Excess kurtosis about 0, :math:`\\overline{z^4}/(\\overline{z^2})^2 - 3`, with a delta-method standard error.

    Computed as :func:`moment_ratio_estimate` with ``k = 4``, minus 3 (Casella & Berger 2002, sec. 5.5.4).

    Parameters
    ----------
    samples : array_like
        One-dimensional finite samples :math:`z` (at least 2).
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        The excess kurtosis (a float) and its standard error; ``method="delta"``.
    """
    e = moment_ratio_estimate(samples, 4, seed=seed, seconds=seconds)
    return Estimate(e.value - 3.0, e.stderr, e.samples, seed=seed, seconds=seconds, method="delta")


def conditional_moments_estimate(S: Any, Q: Any = None, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Output variance and excess kurtosis from conditional variances ``S`` (Rao-Blackwellised).

    If given the last hidden layer the output has variance :math:`S` and fourth cumulant :math:`Q` (0 for
    Gaussian last-layer parameters: ``Q=None``) then :math:`E z^2 = E S` and
    :math:`E z^4 = E[3S^2 + Q]`, so the excess kurtosis is :math:`(3\\,\\overline{S^2} + \\overline{Q})/\\bar S^2 - 3`;
    estimating these from ``S`` (and ``Q``) removes the noise of the last layer (Rao-Blackwell; Casella &
    Berger sec. 7.3.3).

    Parameters
    ----------
    S
        Conditional variances, one per network (>= 2, finite).
    Q
        Conditional fourth cumulants, one per network (``None``: Gaussian last layer).
    seed, seconds
        Recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        ``value = [variance, excess_kurtosis]`` with delta-method standard errors.

    Raises
    ------
    TypeError, ValueError
        ``S`` (or ``Q``) not a finite 1-d array of >= 2 values, or of different lengths.
    """
    s = _samples1d(S, "S")
    seed, seconds = _seed_seconds(seed, seconds)
    var, se_var = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    if Q is None:
        r, se_r = _ratio_of_means(s * s, s, 2.0)
        return Estimate(np.array([var, 3 * (r - 1)]), np.array([se_var, 3 * se_r]), s.size, seed=seed,
                        seconds=seconds, method="delta (conditional Gaussian)")
    q = _samples1d(Q, "Q")
    if q.size != s.size:
        raise ValueError(f"Q must have the length of S ({s.size}); got {q.size}")
    r, se_r = _ratio_of_means(3 * s * s + q, s, 2.0)
    return Estimate(np.array([var, r - 3]), np.array([se_var, se_r]), s.size, seed=seed, seconds=seconds,
                    method="delta (conditional variance and fourth cumulant)")


def conditional_moment_ratio_estimate(S: Any, k: int, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Rao-Blackwellised :math:`E z^k/(E z^2)^{k/2}` for :math:`z \\mid S \\sim N(0, S)`, even ``k``.

    Equals :math:`(k-1)!!\\,\\overline{S^{k/2}}/\\overline{S}^{k/2}` (Gaussian moments
    :math:`E[g^k] = (k-1)!!`); delta-method standard error (Casella & Berger sec. 5.5.4), and in
    ``diagnostics["ratio_moments"]`` the means and central moments of :math:`(S^{k/2}, S)` up to
    order 3, from which a skewness-corrected test of a hypothesised ratio is computed (Hall 1992).

    Parameters
    ----------
    S : array_like
        Conditional variances :math:`S \\ge 0`, one per network (one-dimensional, finite, at least 2).
    k : int
        Moment order, even and >= 2.
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        The ratio (a float), its standard error and ``diagnostics["ratio_moments"]`` (with the factor
        ``double_factorial`` :math:`(k-1)!!`).

    Raises
    ------
    TypeError, ValueError
        ``S`` not a finite 1-d array of >= 2 values; ``k`` not an even int >= 2.
    """
    s = _samples1d(S, "S")
    k = v.integer(k, "k", minimum=2)
    if k % 2:
        raise ValueError(f"k must be even; got {k}")
    seed, seconds = _seed_seconds(seed, seconds)
    m = k // 2
    df = float(np.prod(np.arange(k - 1, 0, -2)))
    a = s ** m
    val, se = _ratio_of_means(a, s, float(m))
    return Estimate(df * val, df * se, s.size, seed=seed, seconds=seconds, method="delta (conditional Gaussian)",
                    diagnostics={"ratio_moments": {**ratio_moments(a, s, m), "double_factorial": df}})


def covariance_estimate(outputs: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Ensemble covariance :math:`\\overline{z(x_a) z(x_b)}` (about 0) with elementwise iid standard errors.

    ``outputs`` is ``(members, points)``; the ensemble mean is 0 by the symmetry :math:`W \\to -W` of the
    initialisation, so the raw second moments are unbiased for the covariance.

    Parameters
    ----------
    outputs : array_like
        Shape ``(members, points)``: one network's outputs per row (members >= 2, points >= 1), finite.
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        ``value`` and ``stderr`` of shape ``(points, points)``; ``method="analytic"``.

    Raises
    ------
    TypeError, ValueError
        ``outputs`` not a finite 2-d array of that shape.
    """
    Z = v.array(outputs, "outputs", ndim=2)
    if Z.shape[0] < 2 or Z.shape[1] < 1:
        raise ValueError(f"outputs must have shape (members >= 2, points >= 1); got {Z.shape}")
    seed, seconds = _seed_seconds(seed, seconds)
    prod = Z[:, :, None] * Z[:, None, :]
    return Estimate(prod.mean(0), prod.std(0, ddof=1) / math.sqrt(Z.shape[0]), Z.shape[0], seed=seed,
                    seconds=seconds, method="analytic")


def fourth_cumulant_estimate(outputs: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Joint fourth cumulants :math:`\\kappa_{abcd} = m_{abcd} - m_{ab}m_{cd} - m_{ac}m_{bd} - m_{ad}m_{bc}` (about 0).

    ``outputs`` is ``(members, points)``; the value has shape ``(P, P, P, P)``.  Standard errors by the
    delta method: the influence function of member :math:`s` is
    :math:`z_az_bz_cz_d - m_{cd}z_az_b - m_{ab}z_cz_d - m_{bd}z_az_c - m_{ac}z_bz_d - m_{bc}z_az_d - m_{ad}z_bz_c`
    (van der Vaart, *Asymptotic Statistics*, ch. 20), whose standard deviation over :math:`\\sqrt{E}` is the error.

    Parameters
    ----------
    outputs : array_like
        Shape ``(members, points)``: one network's outputs per row (members :math:`E \\ge 2`, points
        :math:`P \\ge 1`), finite.
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        ``value`` and ``stderr`` of shape ``(P, P, P, P)``; ``method="delta"``.

    Raises
    ------
    TypeError, ValueError
        ``outputs`` not a finite 2-d array of that shape.
    """
    Z = v.array(outputs, "outputs", ndim=2)
    if Z.shape[0] < 2 or Z.shape[1] < 1:
        raise ValueError(f"outputs must have shape (members >= 2, points >= 1); got {Z.shape}")
    seed, seconds = _seed_seconds(seed, seconds)
    P = Z.shape[1]
    m2 = Z.T @ Z / Z.shape[0]
    val = np.empty((P,) * 4)
    se = np.empty((P,) * 4)
    for a in range(P):
        for b in range(P):
            for c in range(P):
                for d in range(P):
                    za, zb, zc, zd = Z[:, a], Z[:, b], Z[:, c], Z[:, d]
                    phi = (za * zb * zc * zd - m2[c, d] * za * zb - m2[a, b] * zc * zd - m2[b, d] * za * zc
                           - m2[a, c] * zb * zd - m2[b, c] * za * zd - m2[a, d] * zb * zc)
                    val[a, b, c, d] = np.mean(za * zb * zc * zd) - m2[a, b] * m2[c, d] - m2[a, c] * m2[b, d] - m2[a, d] * m2[b, c]
                    se[a, b, c, d] = phi.std(ddof=1) / math.sqrt(Z.shape[0])
    return Estimate(val, se, Z.shape[0], seed=seed, seconds=seconds, method="delta")


def conditional_fourth_cumulant_estimate(Sigma: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Rao-Blackwellised joint fourth cumulants of :math:`z \\mid \\Sigma \\sim N(0, \\Sigma)`.

    By Isserlis' theorem :math:`E[z_az_bz_cz_d] = E[\\Sigma_{ab}\\Sigma_{cd} + \\Sigma_{ac}\\Sigma_{bd} + \\Sigma_{ad}\\Sigma_{bc}]`,
    so :math:`\\kappa_{abcd} = \\mathrm{Cov}(\\Sigma_{ab},\\Sigma_{cd}) + \\mathrm{Cov}(\\Sigma_{ac},\\Sigma_{bd}) + \\mathrm{Cov}(\\Sigma_{ad},\\Sigma_{bc})`.
    ``Sigma`` is ``(members, P, P)``; delta-method standard errors from the influence function
    :math:`\\sum (\\Sigma_{ab}-\\bar\\Sigma_{ab})(\\Sigma_{cd}-\\bar\\Sigma_{cd})` over the three pairings.

    Parameters
    ----------
    Sigma : array_like
        Shape ``(members, P, P)``: each network's conditional output covariance :math:`\\Sigma` over ``P`` inputs
        (members >= 2, P >= 1), finite.
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        ``value`` and ``stderr`` of shape ``(P, P, P, P)``; ``method="delta (conditional Gaussian)"``.

    Raises
    ------
    TypeError, ValueError
        ``Sigma`` not a finite 3-d array of that shape.
    """
    S = v.array(Sigma, "Sigma", ndim=3)
    if S.shape[1] != S.shape[2] or S.shape[0] < 2 or S.shape[1] < 1:
        raise ValueError(f"Sigma must have shape (members >= 2, P, P); got {S.shape}")
    seed, seconds = _seed_seconds(seed, seconds)
    P, N = S.shape[1], S.shape[0]
    D = S - S.mean(0)
    val = np.empty((P,) * 4)
    se = np.empty((P,) * 4)
    for a in range(P):
        for b in range(P):
            for c in range(P):
                for d in range(P):
                    phi = D[:, a, b] * D[:, c, d] + D[:, a, c] * D[:, b, d] + D[:, a, d] * D[:, b, c]
                    val[a, b, c, d] = phi.mean()
                    se[a, b, c, d] = phi.std(ddof=1) / math.sqrt(N)
    return Estimate(val, se, N, seed=seed, seconds=seconds, method="delta (conditional Gaussian)")


def integrated_moments_estimate(S_prev: Any, activation: Any, C_W: float, C_b: float, width: int, *,
                                order: int = 80, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    r"""Output variance and excess kurtosis with the last hidden layer integrated out (Rao-Blackwell twice).

    ``S_prev`` are the conditional variances of the last hidden layer's preactivations given the
    layer before (one per network: ``conditional_variance`` of the network cut before its last hidden
    layer).  Given it, the ``width`` preactivations are iid :math:`N(0, q)`, so the output's
    conditional variance :math:`S = C_b + \frac{C_W}{n}\sum_i\sigma(z_i)^2` has

    .. math::

        E[S\mid q] = C_b + C_W\mu_2(q),\qquad
        E[S^2\mid q] = (C_b + C_W\mu_2(q))^2 + \frac{C_W^2}{n}\big(\mu_4(q) - \mu_2(q)^2\big),

    :math:`\mu_p(q) = E\,\sigma(\sqrt q\,g)^p` by Gauss-Hermite with ``order`` nodes (smooth
    activations: error far below the sampling error).  Then :math:`E z^2 = \overline{E[S|q]}` and the
    excess kurtosis is :math:`3(\overline{E[S^2|q]} - \overline{E[S|q]}^2)/\overline{E[S|q]}^2`, with
    delta-method standard errors (Casella & Berger 2002, sec. 5.5.4 and 7.3.3).

    Parameters
    ----------
    S_prev : array_like
        The conditional variances :math:`q \ge 0` of the last hidden layer's preactivations, one per network
        (one-dimensional, finite, at least 2).
    activation : str, tuple, callable or TorchActivation
        The last hidden layer's activation :math:`\sigma`, as :func:`numerics.activations.torch_activation` takes it.
    C_W : float
        Output layer's weight variance :math:`C_W > 0` (weights of variance :math:`C_W/n`).
    C_b : float
        Output layer's bias variance :math:`C_b \ge 0`.
    width : int
        Width :math:`n \ge 1` of the last hidden layer.
    order : int, default 80
        Number of Gauss-Hermite nodes (>= 8).
    seed : int, optional
        The seed of the measurement, recorded in the :class:`~numerics.estimate.Estimate`.
    seconds : float, default 0.0
        Wall time of the measurement (>= 0), recorded in the :class:`~numerics.estimate.Estimate`.

    Returns
    -------
    Estimate
        ``value = [variance, excess_kurtosis]``.

    Raises
    ------
    TypeError, ValueError
        Bad types, non-positive variances or width, ``order`` < 8.
    """
    q = _samples1d(S_prev, "S_prev")
    if np.any(q < 0):
        raise ValueError("S_prev must be >= 0")
    fn = torch_activation(activation).fn
    cw = v.real(C_W, "C_W", minimum=0.0, open_min=True)
    cb = v.real(C_b, "C_b", minimum=0.0)
    n = v.integer(width, "width", minimum=1)
    order = v.integer(order, "order", minimum=8)
    seed, seconds = _seed_seconds(seed, seconds)
    x, w = np.polynomial.hermite_e.hermegauss(order)
    w = torch.as_tensor(w / math.sqrt(2 * math.pi))
    m1, m2 = np.empty(q.size), np.empty(q.size)
    for a in range(0, q.size, 65536):
        qs = torch.as_tensor(q[a:a + 65536])
        s2 = fn(torch.sqrt(qs)[:, None] * torch.as_tensor(x)[None, :]) ** 2
        mu2, mu4 = (s2 @ w).numpy(), ((s2 * s2) @ w).numpy()
        m1[a:a + 65536] = cb + cw * mu2
        m2[a:a + 65536] = (cb + cw * mu2) ** 2 + cw * cw / n * (mu4 - mu2 * mu2)
    var, se_var = float(m1.mean()), float(m1.std(ddof=1) / math.sqrt(m1.size))
    r, se_r = _ratio_of_means(m2, m1, 2.0)
    return Estimate(np.array([var, 3 * (r - 1)]), np.array([se_var, 3 * se_r]), q.size, seed=seed,
                    seconds=seconds, method="delta (last hidden layer integrated out)")
