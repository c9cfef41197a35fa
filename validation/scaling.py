"""Power laws: fitted exponents with confidence intervals, compared with predicted ones.

Scaling predictions (an error falling like :math:`n^{-(k+1)/2}`, a kurtosis like 1/width)
are checked as fitted exponents with their intervals, not as single points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import stats

from validation.stats import DEFAULT_ALPHA, Comparison, _check_alpha, _finite

__all__ = ["PowerLawFit", "fit_power_law", "compare_scaling"]


@dataclass(frozen=True)
class PowerLawFit:
    r"""A power law :math:`y \approx A x^{s}` fitted on log-log axes (:func:`fit_power_law`).

    Parameters
    ----------
    slope : float
        The fitted exponent :math:`s`.
    stderr : float
        Standard error of ``slope``.
    intercept : float
        The fitted :math:`\log A`.
    dof : int
        Residual degrees of freedom: points minus fitted coefficients.
    method : {"ols", "wls"}
        Ordinary (no errors given) or weighted least squares.
    nuisance : tuple of float, default ()
        The fitted coefficients :math:`c_j` of the sub-leading corrections.
    """

    slope: float
    stderr: float
    intercept: float
    dof: int
    method: str
    nuisance: tuple[float, ...] = ()

    def interval(self, level: float = 0.999) -> tuple[float, float]:
        r"""Two-sided confidence interval for the slope, :math:`s \pm q\,\sigma_s`.

        :math:`q` is the Student-t quantile on ``dof`` degrees of freedom for an OLS fit
        (Student 1908, *Biometrika* 6, 1) and the normal quantile for a WLS fit.

        Parameters
        ----------
        level : float, default 0.999
            Confidence level in (0, 1).

        Returns
        -------
        tuple of float
            The interval's ``(low, high)`` ends.
        """
        q = stats.t.ppf(0.5 + level / 2, self.dof) if self.method == "ols" else stats.norm.ppf(0.5 + level / 2)
        return (self.slope - q * self.stderr, self.slope + q * self.stderr)


def fit_power_law(
    x: Any,
    y: Any,
    y_err: Any | None = None,
    *,
    corrections: Sequence[float] = (),
) -> PowerLawFit:
    r"""Fit :math:`\log y = a + s \log x + \sum_j c_j x^{p_j}` by least squares.

    ``corrections`` are the exponents :math:`p_j` (< 0) of sub-leading terms the
    theory says are present (e.g. ``(-0.5,)`` for an expansion in :math:`n^{-1/2}`);
    they are fitted as nuisance parameters so that the slope is the asymptotic one.

    * ``y_err=None`` (deterministic ``y``, e.g. theory against an exact value):
      ordinary least squares; the slope's standard error comes from the residuals
      and a Student-t interval.
    * ``y_err`` given (measured ``y``): weighted least squares with
      :math:`\sigma_{\log y} = \sigma_y / y`; the standard error is inflated by the
      Birge ratio :math:`\sqrt{\chi^2/\nu}` when that exceeds one (Birge 1932,
      *Phys. Rev.* 40, 207).

    Parameters
    ----------
    x, y : array_like
        Positive abscissae and values, of equal length (more points than fitted coefficients).
    y_err : array_like, optional
        Positive standard errors of ``y``; ``None`` for an unweighted fit.
    corrections : sequence of float, default ()
        Exponents :math:`p_j` of the sub-leading terms fitted as nuisance parameters.

    Returns
    -------
    PowerLawFit
        The slope with its standard error, the intercept, the degrees of freedom and the nuisances.

    Raises
    ------
    ValueError
        If the inputs are not finite, ``x`` and ``y`` differ in length, a value is not positive,
        ``y_err`` is not positive or does not match ``y``, or there are too few points.
    """
    xa = _finite("x", x).ravel()
    ya = _finite("y", y).ravel()
    if xa.shape != ya.shape:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    if np.any(xa <= 0) or np.any(ya <= 0):
        raise ValueError("power-law fit needs x > 0 and y > 0")
    cols = [np.ones_like(xa), np.log(xa)] + [xa**p for p in corrections]
    A = np.stack(cols, axis=1)
    dof = xa.size - A.shape[1]
    if dof < 1:
        raise ValueError(f"need more than {A.shape[1]} points for this fit, got {xa.size}")
    ly = np.log(ya)
    if y_err is None:
        coef, *_ = np.linalg.lstsq(A, ly, rcond=None)
        resid = ly - A @ coef
        s2 = float(resid @ resid) / dof
        cov = s2 * np.linalg.inv(A.T @ A)
        method = "ols"
    else:
        ye = _finite("y_err", y_err).ravel()
        if ye.shape != ya.shape or np.any(ye <= 0):
            raise ValueError("y_err must be positive and match y")
        w = ya / ye  # 1 / sigma_log
        Aw = A * w[:, None]
        coef, *_ = np.linalg.lstsq(Aw, ly * w, rcond=None)
        chi2 = float(np.sum(((ly - A @ coef) * w) ** 2))
        cov = np.linalg.inv(Aw.T @ Aw) * max(1.0, chi2 / dof)
        method = "wls"
    return PowerLawFit(float(coef[1]), float(np.sqrt(cov[1, 1])), float(coef[0]), dof, method, tuple(float(c) for c in coef[2:]))


def compare_scaling(
    predicted_exponent: float,
    x: Any,
    y: Any,
    y_err: Any | None = None,
    *,
    corrections: Sequence[float] = (),
    alpha: float = DEFAULT_ALPHA,
) -> Comparison:
    r"""The fitted exponent of :math:`y \sim x^{s}` against a predicted exponent (t- or z-test).

    With :math:`\hat s \pm \sigma_s` from :func:`fit_power_law`, the statistic is
    :math:`t = |\hat s - s_0| / \sigma_s` and the p-value :math:`2\,T_\nu(-t)`, Student's t on
    the fit's :math:`\nu` degrees of freedom, for an OLS fit (Student 1908, *Biometrika* 6, 1),
    or :math:`2\,\Phi(-t)` for a WLS fit.

    Parameters
    ----------
    predicted_exponent : float
        The theory's exponent :math:`s_0`.
    x, y, y_err, corrections
        As in :func:`fit_power_law`.
    alpha : float, default DEFAULT_ALPHA
        Significance level in (0, 1).

    Returns
    -------
    Comparison
        Rule ``"scaling-exponent"``; ``details`` holds the slope, its interval at level
        ``1 - alpha``, the fit and the data.

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1) or the fit rejects the data (see :func:`fit_power_law`).
    """
    alpha = _check_alpha(alpha)
    fit = fit_power_law(x, y, y_err, corrections=corrections)
    if fit.stderr == 0:
        t = 0.0 if fit.slope == predicted_exponent else np.inf
    else:
        t = abs(fit.slope - float(predicted_exponent)) / fit.stderr
    if fit.method == "ols":
        p = float(2 * stats.t.sf(t, fit.dof))
    else:
        p = float(2 * stats.norm.sf(t))
    lo, hi = fit.interval(1 - alpha)
    return Comparison(
        "scaling-exponent",
        float(t),
        p,
        alpha,
        p > alpha,
        {
            "slope": fit.slope,
            "slope_stderr": fit.stderr,
            "interval": (lo, hi),
            "predicted": float(predicted_exponent),
            "fit": fit,
            "x": np.asarray(x, dtype=float),
            "y": np.asarray(y, dtype=float),
            "y_err": None if y_err is None else np.asarray(y_err, dtype=float),
        },
    )


