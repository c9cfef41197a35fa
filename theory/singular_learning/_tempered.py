"""Finite-n tempered posteriors: normal-crossing quadrature, WBIC temperature, SGLD step-size law.

Private module; the public names are re-exported by :mod:`theory.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from scipy import optimize, signal, special

from theory import validate as v

__all__ = [
    "wbic_beta",
    "normal_crossing_tempered_loss",
    "normal_crossing_llc",
    "sgld_quadratic_llc",
    "sgld_step_size_bias",
]

#: Each log-gamma factor is kept down to e^-_TAIL of its mode on both sides.
_TAIL = 45.0
#: Largest grid a factor may need (a guard against absurd n_beta; ~1e-300 posteriors).
_MAX_POINTS = 20_000_000
#: A bound on the FFT convolution's absolute round-off, relative to the peak of the density.
_FFT_NOISE = 1e-14


def wbic_beta(n: int) -> float:
    r"""The WBIC inverse temperature :math:`\beta^* = 1/\ln n`.

    At :math:`\beta^*` the tempered posterior mean of :math:`nL_n` equals the Bayes free
    energy to :math:`O_p(\sqrt{\log n})`.

    Parameters
    ----------
    n
        Sample size, an integer >= 2 (so that :math:`\ln n > 0`).

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        ``n`` is not an integer >= 2.

    References
    ----------
    S. Watanabe, "A widely applicable Bayesian information criterion", JMLR 14 (2013) 867, Thm 4.
    """
    return 1.0 / math.log(v.integer(n, "n", minimum=2))


def _powers(powers: Any, prior_powers: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ks = v.integers(powers, "powers", minimum=0)
    if max(ks) == 0:
        raise ValueError(f"powers must contain at least one positive exponent; got {list(ks)}")
    hs = (0,) * len(ks) if prior_powers is None else v.integers(prior_powers, "prior_powers", minimum=0, length=len(ks))
    return ks, hs


def _n_beta(n_beta: Any) -> np.ndarray:
    if isinstance(n_beta, (Sequence, np.ndarray)) and not isinstance(n_beta, (str, bytes)):
        nb = v.array(n_beta, "n_beta", ndim=(0, 1), min_size=1)
        if np.any(nb <= 0):
            raise ValueError(f"n_beta must be > 0; got {nb[nb <= 0][:3].tolist()}")
        return nb
    return np.asarray(v.real(n_beta, "n_beta", minimum=0.0, open_min=True))


def _factor_log_density(b: float, k: int, theta: float, dy: float) -> tuple[float, np.ndarray]:
    r"""``(y_lo, log f)`` on a grid of step ``dy``: :math:`Y = k\log G`, :math:`G \sim \mathrm{Gamma}(b, \theta)`,
    up to a constant, over the range where :math:`f \ge e^{-45}\max f` (both tails)."""
    zm = math.log(b * theta)  # mode of z = log G: b z - e^z/theta is maximal at e^z = b theta
    zlo = zm - (_TAIL + b) / b  # log f(zlo) - log f(zm) = b (zlo - zm) + b - e^zlo/theta <= -_TAIL
    zhi = math.log(theta) + math.log(b + _TAIL + 10.0 * math.sqrt(b + 1.0))
    npts = int(math.ceil(k * (zhi - zlo) / dy)) + 1
    if npts > _MAX_POINTS:
        raise ArithmeticError(f"normal_crossing_tempered_loss: a grid of {npts} points would be needed (n_beta too large)")
    z = (k * zlo + dy * np.arange(npts)) / k
    logf = b * z - np.exp(z) / theta
    return k * zlo, logf - logf.max()


def _tilt(ks: list[int], aa: list[float], theta: float, target: float) -> float:
    r"""The exponential tilt :math:`t \in (-\lambda, 0]` whose tilted law of :math:`\log K` has mean ``target``.

    Tilting by :math:`e^{tY}` turns each :math:`\mathrm{Gamma}(a_j, \theta)` into
    :math:`\mathrm{Gamma}(a_j + t k_j, \theta)`, so the tilted mean is
    :math:`\sum_j k_j(\log\theta + \psi(a_j + tk_j))`, increasing in :math:`t`; it tends to
    :math:`-\infty` as :math:`t \to -\lambda = -\min_j a_j/k_j`.
    """
    def mean(t: float) -> float:
        return sum(k * (math.log(theta) + float(special.digamma(a + t * k))) for k, a in zip(ks, aa)) - target

    if mean(0.0) <= 0.0:
        return 0.0
    lam = min(a / k for k, a in zip(ks, aa))
    lo = -lam * (1.0 - 1e-12)
    return float(optimize.brentq(mean, lo, 0.0, xtol=1e-14, rtol=1e-12)) if mean(lo) < 0 else lo


def _tempered_mean(ks: list[int], aa: list[float], theta: float, s: float, dy: float) -> float:
    r""":math:`E_s[K]` for one :math:`s = n\beta`, by quadrature of the tilted law of :math:`Y = \log K`."""
    lam = min(a / k for k, a in zip(ks, aa))
    t = _tilt(ks, aa, theta, math.log(lam / s))
    dens, ylo = None, 0.0
    for k, a in zip(ks, aa):
        lo, logf = _factor_log_density(a + t * k, k, theta, dy)
        f = np.exp(logf)
        dens = f if dens is None else signal.fftconvolve(dens, f)
        ylo += lo
        dens = dens / dens.max()
    assert dens is not None
    y = ylo + dy * np.arange(dens.size)
    with np.errstate(divide="ignore"):
        logd = np.log(np.maximum(dens, 0.0))
    # the posterior of Y, untilted: e^{-s e^y} f_Y(y) = e^{-t y - s e^y} f^{(t)}(y) / M(t)
    logu = -t * y - s * np.exp(y)
    logw = logd + logu
    top = float(logw.max())
    if not (np.isfinite(top) and logw[0] < top - 37.0 and logw[-1] < top - 37.0):
        raise ArithmeticError(f"normal_crossing_tempered_loss: the grid does not hold the integrand at n_beta={s:g}")
    wts = np.exp(logw - top)
    ey = np.exp(y)
    den, num = float(np.sum(wts)), float(np.sum(ey * wts))
    # FFT round-off: at most _FFT_NOISE (relative to the peak of the tilted density) at every point
    u = np.exp(logu - top)
    if _FFT_NOISE * max(float(np.sum(u)) / den, float(np.sum(ey * u)) / num) > 1e-9:
        raise ArithmeticError(f"normal_crossing_tempered_loss: FFT round-off would exceed 1e-9 relative at n_beta={s:g}")
    return num / den


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
    :math:`G_j = w_j^2` are independent :math:`\mathrm{Gamma}(a_j, \theta)`, :math:`a_j = (h_j+1)/2`,
    :math:`\theta = 2/\gamma`, so :math:`Y = \log K = \sum_j k_j \log G_j` has the density
    :math:`f_Y = f_1 * \cdots * f_d` (a convolution of scaled log-gamma densities) and

    .. math:: E_{n\beta}[K] = \frac{\int e^{y - n\beta e^y} f_Y(y)\,dy}
                                   {\int e^{-n\beta e^y} f_Y(y)\,dy}.

    For large :math:`n\beta` the posterior of :math:`Y` sits near :math:`\log(\lambda/n\beta)`, deep in
    the left tail of :math:`f_Y`.  The quadrature therefore uses the exponentially tilted law
    :math:`f^{(t)}(y) \propto e^{ty} f_Y(y)` -- again a convolution of log-gamma densities, with
    shapes :math:`a_j + tk_j` -- whose mean is placed at :math:`\log(\lambda/n\beta)`
    (:math:`-\lambda < t \le 0`), and integrates :math:`e^{-ty - n\beta e^y} f^{(t)}(y)` in log
    space; the normalisation :math:`E[K^t]` cancels in the ratio.  Each factor is kept down to
    :math:`e^{-45}` of its mode on both sides, the convolution is done by FFT on a uniform grid
    (the integrands are smooth, so the Riemann sums converge spectrally), and the result is
    refused (``ArithmeticError``) unless the grid ends are below :math:`10^{-16}` of the
    integrand's peak and the FFT round-off (at most :math:`10^{-14}` of the density's peak per
    point) can move the result by less than :math:`10^{-9}` relative.  As :math:`n\beta \to \infty`, :math:`n\beta E[K] \to \lambda` of
    :func:`rlct_normal_crossing`, slowly (:math:`\sim (m-1)/\log n\beta`) when :math:`m > 1`.

    Parameters
    ----------
    powers
        :math:`k_j \ge 0` (integers), at least one positive.
    n_beta
        :math:`n\beta > 0`, a number or a 1-d sequence.
    gamma
        Localization strength :math:`\gamma > 0`.
    prior_powers
        :math:`h_j \ge 0` (integers), one per power; default all zero.
    grid_step
        Spacing of the log-grid, in :math:`(0, 0.02]` (the default 0.004 agrees with a grid
        twice as fine to about :math:`10^{-12}` relative).

    Returns
    -------
    numpy.ndarray
        :math:`E[K]`, with the shape of ``n_beta`` (0-d for a number).

    Raises
    ------
    TypeError, ValueError
        Invalid arguments.
    ArithmeticError
        The quadrature cannot resolve the integrand (never returned silently).

    References
    ----------
    Watanabe (2009), sec. 2.4; Lau et al., arXiv:2308.12108, sec. 4 (localized posterior);
    Barndorff-Nielsen & Cox, *Asymptotic Techniques for Use in Statistics* (1989), sec. 4.2
    (exponential tilting).
    """
    ks, hs = _powers(powers, prior_powers)
    g = v.real(gamma, "gamma", minimum=0.0, open_min=True)
    nb = _n_beta(n_beta)
    dy = v.real(grid_step, "grid_step", minimum=0.0, maximum=0.02, open_min=True)
    theta = 2.0 / g
    kk = [k for k in ks if k > 0]
    aa = [(h + 1) / 2.0 for k, h in zip(ks, hs) if k > 0]
    out = np.empty(nb.shape)
    for idx, s in np.ndenumerate(nb):
        out[idx] = _tempered_mean(kk, aa, theta, float(s), dy)
    return out


