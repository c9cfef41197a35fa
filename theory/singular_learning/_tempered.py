"""Finite-n tempered posteriors: normal-crossing quadrature, WBIC temperature, SGLD bias.

Private module; the public names are re-exported by :mod:`theory.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import signal, special

__all__ = [
    "wbic_beta",
    "normal_crossing_tempered_loss",
    "normal_crossing_llc",
    "sgld_quadratic_llc",
    "sgld_step_size_bias",
]


def wbic_beta(n: int) -> float:
    r"""The WBIC inverse temperature :math:`\beta^* = 1/\ln n`.

    At :math:`\beta^*` the tempered posterior mean of :math:`n L_n` equals the Bayes free
    energy to :math:`O_p(\sqrt{\log n})`.

    References
    ----------
    S. Watanabe, "A widely applicable Bayesian information criterion", JMLR 14 (2013) 867, Thm 4.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n must be >= 2 (ln n > 0), got {n}")
    return 1.0 / math.log(int(n))


def _check_positive(name: str, v: float) -> float:
    f = float(v)
    if not math.isfinite(f) or f <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {v}")
    return f


def normal_crossing_tempered_loss(
    powers: Sequence[int],
    n_beta: float | Sequence[float],
    *,
    gamma: float = 1.0,
    prior_powers: Sequence[int] | None = None,
    grid_step: float = 0.004,
) -> np.ndarray:
    r"""Exact finite-:math:`n\beta` expected loss :math:`E_{n\beta}[K]` of a normal-crossing model.

    The localized tempered posterior is
    :math:`p(w) \propto e^{-n\beta K(w)}\prod_j |w_j|^{h_j} e^{-\gamma w_j^2/2}` on
    :math:`\mathbb R^d` with :math:`K(w) = \prod_j w_j^{2k_j}`.  Under the prior the
    :math:`G_j = w_j^2` are independent :math:`\mathrm{Gamma}((h_j+1)/2,\ 2/\gamma)`, so
    :math:`Y = \log K = \sum_j k_j \log G_j` has the density
    :math:`f_Y = f_1 * \cdots * f_d` (a convolution of scaled log-gamma densities,
    computed on a uniform grid by FFT), and

    .. math:: E_{n\beta}[K] = \frac{\int e^{y - n\beta e^y} f_Y(y)\,dy}
                                   {\int e^{-n\beta e^y} f_Y(y)\,dy}.

    As :math:`n\beta \to \infty`, :math:`n\beta E[K] \to \lambda` of
    :func:`rlct_normal_crossing`, slowly (:math:`\sim (m-1)/\log n\beta`) when
    :math:`m > 1`; this function gives the finite value that a sampler must reproduce.

    Parameters
    ----------
    powers, prior_powers
        :math:`k_j \ge 0` (one positive at least) and :math:`h_j \ge 0`.
    n_beta
        :math:`n\beta > 0`, scalar or array.
    gamma
        Localization strength :math:`\gamma > 0`.
    grid_step
        Spacing of the log-grid (the integrands are smooth, so the Riemann sums converge
        spectrally; the default gives ~1e-10 relative accuracy).

    Returns
    -------
    numpy.ndarray
        :math:`E[K]`, with the shape of ``n_beta``.

    References
    ----------
    Watanabe (2009), sec. 2.4; Lau et al., arXiv:2308.12108, sec. 4 (localized posterior).
    """
    ks = [int(k) for k in powers]
    if any(k < 0 for k in ks) or not ks or max(ks) == 0:
        raise ValueError("powers must be non-negative ints with at least one positive")
    hs = [0] * len(ks) if prior_powers is None else [int(h) for h in prior_powers]
    if len(hs) != len(ks) or any(h < 0 for h in hs):
        raise ValueError(f"prior_powers must be {len(ks)} non-negative ints")
    g = _check_positive("gamma", gamma)
    nb = np.asarray(n_beta, dtype=float)
    if not np.all(np.isfinite(nb)) or np.any(nb <= 0):
        raise ValueError("n_beta must be finite and > 0")
    dy = _check_positive("grid_step", grid_step)
    theta = 2.0 / g
    dens = None
    lo_total = 0.0
    for k, h in zip(ks, hs):
        if k == 0:
            continue
        a = (h + 1) / 2.0
        # log G: density exp(a z - e^z/theta) / (Gamma(a) theta^a); keep e^-45 of both tails
        zlo = math.log(theta) - 45.0 / a
        zhi = math.log(theta) + math.log(60.0)
        ylo = k * zlo
        npts = int(math.ceil(k * (zhi - zlo) / dy)) + 1
        y = ylo + dy * np.arange(npts)
        z = y / k
        f = np.exp(a * z - np.exp(z) / theta - special.gammaln(a) - a * math.log(theta)) / k
        dens = f if dens is None else signal.fftconvolve(dens, f) * dy
        lo_total += ylo
    assert dens is not None
    dens = np.maximum(dens, 0.0)  # FFT round-off below ~1e-17 in the far tails
    y = lo_total + dy * np.arange(dens.size)
    out = np.empty(nb.shape)
    for idx, s in np.ndenumerate(nb):
        # weights e^{-s e^y}; factor out the maximum of the log integrand for stability
        logw = -s * np.exp(y)
        num = np.sum(np.exp(y + logw) * dens)
        den = np.sum(np.exp(logw) * dens)
        out[idx] = num / den
    return out


