r"""Perturbations of random-walk PCA: a constant drift, and any small change of the trajectory.

**Drift.**  A walk with iid increments of mean :math:`\mu` and covariance :math:`\Sigma` has,
after centring over time, the expected Gram matrix

.. math:: E\,\hat G = \operatorname{tr}\Sigma\,\big(M + \beta\, c c^\top\big),\qquad
    \beta = \frac{|\mu|^2}{\operatorname{tr}\Sigma},\quad c_t = t - \tfrac{T+1}{2},

(:math:`M = C L L^\top C` as in :func:`theory.random_walk.random_walk_eigenvalues`; the
cross terms of drift and noise have mean zero).  The ratios of :math:`E\hat G` are those of a
rank-one update of :math:`M`, computed exactly by :func:`drift_ratios`.  The variance the drift
adds, relative to the walk's, is :math:`\delta = \beta |c|^2/\operatorname{tr}M = \beta T/2`
(:math:`|c|^2 = T(T^2-1)/12`, :math:`\operatorname{tr} M = (T^2-1)/6`).  By interlacing
(Weyl; Horn & Johnson, *Matrix Analysis*, 2nd ed., Cor. 4.3.9) every eigenvalue grows by
between 0 and :math:`\beta|c|^2`, so each ratio moves by at most :math:`\delta/(1+\delta)`.
Drift-dominated trajectories are discussed by Antognini & Sohl-Dickstein (2018,
arXiv:1806.08805, sec. 5).

**Small changes.**  For trajectories :math:`X` and :math:`X' = X + \Delta` with
:math:`\epsilon = \|\Delta\|_F/\|X\|_F < 1`, Weyl's inequality for singular values
(:math:`|\sigma_k(X') - \sigma_k(X)| \le \|\Delta\|_2 \le \|\Delta\|_F`; Horn & Johnson,
Cor. 7.3.5) gives for the explained-variance ratios :math:`r_k = \sigma_k^2/\|X\|_F^2`

.. math:: |r_k(X') - r_k(X)| \le \frac{(2\sqrt{r_k} + 2 r_k + \epsilon)\,\epsilon}{(1-\epsilon)^2}.

Both statements hold for expected Gram matrices as well (an expectation of Gram matrices is
the Gram matrix of the trajectory concatenated over the sample space).
"""

from __future__ import annotations

import numpy as np

from theory import validate as v

__all__ = ["drift_ratios", "drift_shift_bound", "ratio_perturbation_bound"]

#: drifts at which :func:`drift_shift_bound` evaluates the exact ratios
_GRID = 65


def _ramp_gram(T: int) -> tuple[np.ndarray, np.ndarray]:
    L = np.tril(np.ones((T, T)))
    C = np.eye(T) - 1.0 / T
    M = C @ L @ L.T @ C
    c = np.arange(1, T + 1) - (T + 1) / 2.0
    return M, c


def _drift_ratios(T: int, betas: np.ndarray, k: int) -> np.ndarray:
    M, c = _ramp_gram(T)
    A = M[None] + betas[:, None, None] * np.outer(c, c)[None]
    w = np.linalg.eigvalsh(A)[:, ::-1]
    return w[:, :k] / np.trace(A, axis1=1, axis2=2)[:, None]


def drift_ratios(T: int, drift: float, n_components: int) -> np.ndarray:
    r"""Explained-variance ratios of the expected Gram matrix of a random walk with drift.

    .. math:: r_k(\beta) = \frac{\lambda_k(M + \beta cc^\top)}{\operatorname{tr}M + \beta|c|^2},
        \qquad c_t = t - \tfrac{T+1}{2}

    (module docstring; :math:`\beta = 0` gives :func:`theory.random_walk.explained_variance_ratios`,
    Antognini & Sohl-Dickstein 2018, arXiv:1806.08805).

    Parameters
    ----------
    T
        Number of time points (an integer >= 2).
    drift
        :math:`\beta = |\mu|^2/\operatorname{tr}\Sigma`, squared drift per step relative to the
        increment variance (a real number >= 0).
    n_components
        How many leading ratios (an integer in ``[1, T-1]``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range.
    """
    T = v.integer(T, "T (number of time points)", minimum=2)
    beta = v.real(drift, "drift", minimum=0.0)
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1)
    return _drift_ratios(T, np.array([beta]), k)[0]


def drift_shift_bound(T: int, max_drift: float, n_components: int) -> np.ndarray:
    r"""Largest change of each ratio for any drift :math:`0 \le \beta \le \beta_{\max}`.

    .. math:: b_k = \max_{0\le\beta\le\beta_{\max}} |r_k(\beta) - r_k(0)|
        \;\le\; \frac{\delta}{1+\delta},\qquad \delta = \frac{\beta_{\max} T}{2},

    with :math:`r_k(\beta)` of :func:`drift_ratios` evaluated exactly on 65 equally spaced
    drifts; the interlacing bound :math:`\delta/(1+\delta)` (module docstring) caps the result
    and covers the grid's spacing: the returned value is
    :math:`\min\{\delta/(1+\delta),\ \max_{\rm grid}|r_k(\beta) - r_k(0)| + \max_{\rm grid}|r_k(\beta_{i+1}) - r_k(\beta_i)|\}`.

    Parameters
    ----------
    T, n_components
        As in :func:`drift_ratios`.
    max_drift
        :math:`\beta_{\max} \ge 0`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range.
    """
    T = v.integer(T, "T (number of time points)", minimum=2)
    bmax = v.real(max_drift, "max_drift", minimum=0.0)
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1)
    r = _drift_ratios(T, np.linspace(0.0, bmax, _GRID), k)
    step = np.abs(np.diff(r, axis=0)).max(axis=0) if bmax > 0 else np.zeros(k)
    grid = np.abs(r - r[0]).max(axis=0) + step
    delta = bmax * T / 2.0
    return np.minimum(grid, delta / (1.0 + delta))


def ratio_perturbation_bound(ratios: np.ndarray, relative_error: float) -> np.ndarray:
    r"""Bound on the change of explained-variance ratios under a small change of the trajectory.

    .. math:: |r_k(X+\Delta) - r_k(X)| \le \frac{(2\sqrt{r_k} + 2 r_k + \epsilon)\,\epsilon}{(1-\epsilon)^2},
        \qquad \epsilon = \frac{\|\Delta\|_F}{\|X\|_F}

    (Weyl's inequality for singular values, Horn & Johnson, *Matrix Analysis*, 2nd ed.,
    Cor. 7.3.5; module docstring).

    Parameters
    ----------
    ratios
        The ratios :math:`r_k` of the unperturbed trajectory (entries in ``[0, 1]``).
    relative_error
        :math:`\epsilon`, a real number in ``[0, 1)``.

    Returns
    -------
    numpy.ndarray
        The bound per ratio (a new array).

    Raises
    ------
    TypeError, ValueError
        ``ratios`` is not a finite real array in ``[0, 1]`` or ``relative_error`` not in ``[0, 1)``.
    """
    r = v.array(ratios, "ratios", ndim=1, min_size=1)
    if np.any(r < 0) or np.any(r > 1):
        raise ValueError(f"ratios must lie in [0, 1]; got {r.tolist()[:8]}")
    e = v.real(relative_error, "relative_error", minimum=0.0, maximum=1.0, open_max=True)
    return (2.0 * np.sqrt(r) + 2.0 * r + e) * e / (1.0 - e) ** 2