def normal_crossing_llc(
    powers: Sequence[int],
    n_beta: float | Sequence[float],
    *,
    gamma: float = 1.0,
    prior_powers: Sequence[int] | None = None,
) -> np.ndarray:
    r"""Finite-:math:`n\beta` local learning coefficient :math:`n\beta\,E_{n\beta}[K]` of a normal-crossing model.

    The expectation of the LLC estimator :math:`\hat\lambda = n\beta(E[L_n] - L_n(w^*))` with
    :math:`L_n = K`, :math:`L_n(w^*) = 0`, computed by :func:`normal_crossing_tempered_loss`.

    Parameters
    ----------
    powers, n_beta, gamma, prior_powers
        As in :func:`normal_crossing_tempered_loss`.

    Returns
    -------
    numpy.ndarray
        With the shape of ``n_beta``.

    Raises
    ------
    TypeError, ValueError, ArithmeticError
        As :func:`normal_crossing_tempered_loss`.

    References
    ----------
    Lau, Furman, Wang, Murfet & Wei, arXiv:2308.12108, Def. 1; Watanabe (2009), sec. 2.4.
    """
    nb = _n_beta(n_beta)
    return nb * normal_crossing_tempered_loss(powers, nb, gamma=gamma, prior_powers=prior_powers)


