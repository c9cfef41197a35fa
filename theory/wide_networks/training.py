r"""Infinite-width networks trained by gradient descent on MSE: NTK predictions and the NNGP posterior.

Conventions (shared with ``numerics.training``):

* loss :math:`\mathcal L = \tfrac12\sum_{i=1}^N (f(x_i) - y_i)^2` (a *sum* over the N training points);
* GD step :math:`\theta \leftarrow \theta - \eta\nabla_\theta\mathcal L`, time t = number of steps;
  gradient flow :math:`\dot\theta = -\eta\nabla_\theta\mathcal L`, hence
  :math:`\dot f_t(x) = -\eta\,\Theta(x, X)\,(f_t(X) - Y)`;
* GD on the linearised model is stable iff :math:`\eta < 2/\lambda_{\max}(\Theta_{XX})`.

In the infinite-width limit :math:`\Theta` is deterministic and constant in time and
:math:`f_0 \sim GP(0, K)` (K the NNGP kernel), so :math:`f_t` is Gaussian with (Lee et al. 2019,
arXiv:1902.06720, eqs. 14-16)

.. math::

    A_t &= \Theta_{xX}\,\Theta_{XX}^{-1}\,(I - e^{-\eta\Theta_{XX}t}),\qquad
    \mu_t(x) = A_t\,Y,\\
    \Sigma_t &= K_{xx} - A_t K_{Xx} - K_{xX} A_t^\top + A_t K_{XX} A_t^\top .

For discrete GD (``discrete=True``) :math:`e^{-\eta\Theta t}` is replaced by :math:`(I - \eta\Theta)^t`
(Lee et al. 2019, sec. 2.3 / App. C).  The comparison is the NNGP posterior
(Rasmussen & Williams 2006, eq. 2.19) :math:`K_{xX}(K_{XX} + \sigma_\varepsilon^2 I)^{-1}Y`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import sympy as sp

from theory.derivation import Derivation, register_derivation
from theory.wide_networks._kernels import nngp_kernel, ntk_kernel

__all__ = ["ntk_predict", "nngp_posterior", "ntk_stability_limit", "ntk_gradient_flow_derivation"]


def _data(X_train: Any, Y_train: Any, X_test: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Xtr = np.asarray(X_train, dtype=float)
    Xte = np.asarray(X_test, dtype=float)
    Y = np.asarray(Y_train, dtype=float)
    if Xtr.ndim != 2 or Xtr.shape[0] < 1:
        raise ValueError(f"X_train must have shape (N, d) with N >= 1, got {Xtr.shape}")
    if Xte.ndim != 2 or Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(f"X_test must have shape (M, d={Xtr.shape[1]}), got {Xte.shape}")
    if Y.ndim not in (1, 2) or Y.shape[0] != Xtr.shape[0]:
        raise ValueError(f"Y_train must have shape (N={Xtr.shape[0]},) or (N, outputs), got {Y.shape}")
    for name, a in (("X_train", Xtr), ("Y_train", Y), ("X_test", Xte)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains non-finite values")
    return Xtr, Y, Xte


def ntk_stability_limit(X_train: Any, activation: Any, weight_variances: Sequence[float] | float,
                        bias_variances: Sequence[float] | float, *, parameterization: str = "ntk") -> float:
    r"""The largest stable GD learning rate :math:`2/\lambda_{\max}(\Theta_{XX})` (summed MSE loss).

    Reference: Lee et al. 2019 (arXiv:1902.06720), sec. 2.3 / App. C (the linearised GD map
    :math:`I - \eta\Theta` is a contraction iff :math:`\eta\lambda_{\max} < 2`).
    """
    Xtr, _, _ = _data(X_train, np.zeros(np.shape(X_train)[0]), X_train)
    th = ntk_kernel(Xtr, Xtr, activation, weight_variances, bias_variances, parameterization=parameterization)
    return 2.0 / float(np.linalg.eigvalsh(0.5 * (th + th.T))[-1])


def ntk_predict(
    X_train: Any, Y_train: Any, X_test: Any, t: float, lr: float, activation: Any,
    weight_variances: Sequence[float] | float, bias_variances: Sequence[float] | float, *,
    parameterization: str = "ntk", discrete: bool = False, quadrature_order: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and covariance of the infinite-width trained ensemble at time t on ``X_test``.

    .. math::

        \mu_t = A_t Y,\quad \Sigma_t = K_{xx} - A_tK_{Xx} - K_{xX}A_t^\top + A_tK_{XX}A_t^\top,\quad
        A_t = \Theta_{xX}\Theta_{XX}^{-1}(I - e^{-\eta\Theta_{XX}t})

    (Lee et al. 2019, arXiv:1902.06720, eqs. 14-16), with the summed loss
    :math:`\tfrac12\sum_i(f(x_i)-y_i)^2` and t counted in GD steps of size :math:`\eta`.

    Parameters
    ----------
    X_train, Y_train, X_test
        Shapes ``(N, d)``, ``(N,)`` or ``(N, outputs)``, ``(M, d)``; finite.
    t
        Time >= 0 (``float("inf")`` for the converged ensemble); with ``discrete=True`` an integer
        number of GD steps (or inf).
    lr
        Learning rate :math:`\eta`, in :math:`(0, 2/\lambda_{\max}(\Theta_{XX}))`.
    activation, weight_variances, bias_variances, parameterization, quadrature_order
        As :func:`theory.wide_networks.ntk_kernel`.
    discrete
        Use the discrete-GD factor :math:`(I - \eta\Theta)^t` instead of :math:`e^{-\eta\Theta t}`.

    Returns
    -------
    (mean, covariance)
        ``mean`` shaped like ``Y_train`` with N replaced by M; ``covariance`` ``(M, M)`` (shared by
        every output column).  At ``t = inf`` a singular :math:`\Theta_{XX}` is pseudo-inverted
        (directions with zero NTK eigenvalue never move).
    """
    Xtr, Y, Xte = _data(X_train, Y_train, X_test)
    if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or math.isnan(t) or t < 0:
        raise ValueError(f"t must be a number >= 0 (inf allowed), got {t!r}")
    if discrete and math.isfinite(t) and float(t) != int(t):
        raise ValueError(f"with discrete=True, t must be an integer number of steps, got {t}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    kw = dict(parameterization=parameterization, quadrature_order=quadrature_order)
    Xall = np.concatenate([Xtr, Xte], axis=0)
    N = Xtr.shape[0]
    th = ntk_kernel(Xall, Xall, activation, weight_variances, bias_variances, **kw)
    K = nngp_kernel(Xall, Xall, activation, weight_variances, bias_variances, **kw)
    th = 0.5 * (th + th.T)
    K = 0.5 * (K + K.T)
    w, V = np.linalg.eigh(th[:N, :N])
    lam_max = float(w[-1])
    limit = 2.0 / lam_max if lam_max > 0 else math.inf
    if lr >= limit:
        raise ValueError(f"lr={lr} is at or above the GD stability limit 2/lambda_max(NTK) = {limit:.6g}")
    tol = max(lam_max, 1.0) * N * np.finfo(float).eps * 10
    safe = np.where(w > tol, w, 1.0)
    if math.isinf(t):
        factor = np.where(w > tol, 1.0 / safe, 0.0)
    elif discrete:
        # (1 - (1 - lr w)^t) / w, with the w -> 0 limit lr t
        base = 1.0 - lr * safe  # in (-1, 1) below the stability limit
        with np.errstate(invalid="ignore", divide="ignore"):
            small = -np.expm1(float(t) * np.log1p(-lr * safe))  # accurate when lr w is small
        decay = np.where(base > 0, small, 1.0 - base ** float(t))
        factor = np.where(w > tol, decay / safe, lr * float(t))
    else:
        factor = np.where(w > tol, -np.expm1(-lr * float(t) * safe) / safe, lr * float(t))
    A = th[N:, :N] @ (V * factor) @ V.T
    mean = A @ Y
    Kxx, KXx, KXX = K[N:, N:], K[:N, N:], K[:N, :N]
    cov = Kxx - A @ KXx - KXx.T @ A.T + A @ KXX @ A.T
    return mean, 0.5 * (cov + cov.T)


def nngp_posterior(
    X_train: Any, Y_train: Any, X_test: Any, activation: Any, weight_variances: Sequence[float] | float,
    bias_variances: Sequence[float] | float, *, noise_variance: float = 0.0, parameterization: str = "ntk",
    quadrature_order: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact Bayesian (NNGP) posterior mean and covariance on ``X_test``.

    .. math:: \mu = K_{xX}(K_{XX}+\sigma_\varepsilon^2 I)^{-1}Y,\qquad
              \Sigma = K_{xx} - K_{xX}(K_{XX}+\sigma_\varepsilon^2 I)^{-1}K_{Xx}

    (Rasmussen & Williams, *Gaussian Processes for Machine Learning*, 2006, eqs. 2.22-2.24;
    Lee et al., ICLR 2018, arXiv:1711.00165).  Compare :func:`ntk_predict` at ``t = inf``,
    which equals this only when the NTK is proportional to K (e.g. training only the last layer).

    Raises ``ValueError`` when :math:`K_{XX} + \sigma_\varepsilon^2 I` is not positive definite
    (duplicate inputs with ``noise_variance=0``).
    """
    Xtr, Y, Xte = _data(X_train, Y_train, X_test)
    if not (math.isfinite(noise_variance) and noise_variance >= 0):
        raise ValueError(f"noise_variance must be finite and >= 0, got {noise_variance}")
    kw = dict(parameterization=parameterization, quadrature_order=quadrature_order)
    Xall = np.concatenate([Xtr, Xte], axis=0)
    N = Xtr.shape[0]
    K = nngp_kernel(Xall, Xall, activation, weight_variances, bias_variances, **kw)
    K = 0.5 * (K + K.T)
    try:
        Lc = np.linalg.cholesky(K[:N, :N] + noise_variance * np.eye(N))
    except np.linalg.LinAlgError:
        raise ValueError("K_XX + noise_variance I is not positive definite; use noise_variance > 0") from None
    sol = np.linalg.solve(Lc.T, np.linalg.solve(Lc, np.concatenate([K[:N, N:], Y.reshape(N, -1)], axis=1)))
    M = Xte.shape[0]
    mean = K[N:, :N] @ sol[:, M:]
    cov = K[N:, N:] - K[N:, :N] @ sol[:, :M]
    return mean.reshape((M,) + Y.shape[1:]), 0.5 * (cov + cov.T)


@register_derivation("ntk-gradient-flow")
def ntk_gradient_flow_derivation() -> Derivation:
    """Derivation of the trained infinite-width ensemble's mean and covariance (Lee et al. 2019)."""
    t, eta, theta = sp.symbols("t eta Theta_XX", positive=True)
    K0, Kx, Kxx, thx, y = sp.symbols("K_XX K_xX K_xx Theta_xX Y", real=True)
    fX = sp.Function("f_X")
    d = Derivation(
        "ntk-gradient-flow",
        "Infinite-width networks trained by gradient flow on MSE",
        "Mean and covariance of an ensemble of infinitely wide networks trained by gradient descent "
        "on the summed squared loss, on test inputs x, at any time t (Lee et al. 2019). Shown for one "
        "training point (scalars); the matrix formulas replace division by Theta_XX^{-1} on the left.",
        assumptions=[
            "NTK parameterisation, infinite width: the NTK Theta is deterministic and constant during training",
            "loss L = 1/2 sum_i (f(x_i) - y_i)^2, step theta <- theta - eta grad L, t counts steps",
            "f_0 ~ GP(0, K) with K the NNGP kernel (independent of the data)",
        ],
        references=[
            "J. Lee et al., Wide neural networks of any depth evolve as linear models under gradient descent, "
            "NeurIPS 2019, arXiv:1902.06720, eqs. 14-16",
            "A. Jacot, F. Gabriel, C. Hongler, Neural tangent kernel, NeurIPS 2018, arXiv:1806.07572",
            "C. E. Rasmussen, C. K. I. Williams, Gaussian Processes for Machine Learning (2006), sec. 2.2",
        ],
        truncation="Finite width n changes mean and covariance by O(1/n) (Dyer & Gur-Ari 2019, arXiv:1909.11304; "
                   "Roberts, Yaida & Hanin 2022, ch. 10-11); discrete GD differs from the flow by O(eta^2 Theta^2 t).",
    )
    d.step("Function-space gradient flow of the linearised network.",
           sp.Eq(sp.Derivative(fX(t), t), -eta * theta * (fX(t) - y)))
    sol = sp.dsolve(sp.Eq(sp.Derivative(fX(t), t), -eta * theta * (fX(t) - y)), fX(t), ics={fX(0): sp.Symbol("f_0(X)")})
    d.step("Solved on the training points.", sol)
    A = thx / theta * (1 - sp.exp(-eta * theta * t))
    d.step("On a test point, integrating df(x)/dt = -eta Theta_xX (f_X - Y): f_t(x) = f_0(x) + A_t (Y - f_0(X)).",
           sp.Eq(sp.Symbol("A_t"), A))
    f0x, f0X = sp.symbols("f_0(x) f_0(X)")
    ft = f0x + A * (y - f0X)
    d.step("Mean over initialisations (E f_0 = 0).", sp.Eq(sp.Symbol("mu_t"), sp.expand(ft).coeff(y) * y))
    var = sp.expand((ft - A * y) ** 2)
    var = var.subs({f0x**2: Kxx, f0X**2: K0}).subs(f0x * f0X, Kx)
    d.step("Covariance, using E f_0(x)^2 = K_xx, E f_0(x) f_0(X) = K_xX, E f_0(X)^2 = K_XX.",
           sp.Eq(sp.Symbol("Sigma_t"), sp.factor_terms(var)))
    d.step("Discrete GD replaces exp(-eta Theta t) by (1 - eta Theta)^t; stable iff eta < 2/lambda_max(Theta).",
           sp.Eq(sp.Symbol("A_t^{GD}"), thx / theta * (1 - (1 - eta * theta) ** t)))
    d.step("t -> infinity: the NTK regression estimator, to be compared with the NNGP posterior mean K_xX K_XX^{-1} Y.",
           sp.Eq(sp.Symbol("mu_infty"), thx / theta * y))
    return d
