r"""Infinite-width networks trained by gradient descent on MSE: NTK predictions and the NNGP posterior.

Conventions (shared with :mod:`numerics.ntk`):

* loss :math:`\mathcal L = \tfrac12\sum_{i=1}^N (f(x_i) - y_i)^2` (a *sum* over the N training points);
* GD step :math:`\theta \leftarrow \theta - \eta\nabla_\theta\mathcal L`, time t = number of steps;
  gradient flow :math:`\dot\theta = -\eta\nabla_\theta\mathcal L`, hence
  :math:`\dot f_t(x) = -\eta\,\Theta(x, X)\,(f_t(X) - Y)`;
* GD on the linearised model is stable iff :math:`\eta < 2/\lambda_{\max}(\Theta_{XX})`.

In the infinite-width limit :math:`\Theta` is deterministic and constant in time (Jacot, Gabriel &
Hongler 2018, arXiv:1806.07572) and :math:`f_0 \sim GP(0, K)` (K the NNGP kernel), so :math:`f_t`
is Gaussian with (Lee et al. 2019, arXiv:1902.06720, eqs. 14-16)

.. math::

    A_t &= \Theta_{xX}\,\Theta_{XX}^{-1}\,(I - e^{-\eta\Theta_{XX}t}),\qquad
    \mu_t(x) = A_t\,Y,\\
    \Sigma_t &= K_{xx} - A_t K_{Xx} - K_{xX} A_t^\top + A_t K_{XX} A_t^\top .

For discrete GD (``discrete=True``) :math:`e^{-\eta\Theta t}` is replaced by :math:`(I - \eta\Theta)^t`
(Lee et al. 2019, sec. 2.3 / App. C).  At finite width n both moments move by :math:`O(1/n)`
(Roberts, Yaida & Hanin 2022, ch. 10-11).  The comparison is the NNGP posterior
(Rasmussen & Williams 2006, eq. 2.19) :math:`K_{xX}(K_{XX} + \sigma_\varepsilon^2 I)^{-1}Y`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks import nngp_kernel, ntk_kernel

__all__ = ["ntk_predict", "nngp_posterior", "ntk_stability_limit"]

PARAMETERIZATIONS = ("ntk", "standard")


def _inputs(X_train: Any, Y_train: Any, X_test: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated copies of the data (finite, matching shapes)."""
    Xtr = v.array(X_train, "X_train", ndim=2, min_size=1)
    if Xtr.shape[1] < 1:
        raise ValueError(f"X_train must have shape (N, d) with N, d >= 1; got {Xtr.shape}")
    N, d = Xtr.shape
    Y = v.array(Y_train, "Y_train", ndim=(1, 2))
    if Y.shape[0] != N or Y.size == 0:
        raise ValueError(f"Y_train must have shape ({N},) or ({N}, outputs); got {Y.shape}")
    Xte = v.array(X_test, "X_test", ndim=2, shape=(None, d), min_size=1)
    return Xtr, Y, Xte


def _activation(activation: Any) -> Any:
    """An activation spec for the kernels; a ``("leaky_relu", slope)`` slope must be a real number."""
    if isinstance(activation, (tuple, list)):
        if len(activation) != 2 or activation[0] != "leaky_relu":
            raise ValueError(f"a tuple activation must be ('leaky_relu', slope); got {activation!r}")
        return ("leaky_relu", v.real(activation[1], "activation slope"))
    if activation is None or isinstance(activation, (bool, int, float, np.number)):
        raise TypeError(f"activation must be a name, ('leaky_relu', slope), a sympy expression or a callable; "
                        f"got {v.describe(activation)}")
    return activation