def _quadratic_args(curvatures: Any, n_beta: Any, gamma: Any, step_size: Any) -> tuple[np.ndarray, float, float, float, np.ndarray]:
    if isinstance(curvatures, (Sequence, np.ndarray)) and not isinstance(curvatures, (str, bytes)):
        h = np.asarray(v.reals(curvatures, "curvatures", minimum=0.0))
    else:
        h = np.asarray([v.real(curvatures, "curvatures", minimum=0.0)])
    nb = v.real(n_beta, "n_beta", minimum=0.0, open_min=True)
    g = v.real(gamma, "gamma", minimum=0.0)
    eps = v.real(step_size, "step_size", minimum=0.0, open_min=True)
    A = nb * h + g
    if np.any(A <= 0):
        raise ValueError("n_beta * curvature + gamma must be > 0 in every direction (a zero curvature needs gamma > 0)")
    return h, nb, g, eps, A


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

    so the estimator averaged over the draws :math:`t = b, \dots, b + T - 1` has the exact expectation

    .. math:: E\hat\lambda = \frac{n\beta}{T}\sum_{t=b}^{b+T-1}\sum_i \frac{h_i}{2} v_i (1 - \rho_i^{2t})
              \xrightarrow{t\to\infty} \sum_i \frac{n\beta h_i}{2 A_i (1 - \epsilon A_i/4)}.

    Parameters
    ----------
    curvatures
        :math:`h_i \ge 0` (a number or a sequence).
    n_beta
        :math:`n\beta > 0`.
    gamma
        Localization :math:`\gamma \ge 0` (> 0 when a curvature is zero).
    step_size
        :math:`\epsilon > 0`, with :math:`\epsilon A_i < 4` (the chain diverges otherwise).
    burn_in, draws
        :math:`b \ge 0` and :math:`T \ge 1`, both or neither; ``None``: the stationary value.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        Invalid arguments, or :math:`\epsilon A_i \ge 4` (SGLD diverges).

    References
    ----------
    Welling & Teh, ICML 2011 (SGLD); Brockwell & Davis, *Time Series: Theory and Methods*
    (1991), sec. 3.3 (the AR(1) variance).
    """
    h, nb, g, eps, A = _quadratic_args(curvatures, n_beta, gamma, step_size)
    if np.any(eps * A >= 4):
        raise ValueError(f"step_size * (n_beta h_max + gamma) = {eps * A.max():.3g} >= 4: SGLD diverges")
    var = 1.0 / (A * (1 - eps * A / 4))
    if burn_in is None and draws is None:
        return float(np.sum(nb * h / 2 * var))
    if burn_in is None or draws is None:
        raise ValueError("give both burn_in and draws, or neither (the stationary value)")
    b = v.integer(burn_in, "burn_in", minimum=0)
    T = v.integer(draws, "draws", minimum=1)
    rho2 = (1 - eps * A / 2) ** 2
    # mean over t = b..b+T-1 of rho2^t, in closed form
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = np.where(rho2 < 1 - 1e-15, rho2**b * (1 - rho2**T) / (T * (1 - rho2)), 1.0)
    return float(np.sum(nb * h / 2 * var * (1 - geo)))


def sgld_step_size_bias(curvature_max: float, n_beta: float, gamma: float, step_size: float) -> float:
    r"""Relative step-size bias of the SGLD LLC estimate in the stiffest direction.

    From :func:`sgld_quadratic_llc`: each direction is inflated by the factor
    :math:`1/(1 - \epsilon A/4)`, so the relative bias is at most

    .. math:: b = \frac{\epsilon A_{\max}/4}{1 - \epsilon A_{\max}/4},\qquad A_{\max} = n\beta h_{\max} + \gamma

    (``inf`` when :math:`\epsilon A_{\max} \ge 4`).

    Parameters
    ----------
    curvature_max, n_beta, gamma, step_size
        :math:`h_{\max} \ge 0`, :math:`n\beta > 0`, :math:`\gamma \ge 0`, :math:`\epsilon > 0`.

    Returns
    -------
    float

    References
    ----------
    Welling & Teh, ICML 2011; the AR(1) stationary variance (Brockwell & Davis 1991, sec. 3.3).
    """
    h = v.real(curvature_max, "curvature_max", minimum=0.0)
    nb = v.real(n_beta, "n_beta", minimum=0.0, open_min=True)
    g = v.real(gamma, "gamma", minimum=0.0)
    eps = v.real(step_size, "step_size", minimum=0.0, open_min=True)
    x = eps * (nb * h + g) / 4
    return math.inf if x >= 1 else x / (1 - x)