def normal_crossing_llc(
    powers: Sequence[int],
    n_beta: float | Sequence[float],
    *,
    gamma: float = 1.0,
    prior_powers: Sequence[int] | None = None,
) -> np.ndarray:
    r"""Finite-:math:`n\beta` local learning coefficient :math:`n\beta\,E_{n\beta}[K]` of a
    normal-crossing model (see :func:`normal_crossing_tempered_loss`).

    References
    ----------
    Lau, Furman, Wang, Murfet, Wei, arXiv:2308.12108, Def. 1 (estimator
    :math:`\hat\lambda = n\beta(E[L_n] - L_n(w^*))`).
    """
    nb = np.asarray(n_beta, dtype=float)
    return nb * normal_crossing_tempered_loss(powers, nb, gamma=gamma, prior_powers=prior_powers)


def sgld_quadratic_llc(
    curvatures: float | Sequence[float],
    n_beta: float,
    gamma: float,
    step_size: float,
    *,
    burn_in: int | None = None,
    draws: int | None = None,
) -> float:
    r"""Exact expected SGLD LLC estimate on a quadratic loss.

    For :math:`L(w) - L^* = \tfrac12\sum_i h_i (w_i - w^*_i)^2`, full-batch SGLD
    :math:`w_{t+1} = w_t - \tfrac{\epsilon}{2}[n\beta\nabla L + \gamma(w_t - w^*)] +
    \sqrt\epsilon\,\xi_t` started at :math:`w^*` is a Gaussian AR(1) process per
    eigendirection with :math:`A_i = n\beta h_i + \gamma`, :math:`\rho_i = 1 - \epsilon A_i/2`:

    .. math:: \mathrm{Var}(w_{i,t}) = v_i (1 - \rho_i^{2t}), \qquad
              v_i = \frac{\epsilon}{1 - \rho_i^2} = \frac{1}{A_i(1 - \epsilon A_i/4)},

    so the estimator averaged over the draws :math:`t = b, \dots, b + T - 1`
    (the states before steps :math:`b+1, \dots, b+T`) has the exact expectation

    .. math:: E\hat\lambda = \frac{n\beta}{T}\sum_{t=b}^{b+T-1}\sum_i \frac{h_i}{2} v_i (1 - \rho_i^{2t})
              \xrightarrow{t\to\infty} \sum_i \frac{n\beta h_i}{2 A_i (1 - \epsilon A_i/4)}.

    It diverges for :math:`\epsilon A_i \ge 4` (raises ``ValueError``).  With
    ``burn_in=None`` the stationary value is returned.

    References
    ----------
    THEORY.md sec. 4; Welling & Teh, ICML 2011 (SGLD); the AR(1) stationary variance.
    """
    h = np.atleast_1d(np.asarray(curvatures, dtype=float))
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("curvatures must be finite and >= 0")
    nb = _check_positive("n_beta", n_beta)
    g = float(gamma)
    if not math.isfinite(g) or g < 0:
        raise ValueError(f"gamma must be finite and >= 0, got {gamma}")
    eps = _check_positive("step_size", step_size)
    A = nb * h + g
    if np.any(A <= 0):
        raise ValueError("n_beta * curvature + gamma must be > 0 in every direction")
    if np.any(eps * A >= 4):
        raise ValueError(f"step_size * (n_beta h_max + gamma) = {eps * A.max():.3g} >= 4: SGLD diverges")
    v = 1.0 / (A * (1 - eps * A / 4))
    if burn_in is None:
        return float(np.sum(nb * h / 2 * v))
    if int(burn_in) < 0 or draws is None or int(draws) < 1:
        raise ValueError("burn_in must be >= 0 and draws >= 1 when burn_in is given")
    b, T = int(burn_in), int(draws)
    rho2 = (1 - eps * A / 2) ** 2
    # mean over t = b..b+T-1 of rho2^t, in closed form
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = np.where(rho2 < 1 - 1e-15, rho2**b * (1 - rho2**T) / (T * (1 - rho2)), 1.0)
    return float(np.sum(nb * h / 2 * v * (1 - geo)))


def sgld_step_size_bias(curvature_max: float, n_beta: float, gamma: float, step_size: float) -> float:
    r"""Relative step-size bias of the SGLD LLC estimate in the stiffest direction.

    From :func:`sgld_quadratic_llc`: each direction is inflated by the factor
    :math:`1/(1 - \epsilon A/4)`, so the relative bias is at most
    :math:`b = \frac{\epsilon A_{\max}/4}{1 - \epsilon A_{\max}/4}` with
    :math:`A_{\max} = n\beta h_{\max} + \gamma` (returns ``inf`` when
    :math:`\epsilon A_{\max} \ge 4`).

    References
    ----------
    THEORY.md sec. 4 (quadratic step-size law).
    """
    A = float(n_beta) * float(curvature_max) + float(gamma)
    x = float(step_size) * A / 4
    return math.inf if x >= 1 else x / (1 - x)
