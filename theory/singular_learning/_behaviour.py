r"""How a behaviour with a quadratic loss degrades on the tempered local posterior of a quadratic loss.

Private module; the public names are re-exported by :mod:`theory.singular_learning`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from theory import validate as v

__all__ = ["quadratic_behaviour_degradation", "quadratic_degradation_rate"]


def _diagonal(behaviour: Any, d: int) -> np.ndarray:
    """The diagonal of the behaviour's matrix: a ``(d,)`` vector, or the diagonal of a symmetric ``(d, d)`` matrix."""
    M = v.array(behaviour, "behaviour", ndim=(1, 2))
    if M.ndim == 1:
        if M.size != d:
            raise ValueError(f"behaviour must have one entry per curvature ({d}); got {M.size}")
        return M
    if M.shape != (d, d):
        raise ValueError(f"behaviour must be a ({d}, {d}) matrix; got shape {M.shape}")
    if not np.allclose(M, M.T, rtol=1e-12, atol=1e-12 * max(1.0, float(np.abs(M).max()))):
        raise ValueError("behaviour must be a symmetric matrix")
    return np.diag(M).copy()


def quadratic_behaviour_degradation(
    curvatures: Sequence[float],
    behaviour: Any,
    n_beta: float,
    gamma: float,
    step_size: float | None = None,
    *,
    times: Sequence[int] | None = None,
) -> float:
    r"""Expected increase of a quadratic behaviour on the (SGLD-sampled) localized tempered posterior.

    With the loss :math:`L - L^* = \tfrac12\sum_i h_i x_i^2` in its Hessian's eigenbasis
    (:math:`x = w - w^*`) and a behaviour :math:`B - B^* = \tfrac12 x^\top M x`, the posterior
    :math:`\propto e^{-n\beta L - \frac\gamma2|x|^2}` is Gaussian with independent coordinates of
    variance :math:`1/A_i`, :math:`A_i = n\beta h_i + \gamma`, so

    .. math:: E[B - B^*] = \frac12\sum_i \frac{M_{ii}}{A_i}
              \xrightarrow[\gamma = 0]{} \frac{\mathrm{tr}(MH^{-1})}{2n\beta} = \frac{T}{2n}\mathrm{tr}(MH^{-1})

    (only the diagonal of :math:`M` enters).  Full-batch SGLD at step :math:`\epsilon` from
    :math:`x_0 = 0` has :math:`\mathrm{Var}\,x_{i,t} = v_i(1 - \rho_i^{2t})`, :math:`v_i = 1/(A_i(1 - \epsilon A_i/4))`,
    :math:`\rho_i = 1 - \epsilon A_i/2` (derivation ``singular_learning-sgld-bias``); with ``times`` the
    mean over those steps is returned.  Derivation: ``singular_learning-quadratic-degradation``.

    Parameters
    ----------
    curvatures
        :math:`h_i \ge 0` (the loss's Hessian eigenvalues).
    behaviour
        :math:`M`: its diagonal ``(d,)`` or the symmetric ``(d, d)`` matrix in the same basis.
    n_beta, gamma
        :math:`n\beta > 0`, :math:`\gamma \ge 0` (every :math:`A_i > 0`).
    step_size
        ``None``: the exact posterior; else the SGLD step :math:`\epsilon` (:math:`\epsilon A_i < 4`).
    times
        Steps :math:`t \ge 0` at which the behaviour is evaluated (SGLD only); ``None``: stationary.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        Invalid arguments, an :math:`A_i \le 0`, or :math:`\epsilon A_i \ge 4` (SGLD diverges).

    References
    ----------
    Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), sec. 1.4 (regular models);
    Welling & Teh, ICML 2011; Brockwell & Davis, *Time Series: Theory and Methods* (1991), sec. 3.3.
    """
    h = np.asarray(v.reals(curvatures, "curvatures", minimum=0.0, min_length=1))
    m = _diagonal(behaviour, h.size)
    nb = v.real(n_beta, "n_beta", minimum=0.0, open_min=True)
    g = v.real(gamma, "gamma", minimum=0.0)
    A = nb * h + g
    if np.any(A <= 0):
        raise ValueError("n_beta * curvature + gamma must be > 0 in every direction (a zero curvature needs gamma > 0)")
    if step_size is None:
        if times is not None:
            raise ValueError("times needs a step_size (the transient of SGLD)")
        return float(np.sum(m / (2 * A)))
    eps = v.real(step_size, "step_size", minimum=0.0, open_min=True)
    if np.any(eps * A >= 4):
        raise ValueError(f"step_size * (n_beta h_max + gamma) = {eps * A.max():.3g} >= 4: SGLD diverges")
    var = 1.0 / (A * (1 - eps * A / 4))
    if times is None:
        return float(np.sum(m * var / 2))
    t = np.asarray(v.integers(times, "times", minimum=0, min_length=1), dtype=float)
    rho2 = (1 - eps * A / 2) ** 2
    frac = 1 - np.mean(rho2[None, :] ** t[:, None], axis=0)
    return float(np.sum(m * var * frac / 2))


def quadratic_degradation_rate(curvatures: Sequence[float], behaviour: Any) -> float:
    r"""The low-temperature rate :math:`dE[B - B^*]/d(1/n\beta) = \tfrac12\mathrm{tr}(MH^{-1}) = \tfrac12\sum_i M_{ii}/h_i`.

    Parameters
    ----------
    curvatures
        :math:`h_i > 0`.
    behaviour
        :math:`M` (diagonal ``(d,)`` or symmetric ``(d, d)``).

    Returns
    -------
    float

    References
    ----------
    Derivation ``singular_learning-quadratic-degradation`` (the :math:`\gamma = 0` limit of
    :func:`quadratic_behaviour_degradation`).
    """
    h = np.asarray(v.reals(curvatures, "curvatures", minimum=0.0, open_min=True, min_length=1))
    return float(np.sum(_diagonal(behaviour, h.size) / (2 * h)))
