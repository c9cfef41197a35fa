r"""When minibatch SGD is a random walk: drift and linearisation bounds for one-hidden-layer erf networks.

Setting (the system of the check ``random_walk.sgd_trajectory``): a network
:math:`f(x) = \sqrt{C_2/n}\sum_{a=1}^n v_a\,\operatorname{erf}(u_a) + \sqrt{C_{b2}}\,b_2`,
:math:`u_a = \sqrt{C_1/d}\,w_a\cdot x + \sqrt{C_{b1}}\,b_{1a}` in NTK parameterisation (unit
Gaussian parameters), trained from :math:`\theta_0` by SGD on
:math:`\tfrac N B\,\tfrac12\sum_{i\in\text{batch}}(f(x_i) - f_0(x_i) - y_i)^2` with rate
:math:`\eta`, batch indices drawn with replacement.  The initial residuals are
:math:`r_i = -y_i`; the labels are iid :math:`\pm s` independent of the inputs (the
*noise-dominated* regime of Antognini & Sohl-Dickstein 2018, arXiv:1806.08805, sec. 5).

**Frozen walk.**  With the gradients frozen at :math:`\theta_0`, the steps
:math:`\xi = -\eta\,g`, :math:`g = \tfrac N B\sum_{j} r_{I_j}\nabla f_{I_j}`, are iid with mean
:math:`-\eta\nabla L` and :math:`\operatorname{tr}\operatorname{Cov}\xi = \tfrac{\eta^2}{B}
(N\sum_i r_i^2\hat\Theta_{ii} - r^\top\hat\Theta r)`, :math:`\hat\Theta` the empirical NTK.
For one hidden layer :math:`E\hat\Theta = \Theta` (the infinite-width NTK) at any width, so
over an ensemble the drift-to-noise ratio of :mod:`theory.random_walk._drift` is exactly

.. math:: \beta = \frac{B\rho}{N - \rho},\qquad
    \rho = \frac{r^\top\Theta r}{\sum_i r_i^2\Theta_{ii}} = 1 + \frac{Q}{\operatorname{tr}\Theta},\quad
    Q = \sum_{i\ne j}\Theta_{ij} z_i z_j,\ z_i = r_i/s .

**Drift bound.**  :math:`Q` is a degree-2 Rademacher chaos with
:math:`\|Q\|_2^2 = 2\sum_{i\ne j}\Theta_{ij}^2`; Bonami's hypercontractive inequality
(O'Donnell, *Analysis of Boolean Functions*, 2014, Thm. 9.21 and 9.23) gives
:math:`P(Q \ge e\,t\,\|Q\|_2) \le e^{-t}`.  With :math:`t = \ln(2/p)`,

.. math:: \rho \le \rho_{\max} = 1 + \frac{e \ln(2/p)\,\|Q\|_2}{\operatorname{tr}\Theta}
    \quad\text{with probability}\ \ge 1 - p/2 \ \text{over the labels.}

Labels that depend on the inputs (a learnable signal) break this bound: that is the
drift-dominated regime, where the trajectory is not a random walk.

**Linearisation bound.**  With :math:`V = \sqrt{2\ln(2Rn/p)}` bounding every :math:`|v_a|` of
:math:`R` networks (probability :math:`\ge 1 - p/2`), :math:`|g_i|^2 = C_1|x_i|^2/d + C_{b1}`,
:math:`S_1 = \sup|\operatorname{erf}'| = 2/\sqrt\pi` and
:math:`S_2 = \sup|\operatorname{erf}''| = 2\sqrt2/\sqrt{\pi e}`:
:math:`|\nabla f_i|^2 \le G = C_2 + C_{b2} + C_2 V^2 S_1^2 \max_i|g_i|^2`, and the Hessian
is block-diagonal over hidden units with
:math:`\|\nabla^2 f_i\| \le h = \sqrt{C_2/n}\,(S_1 |g|_{\max} + V S_2 |g|^2_{\max})`.  Every step
is at most :math:`\eta\,\Xi`, :math:`\Xi = N s\sqrt G`; after :math:`m` steps
:math:`|\theta_m - \theta_0| \le m\eta\Xi`, residuals moved by at most :math:`\sqrt G\,m\eta\Xi`
and gradients by :math:`h\,m\eta\Xi`, so the step differs from the frozen one by at most
:math:`m\eta^2 N\Xi K`, :math:`K = G + s h`, to first order in :math:`\eta`.  Summing,
the recorded point :math:`t` (after :math:`t-1` steps) is displaced by at most
:math:`\eta^2 N\Xi K (t-1)(t-2)/2`, while the frozen walk has
:math:`E\|CX\|_F^2 \ge \tfrac{\eta^2 s^2}{B}\operatorname{tr}\Theta\,(N-\rho_{\max})\,\tfrac{T^2-1}{6}`.
The ratio is :math:`\epsilon`, which enters
:func:`theory.random_walk.ratio_perturbation_bound`.  :math:`\epsilon \propto \eta`: the
bound is made negligible by a small rate, which changes nothing else (PCA ratios are
scale-free).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import validate as v

__all__ = ["SGDWalkBounds", "erf_sgd_walk_bounds"]

_S1 = 2.0 / math.sqrt(math.pi)
_S2 = 2.0 * math.sqrt(2.0) / math.sqrt(math.pi * math.e)


@dataclass(frozen=True)
class SGDWalkBounds:
    r"""The bounds of :func:`erf_sgd_walk_bounds`.

    Parameters
    ----------
    rho_max : float
        :math:`\rho_{\max}`, bound on :math:`r^\top\Theta r/\sum_i r_i^2\Theta_{ii}`.
    max_drift : float
        :math:`\beta_{\max} = B\rho_{\max}/(N - \rho_{\max})` (pass to
        :func:`theory.random_walk.drift_shift_bound`).
    relative_drift : float
        :math:`\delta_{\max} = \beta_{\max} T/2`, the drift's share of the variance relative to the walk's.
    linearization : float
        :math:`\epsilon`, relative Frobenius displacement of the trajectory by curvature (pass to
        :func:`theory.random_walk.ratio_perturbation_bound`).
    failure_probability : float
        :math:`p`: both bounds hold together with probability at least :math:`1 - p`.
    """

    rho_max: float
    max_drift: float
    relative_drift: float
    linearization: float
    failure_probability: float


def erf_sgd_walk_bounds(
    X: np.ndarray, kernel: np.ndarray, weight_variances: tuple[float, float],
    bias_variances: tuple[float, float], *, width: int, members: int, lr: float, steps: int,
    batch_size: int, label_scale: float, failure_probability: float,
) -> SGDWalkBounds:
    r"""Drift and linearisation bounds for SGD of one-hidden-layer erf networks on noise labels.

    See the module docstring for the derivation: :math:`\rho_{\max}` from Bonami's inequality
    (O'Donnell 2014, Thm. 9.23), :math:`\beta_{\max} = B\rho_{\max}/(N-\rho_{\max})`,
    :math:`\delta_{\max} = \beta_{\max}T/2` with :math:`T` = ``steps + 1`` recorded points, and

    .. math:: \epsilon = \frac{\eta N\Xi K\sqrt{\sum_{t=1}^T\big((t-1)(t-2)/2\big)^2}}
        {\sqrt{s^2\operatorname{tr}\Theta\,(N-\rho_{\max})(T^2-1)/(6B)}} .

    Parameters
    ----------
    X
        Training inputs, shape ``(N, d)``.
    kernel
        The infinite-width NTK :math:`\Theta` on ``X`` (NTK parameterisation), shape ``(N, N)``,
        symmetric with a positive trace.
    weight_variances, bias_variances
        :math:`(C_1, C_2)` (> 0) and :math:`(C_{b1}, C_{b2})` (>= 0).
    width
        Hidden width :math:`n` (an integer >= 1).
    members
        Number :math:`R` of networks trained (an integer >= 1).
    lr
        Learning rate :math:`\eta > 0`.
    steps
        SGD steps (an integer >= 1); ``steps + 1`` points are recorded.
    batch_size
        :math:`B` (an integer in ``[1, N]``).
    label_scale
        :math:`s > 0`, the magnitude of every label.
    failure_probability
        :math:`p \in (0, 1)`.

    Returns
    -------
    SGDWalkBounds

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range, or :math:`\rho_{\max} \ge N`.
    """
    Xa = v.array(X, "X", ndim=2, min_size=1)
    N, d = Xa.shape
    th = v.array(kernel, "kernel", shape=(N, N))
    if float(np.max(np.abs(th - th.T))) > 1e-10 * max(1.0, float(np.max(np.abs(th)))):
        raise ValueError("kernel must be symmetric")
    C1, C2 = v.reals(weight_variances, "weight_variances", minimum=0.0, open_min=True, length=2)
    Cb1, Cb2 = v.reals(bias_variances, "bias_variances", minimum=0.0, length=2)
    n = v.integer(width, "width", minimum=1)
    R = v.integer(members, "members", minimum=1)
    eta = v.real(lr, "lr", minimum=0.0, open_min=True)
    S = v.integer(steps, "steps", minimum=1)
    B = v.integer(batch_size, "batch_size", minimum=1, maximum=N)
    s = v.real(label_scale, "label_scale", minimum=0.0, open_min=True)
    p = v.real(failure_probability, "failure_probability", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    tr = float(np.trace(th))
    if tr <= 0:
        raise ValueError(f"kernel must have a positive trace; got {tr}")
    off2 = float(np.sum(th**2) - np.sum(np.diag(th) ** 2))
    rho_max = 1.0 + math.e * math.log(2.0 / p) * math.sqrt(2.0 * max(off2, 0.0)) / tr
    if rho_max >= N:
        raise ValueError(f"the drift bound rho_max = {rho_max:.3g} is not below N = {N}: too few training points")
    beta = B * rho_max / (N - rho_max)
    T = S + 1
    Vmax = math.sqrt(2.0 * math.log(2.0 * R * n / p))
    g2 = float(np.max(C1 * np.sum(Xa**2, axis=1) / d + Cb1))
    G = C2 + Cb2 + C2 * Vmax**2 * _S1**2 * g2
    h = math.sqrt(C2 / n) * (_S1 * math.sqrt(g2) + Vmax * _S2 * g2)
    Xi = N * s * math.sqrt(G)
    K = G + s * h
    t = np.arange(1, T + 1)
    A = math.sqrt(float(np.sum(((t - 1) * (t - 2) / 2.0) ** 2)))
    walk = math.sqrt(s * s * tr * (N - rho_max) * (T * T - 1) / (6.0 * B))
    eps = eta * N * Xi * K * A / walk
    return SGDWalkBounds(rho_max, beta, beta * T / 2.0, eps, p)