def _variances(weight_variances: Any, bias_variances: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-layer :math:`C_W > 0` and :math:`C_b \\ge 0`; a number means the same value for every layer."""
    if isinstance(weight_variances, (int, float, np.number)) and not isinstance(weight_variances, (bool, np.bool_)):
        cw: tuple[float, ...] = (v.real(weight_variances, "weight_variances", minimum=0.0, open_min=True),)
    else:
        cw = v.reals(weight_variances, "weight_variances", minimum=0.0, open_min=True)
    if isinstance(bias_variances, (int, float, np.number)) and not isinstance(bias_variances, (bool, np.bool_)):
        cb = (v.real(bias_variances, "bias_variances", minimum=0.0),) * len(cw)
    else:
        cb = v.reals(bias_variances, "bias_variances", minimum=0.0, length=len(cw))
    return cw, cb


def _kernel_kwargs(parameterization: Any, quadrature_order: Any) -> dict[str, Any]:
    return {"parameterization": v.choice(parameterization, "parameterization", PARAMETERIZATIONS),
            "quadrature_order": v.integer(quadrature_order, "quadrature_order", minimum=8)}


def _joint_kernels(X: np.ndarray, activation: Any, weight_variances: Any, bias_variances: Any,
                   kw: dict[str, Any], nngp: bool) -> tuple[np.ndarray, np.ndarray | None]:
    act = _activation(activation)
    cw, cb = _variances(weight_variances, bias_variances)
    th = ntk_kernel(X, X, act, cw, cb, **kw)
    K = nngp_kernel(X, X, act, cw, cb, **kw) if nngp else None
    return 0.5 * (th + th.T), None if K is None else 0.5 * (K + K.T)


def ntk_stability_limit(X_train: Any, activation: Any, weight_variances: Sequence[float] | float,
                        bias_variances: Sequence[float] | float, *, parameterization: str = "ntk",
                        quadrature_order: int = 64) -> float:
    r"""The largest stable GD learning rate on the summed MSE loss, :math:`2/\lambda_{\max}(\Theta_{XX})`.

    The linearised GD map on the training residual is :math:`r \mapsto (I - \eta\Theta_{XX})\,r`; it
    is a contraction iff :math:`\eta\,\lambda_{\max}(\Theta_{XX}) < 2` (Lee et al. 2019,
    arXiv:1902.06720, sec. 2.3 and App. C).

    Parameters
    ----------
    X_train
        Training inputs, shape ``(N, d)``, finite.
    activation, weight_variances, bias_variances, parameterization, quadrature_order
        As :func:`theory.wide_networks.ntk_kernel`.

    Returns
    -------
    float
        :math:`2/\lambda_{\max}`; ``inf`` when :math:`\Theta_{XX} = 0` (nothing moves, any rate is stable).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (named in the message).
    """
    X = v.array(X_train, "X_train", ndim=2, min_size=1)
    kw = _kernel_kwargs(parameterization, quadrature_order)
    th, _ = _joint_kernels(X, activation, weight_variances, bias_variances, kw, nngp=False)
    lam = float(np.linalg.eigvalsh(th)[-1])
    return 2.0 / lam if lam > 0 else math.inf


def ntk_predict(
    X_train: Any, Y_train: Any, X_test: Any, t: float, lr: float, activation: Any,
    weight_variances: Sequence[float] | float, bias_variances: Sequence[float] | float, *,
    parameterization: str = "ntk", discrete: bool = False, quadrature_order: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and covariance of the infinite-width trained ensemble at time t on ``X_test``.

    .. math::

        \mu_t = A_t Y,\quad \Sigma_t = K_{xx} - A_tK_{Xx} - K_{xX}A_t^\top + A_tK_{XX}A_t^\top,\quad
        A_t = \Theta_{xX}\Theta_{XX}^{-1}(I - e^{-\eta\Theta_{XX}t})

    (Lee et al. 2019, arXiv:1902.06720, eqs. 14-16; Jacot, Gabriel & Hongler 2018 for the constant
    kernel), with the summed loss :math:`\tfrac12\sum_i(f(x_i)-y_i)^2` and t counted in GD steps of
    size :math:`\eta`.  With ``discrete=True`` the factor is :math:`I - (I - \eta\Theta_{XX})^t`
    (Lee et al. 2019, App. C).

    Parameters
    ----------
    X_train, Y_train, X_test
        Shapes ``(N, d)``, ``(N,)`` or ``(N, outputs)``, ``(M, d)``; finite.
    t
        Time >= 0 (``float("inf")`` for the converged ensemble); with ``discrete=True`` a whole number
        of GD steps (or inf).
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

    Raises
    ------
    TypeError, ValueError
        Bad arguments; ``lr`` at or above the stability limit; a fractional ``t`` with ``discrete=True``.
    """
    Xtr, Y, Xte = _inputs(X_train, Y_train, X_test)
    t = v.real(t, "t", minimum=0.0, finite=False)
    discrete = v.boolean(discrete, "discrete")
    if discrete and math.isfinite(t) and t != math.floor(t):
        raise ValueError(f"with discrete=True, t must be a whole number of steps; got {t}")
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    kw = _kernel_kwargs(parameterization, quadrature_order)
    Xall = np.concatenate([Xtr, Xte], axis=0)
    N = Xtr.shape[0]
    th, K = _joint_kernels(Xall, activation, weight_variances, bias_variances, kw, nngp=True)
    assert K is not None
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
            small = -np.expm1(t * np.log1p(-lr * safe))  # accurate when lr w is small
        decay = np.where(base > 0, small, 1.0 - base ** t)
        factor = np.where(w > tol, decay / safe, lr * t)
    else:
        factor = np.where(w > tol, -np.expm1(-lr * t * safe) / safe, lr * t)
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

    Parameters
    ----------
    X_train, Y_train, X_test
        As :func:`ntk_predict`.
    activation, weight_variances, bias_variances, parameterization, quadrature_order
        As :func:`theory.wide_networks.nngp_kernel`.
    noise_variance
        Observation-noise variance :math:`\sigma_\varepsilon^2 \ge 0`.

    Returns
    -------
    (mean, covariance)
        Shapes as in :func:`ntk_predict`.

    Raises
    ------
    ValueError
        :math:`K_{XX} + \sigma_\varepsilon^2 I` is not positive definite (duplicate inputs with
        ``noise_variance=0``), or a bad argument.
    TypeError
        An argument of the wrong type.
    """
    Xtr, Y, Xte = _inputs(X_train, Y_train, X_test)
    noise_variance = v.real(noise_variance, "noise_variance", minimum=0.0)
    kw = _kernel_kwargs(parameterization, quadrature_order)
    Xall = np.concatenate([Xtr, Xte], axis=0)
    N = Xtr.shape[0]
    act = _activation(activation)
    cw, cb = _variances(weight_variances, bias_variances)
    K = nngp_kernel(Xall, Xall, act, cw, cb, **kw)
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
