r"""Diagnostics of an LLC run: convergence, Monte Carlo error, the biases of the step and of the localization.

* **Convergence.**  Rank-normalised split :math:`\hat R` and bulk effective sample size of the
  per-chain loss traces (Vehtari, Gelman, Simpson, Carpenter & Bürkner, *Bayesian Analysis* 16
  (2021) 667), from ArviZ's array interface (``arviz_stats.base.array_stats``: numpy and scipy
  only).  Warnings at :math:`\hat R > 1.01` and bulk ESS below 400, the paper's thresholds.
* **Monte Carlo error.**  The standard error of the estimate is
  :math:`n\beta\,\widehat{\mathrm{MCSE}}(\bar L) = n\beta\,\hat\sigma/\sqrt{\mathrm{ESS}_{\text{mean}}}`,
  the autocorrelation of every chain and the spread between chains included (Vehtari et al. 2021,
  sec. 3.2); the plain spread of the per-chain means is kept as ``stderr_across_chains``.
* **Localization.**  For :math:`p_\gamma \propto e^{-n\beta L - \frac\gamma2|w - w^*|^2}`,
  :math:`\partial_\gamma E_\gamma[L] = -\tfrac12\mathrm{Cov}_\gamma(L, |w - w^*|^2)`, so the first-order
  shift of :math:`\hat\lambda = n\beta(E_\gamma L - L^*)` caused by :math:`\gamma` is
  :math:`b = -\gamma\,\partial_\gamma\hat\lambda = \tfrac{\gamma n\beta}2\mathrm{Cov}(L, |w - w^*|^2)`,
  measured on the draws at no extra sampling cost.  On a quadratic direction of curvature
  :math:`h` (:math:`a = n\beta h`) the true shift is :math:`\gamma/(2(a+\gamma))` and
  :math:`b = \gamma a/(2(a + \gamma)^2)`: exact to first order in :math:`\gamma/a`, an underestimate
  by the factor :math:`a/(a+\gamma)` beyond it, and zero on directions the loss does not see.
  A warning when :math:`b` exceeds :data:`LOCALIZATION_WARN` of the estimate by more than three of
  its standard errors, for converged chains only (the identity is a stationary one: chains that
  still drift, or descend from a :math:`w^*` that is not a minimum, move :math:`L` and
  :math:`|w - w^*|^2` together for other reasons; :math:`b` is still reported).
* **Step size.**  The default step is :math:`\epsilon = s/(n\beta h_{\max} + \gamma)` from the
  measured top Hessian eigenvalue (on a quadratic the relative bias of the stiffest direction is
  :math:`\tfrac{s/4}{1-s/4}`; Welling & Teh, ICML 2011).  With ``step_check`` as many chains run at
  :math:`2\epsilon` in the same program: a warning when the estimate moves with the step, and the
  Richardson extrapolation :math:`2\hat\lambda(\epsilon) - \hat\lambda(2\epsilon)` (Talay & Tubaro,
  *Stoch. Anal. Appl.* 8 (1990) 483).

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from arviz_stats.base import array_stats

__all__ = ["convergence", "localization_shift", "default_step", "step_sensitivity", "STEP_SCALE", "RHAT_WARN",
           "ESS_WARN", "LOCALIZATION_WARN", "STEP_WARN"]

#: Default :math:`s = \epsilon(n\beta h_{\max} + \gamma)`.
STEP_SCALE = 0.2
#: Split R-hat above this warns (Vehtari et al. 2021, sec. 4).
RHAT_WARN = 1.01
#: Bulk ESS below this warns (Vehtari et al. 2021, sec. 4).
ESS_WARN = 400.0
#: A localization shift above this fraction of the estimate warns.
LOCALIZATION_WARN = 0.05
#: A step-size change of the estimate above this fraction (and 3 standard errors) warns.
STEP_WARN = 0.05


def convergence(trace: np.ndarray) -> dict[str, float]:
    """``r_hat`` (rank-normalised split), ``ess`` (bulk), ``ess_mean`` and ``mcse_mean`` of a ``(chains, draws)`` trace."""
    tr = np.asarray(trace, dtype=float)
    if tr.shape[1] < 4 or not np.all(np.isfinite(tr)) or np.ptp(tr) == 0:
        nan = math.nan
        return {"r_hat": nan, "ess": nan, "ess_mean": nan, "mcse_mean": float(np.std(tr) / math.sqrt(tr.size)) if tr.size else nan}
    return {
        "r_hat": float(array_stats.rhat(tr, method="rank")),
        "ess": float(array_stats.ess(tr, method="bulk")),
        "ess_mean": float(array_stats.ess(tr, method="mean")),
        "mcse_mean": float(array_stats.mcse(tr, method="mean")),
    }


def _detrend(x: np.ndarray) -> np.ndarray:
    """Residuals of each row about its least-squares line in time."""
    t = np.arange(x.shape[1], dtype=float)
    t -= t.mean()
    xc = x - x.mean(1, keepdims=True)
    return xc - np.outer(xc @ t / (t @ t), t) if t.size > 1 else xc


def localization_shift(trace: np.ndarray, dist: np.ndarray, n_beta: float, gamma: float) -> tuple[float, float]:
    r"""``(b, stderr)``: :math:`b = \tfrac{\gamma n\beta}2\mathrm{Cov}(L, |w-w^*|^2)` per chain, mean and error over chains.

    ``trace`` and ``dist`` are ``(chains, m)`` at the same draws.  The covariance is that of the
    fluctuations about each chain's linear trend in time: a chain still drifting (along flat
    directions, or out of :math:`w^*` in its first draws) moves both series together, which is
    not the stationary covariance the formula needs.
    """
    L = np.asarray(trace, dtype=float)
    D = np.asarray(dist, dtype=float)
    if L.shape[1] < 3:
        return math.nan, math.nan
    cov = (_detrend(L) * _detrend(D)).sum(1) / (L.shape[1] - 2)
    b = 0.5 * gamma * n_beta * cov
    se = float(b.std(ddof=1) / math.sqrt(b.size)) if b.size > 1 else math.nan
    return float(b.mean()), se


def default_step(h_max: float, n_beta: float, gamma: float, scale: float = STEP_SCALE) -> float:
    r""":math:`\epsilon = s/(n\beta h_{\max} + \gamma)`; raises when the curvature is zero and :math:`\gamma = 0`."""
    A = n_beta * h_max + gamma
    if not A > 0:
        raise ValueError("cannot choose a step size: the Hessian at w* vanishes and gamma = 0; give step_size or gamma > 0")
    return scale / A


def step_sensitivity(llc_1: np.ndarray, llc_2: np.ndarray) -> dict[str, Any]:
    r"""Per-replicate LLCs at :math:`\epsilon` and :math:`2\epsilon` -> change, its error, the extrapolated value."""
    a, b = np.asarray(llc_1, float), np.asarray(llc_2, float)
    k = min(a.size, b.size)
    diff = b[:k] - a[:k]
    ext = 2 * a[:k] - b[:k]
    se = lambda x: float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan  # noqa: E731
    return {"llc_double_step": float(b.mean()), "step_change": float(diff.mean()), "step_change_stderr": se(diff),
            "llc_extrapolated": float(ext.mean()), "llc_extrapolated_stderr": se(ext)}


def warnings_for(value: float, stderr: float, conv: dict[str, float], loc: tuple[float, float] | None,
                 step: dict[str, Any] | None, *, gamma: float, step_size: float) -> list[str]:
    """The warnings, each with its remedy."""
    out = []
    if conv["r_hat"] > RHAT_WARN:
        out.append(f"split R-hat = {conv['r_hat']:.3f} > {RHAT_WARN}: the chains disagree (not converged); run more draws or "
                   "burn_in, or raise step_size")
    if conv["ess"] < ESS_WARN:
        out.append(f"bulk ESS = {conv['ess']:.0f} < {ESS_WARN:.0f}: too few effective draws for a reliable standard error; "
                   "run more draws or chains")
    # the covariance identity holds at stationarity: judged only for converged chains, and only when resolved
    if (loc is not None and abs(value) > 0 and conv["r_hat"] <= RHAT_WARN and loc[0] > LOCALIZATION_WARN * abs(value)
            and not loc[1] * 3 > loc[0]):
        out.append(f"the localization gamma = {gamma:g} lowers the estimate by about {loc[0]:.3g} ({100 * loc[0] / abs(value):.0f}% "
                   f"of it, first order; more beyond): lower gamma or raise n_beta (first-order corrected value {value + loc[0]:.4g})")
    if step is not None and math.isfinite(step["step_change_stderr"]):
        d = step["step_change"]
        if abs(d) > 3 * step["step_change_stderr"] and abs(d) > STEP_WARN * abs(value):
            out.append(f"the estimate moves with the step size: {value:.4g} at step {step_size:.3g} and {step['llc_double_step']:.4g} "
                       f"at twice it; lower step_size (extrapolated to zero step: {step['llc_extrapolated']:.4g} "
                       f"+- {step['llc_extrapolated_stderr']:.2g})")
    return out
