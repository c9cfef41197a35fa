r"""Power-law exponents fitted on the measured quantity itself (no logarithm of a noisy number).

The ntk scaling checks measure a non-negative quantity :math:`y_k` at widths :math:`n_k` (a mean
squared deviation) with a known sampling variance :math:`v_k`, and the theory predicts
:math:`E\,y = A\,n^{q s}\,(1 + \sum_j c_j n^{p_j})` with :math:`s` the exponent of the deviation itself
(:math:`q = 2` for a squared deviation) and sub-leading corrections :math:`p_j < 0` whose amplitudes
are free.  A debiased squared deviation can be zero or negative at a width where the deviation is
not resolved; its logarithm is then undefined and, near zero, wildly biased.  So the fit is
weighted least squares on :math:`y` itself (Gaussian likelihood with known variances):

.. math:: \chi^2(s) = \min_{A, B_j} \sum_k \frac{\big(y_k - A n_k^{qs} - \sum_j B_j n_k^{qs + p_j}\big)^2}{v_k},

linear in the amplitudes for fixed :math:`s` and profiled over :math:`s` (Bates & Watts,
*Nonlinear Regression Analysis*, 1988, sec. 6.1).  The predicted exponent :math:`s_0` is judged by the
likelihood-ratio statistic :math:`\Lambda = \chi^2(s_0) - \min_s\chi^2(s)`, asymptotically
:math:`\chi^2_1` (Wilks 1938), and the fit itself by :math:`\min_s\chi^2 \sim \chi^2_{K - 2 - J}`; the two
p-values are joined by Bonferroni (:func:`validation.stats.combine`), so a measurement that is
no power law of the stated form (a wrong coefficient leaves a constant floor) also fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import optimize, stats

from validation.stats import Comparison, combine

__all__ = ["RawPowerFit", "fit_raw_power_law", "exponent_budget", "compare_exponent", "plot_scaling"]

_GRID = np.linspace(-4.0, 2.0, 301)


@dataclass(frozen=True)
class RawPowerFit:
    """A profiled power-law fit ``y ~ A x^(q s) (1 + sum_j c_j x^p_j)``."""

    exponent: float
    chi2_min: float
    dof: int
    amplitudes: tuple[float, ...]
    q: float
    corrections: tuple[float, ...]
    x0: float

    def curve(self, x: Any, s: float | None = None, amplitudes: Sequence[float] | None = None) -> np.ndarray:
        """The model at ``x`` (at the fit, or at exponent ``s`` with ``amplitudes``)."""
        s = self.exponent if s is None else s
        a = np.asarray(self.amplitudes if amplitudes is None else tuple(amplitudes), dtype=float)
        return _design(np.asarray(x, dtype=float).ravel(), s, self.q, self.corrections, self.x0) @ a


def _x0(x: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(x))))


def _design(x: np.ndarray, s: float, q: float, corrections: Sequence[float], x0: float) -> np.ndarray:
    """Columns :math:`(x/x_0)^{qs + p}`; :math:`x_0` (the geometric-mean width) keeps them of order one."""
    u = x / x0
    return np.stack([u ** (q * s + p) for p in (0.0, *corrections)], axis=1)


def profile_chi2(s: float, x: np.ndarray, y: np.ndarray, var: np.ndarray, q: float,
                 corrections: Sequence[float]) -> tuple[float, np.ndarray]:
    """:math:`\\chi^2(s)` minimised over the amplitudes, and those amplitudes (columns in units of the
    geometric-mean ``x``)."""
    w = 1.0 / np.sqrt(var)
    A = _design(x, s, q, corrections, _x0(x)) * w[:, None]
    coef, *_ = np.linalg.lstsq(A, y * w, rcond=None)
    r = y * w - A @ coef
    return float(r @ r), coef


def _profile_grid(S: np.ndarray, x: np.ndarray, y: np.ndarray, var: np.ndarray, q: float,
                  corrections: Sequence[float]) -> np.ndarray:
    """:math:`\\chi^2(s)` for every ``s`` in ``S`` at once (batched normal equations)."""
    w = 1.0 / np.sqrt(var)
    u = np.log(x / _x0(x))
    P = np.array((0.0, *corrections))
    A = np.exp((q * S[:, None, None] + P[None, None, :]) * u[None, :, None]) * w[None, :, None]  # (G, K, P)
    b = y * w
    AtA = np.einsum("gki,gkj->gij", A, A)
    Atb = np.einsum("gki,k->gi", A, b)
    with np.errstate(all="ignore"):
        try:
            coef = np.linalg.solve(AtA, Atb[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return np.array([profile_chi2(float(t), x, y, var, q, corrections)[0] for t in S])
    r = b[None, :] - np.einsum("gkp,gp->gk", A, coef)
    out = np.einsum("gk,gk->g", r, r)
    return np.where(np.isfinite(out), out, np.inf)


def fit_raw_power_law(x: Any, y: Any, var: Any, *, q: float = 1.0, corrections: Sequence[float] = ()) -> RawPowerFit:
    """Profile :math:`\\chi^2(s)` on a grid over ``[-4, 2]`` and refine the minimum (bounded Brent)."""
    xa, ya, va = (np.asarray(a, dtype=float).ravel() for a in (x, y, var))
    if not (xa.shape == ya.shape == va.shape) or np.any(xa <= 0) or np.any(va <= 0):
        raise ValueError("x > 0, y and var > 0 must be arrays of one length")
    dof = xa.size - 2 - len(corrections)
    if dof < 0:
        raise ValueError(f"need at least {2 + len(corrections)} widths for this fit, got {xa.size}")
    chi = _profile_grid(_GRID, xa, ya, va, q, corrections)
    i = int(np.argmin(chi))
    lo, hi = _GRID[max(i - 1, 0)], _GRID[min(i + 1, _GRID.size - 1)]
    res = optimize.minimize_scalar(lambda s: profile_chi2(s, xa, ya, va, q, corrections)[0], bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-7})
    s_hat = float(res.x) if res.fun <= chi[i] else float(_GRID[i])
    c2, coef = profile_chi2(s_hat, xa, ya, va, q, corrections)
    return RawPowerFit(s_hat, c2, dof, tuple(float(c) for c in coef), float(q), tuple(float(p) for p in corrections),
                       _x0(xa))


def exponent_budget(x: Any, q: float, predicted: float, correction_bound: float) -> float:
    """The largest shift of the fitted exponent caused by an unfitted relative correction :math:`c/x`
    with :math:`|c| \\le` ``correction_bound``: the pure power law fitted (equal relative errors) to the
    noiseless curve :math:`x^{q s_0}(1 + c/x)` at ``c = +-correction_bound``."""
    xa = np.asarray(x, dtype=float).ravel()
    A = np.stack([np.ones_like(xa), q * np.log(xa)], axis=1)
    shifts = [np.linalg.lstsq(A, np.log1p(c / xa), rcond=None)[0][1] for c in (correction_bound, -correction_bound)
              if np.all(1.0 + c / xa > 0)]
    if len(shifts) < 2:
        raise ValueError(f"correction_bound {correction_bound} makes 1 + c/x <= 0 at the smallest x")
    return float(max(abs(t) for t in shifts))


def compare_exponent(predicted: float, x: Any, y: Any, var: Any, *, q: float, corrections: Sequence[float],
                     alpha: float, labels: tuple[str, str], budget: float = 0.0) -> Comparison:
    """The likelihood-ratio test of the predicted exponent, joined with the fit's goodness of fit.

    With a truncation ``budget`` b on the exponent the null hypothesis is :math:`|s - s_0| \\le b`:
    :math:`\\Lambda = \\min_{|s - s_0| \\le b}\\chi^2(s) - \\min_s \\chi^2(s)` (conservative when the true
    exponent is within the budget).  ``labels`` are the axis labels (quantity and unit) of the plot.
    """
    xa, ya, va = (np.asarray(a, dtype=float).ravel() for a in (x, y, var))
    fit = fit_raw_power_law(xa, ya, va, q=q, corrections=corrections)

    def excess(s: float) -> float:
        return profile_chi2(s, xa, ya, va, q, corrections)[0] - fit.chi2_min

    s0 = float(predicted)
    nearest = min(max(fit.exponent, s0 - budget), s0 + budget)
    lam = max(excess(nearest), 0.0)
    p_exp = float(stats.chi2.sf(lam, 1))
    qcrit = float(stats.chi2.ppf(1.0 - alpha, 1))
    grid_excess = _profile_grid(_GRID, xa, ya, va, q, corrections) - fit.chi2_min
    interval = tuple(_edge(excess, fit.exponent, side, qcrit, grid_excess) for side in (-1, 1))
    parts = {"exponent": Comparison("scaling-exponent-lr", float(np.sign(fit.exponent - s0) * np.sqrt(lam)),
                                    p_exp, alpha, p_exp > alpha)}
    if fit.dof > 0:
        p_fit = float(stats.chi2.sf(fit.chi2_min, fit.dof))
        parts["fit"] = Comparison("scaling-exponent-lr", fit.chi2_min, p_fit, alpha, p_fit > alpha)
    out = combine(parts, alpha)
    c0, coef0 = profile_chi2(s0, xa, ya, va, q, corrections)
    details = dict(out.details)
    details.update({
        "slope": fit.exponent, "interval": interval, "predicted": s0, "budget": float(budget),
        "likelihood_ratio": lam, "chi2_min": fit.chi2_min, "dof": fit.dof, "fit": fit,
        "predicted_amplitudes": tuple(float(c) for c in coef0),
        "x": xa, "y": ya, "y_err": np.sqrt(va), "x_label": labels[0], "y_label": labels[1],
    })
    return Comparison(out.rule, out.statistic, out.p_value, alpha, out.passed, details)


def _edge(excess: Any, s_hat: float, side: int, level: float, grid_excess: np.ndarray) -> float:
    """Where the profile excess reaches ``level`` on one side of ``s_hat`` (bracketed on the grid, then Brent);
    +-inf when it never does within the grid."""
    idx = np.nonzero((grid_excess >= level) & (np.sign(_GRID - s_hat) == side))[0]
    if idx.size == 0:
        return float("inf") * side
    j = int(idx[0] if side > 0 else idx[-1])
    a, b = (s_hat, float(_GRID[j])) if side > 0 else (float(_GRID[j]), s_hat)
    if excess(_GRID[j]) < level:  # grid value and scalar profile disagree at round-off: no bracket
        return float(_GRID[j])
    return float(optimize.brentq(lambda s: excess(s) - level, a, b, xtol=1e-6))


def plot_scaling(result: Any, path: str) -> None:
    """The measured quantity against the width with one-sigma bars, the fitted power law and the
    predicted exponent (its best amplitudes); log-log axes when every point is resolved above zero."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.details
    x, y, err = np.asarray(d["x"]), np.asarray(d["y"]), np.asarray(d["y_err"])
    fit: RawPowerFit = d["fit"]
    xx = np.geomspace(x.min(), x.max(), 100)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.errorbar(x, y, yerr=err, fmt="o", color="C3", label="measured ± 1σ")
    ax.plot(xx, fit.curve(xx), color="C3", lw=1,
            label=f"fit: exponent {fit.exponent:.3f}, interval [{d['interval'][0]:.3f}, {d['interval'][1]:.3f}]")
    ax.plot(xx, fit.curve(xx, d["predicted"], d["predicted_amplitudes"]), "--", color="C0",
            label=f"predicted exponent {d['predicted']:.3g}")
    ax.set_xscale("log")
    if np.all(y - err > 0):
        ax.set_yscale("log")
    else:
        ax.axhline(0.0, color="k", lw=0.5)
    ax.set_xlabel(str(d["x_label"]))
    ax.set_ylabel(str(d["y_label"]))
    p = result.p_value
    ax.set_title(f"{result.name}: {result.verdict} (p = {p:.3g})" if p is not None else result.name, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
