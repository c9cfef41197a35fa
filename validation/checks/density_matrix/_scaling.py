r"""Strong dephasing: the error of the classical rate law :math:`2J^2/g` scales as :math:`(J/g)^2` (fitted exponent).

The dephased dimer (:func:`validation.systems._lindblad.scaled_dimer`) is solved for :math:`x = J/g` on a
geometric grid, in units where the classical imbalance rate :math:`4J^2/g` is 1, and compared with the
classical chain (rates :math:`2J^2/g`) solved the same way; the measured quantity is the RMS population
error :math:`\varepsilon(x)` over the scaled times :math:`\tau`.  The theory says
:math:`\log\varepsilon = b_0 + 2\log x + b_1x^2 + b_2x^4 + \dots` (``theory.density_matrix.dimer_error_log_series``).

Deterministic comparison of the fitted leading exponent with the predicted one.  The fit is least
squares of :math:`\log\varepsilon` on :math:`(1, \log x, (x/x_{\max})^2, \dots, (x/x_{\max})^{2k})`, so the slope is
:math:`s = w\cdot\log\varepsilon` with :math:`w` the slope row of the pseudo-inverse.  Data exactly of the model's form
give the predicted exponent; the tolerance is how far the real data can move it:

* the series beyond the :math:`k` fitted corrections: :math:`|R_k(x_i)|`, the exact remainder of
  :math:`\log\varepsilon` (evaluated at 50 digits against the exact error, fast mode included) at every
  :math:`x_i` the check uses;
* the measurement's error: :math:`\delta_i/(\varepsilon_i - \delta_i)` in :math:`\log\varepsilon_i`, with :math:`\delta_i` the
  solvers' trace-norm bounds and the model's entry rounding (populations move by at most that);
* the rounding of the fit itself: :math:`\kappa(A)\,n u\,\|w\|_2\|\log\varepsilon\|_2`;

so :math:`|s - e| \le \sum_i|w_i|(|R_k(x_i)| + \delta_i/(\varepsilon_i-\delta_i)) + \dots` (triangle inequality).
Power: the tolerance is about 1e-6 on the exponent; the twins (exponent 2% off) are 0.04 away.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import mpmath
import numpy as np
import sympy as sp

from numerics.density_matrix import lindblad_evolve
from numerics.estimate import Estimate
from theory.density_matrix import (
    dimer_classical_error,
    dimer_error_log_series,
    strong_dephasing_rates,
)
from validation.check import Check, Display, Prediction, Twin
from validation.checks.density_matrix._common import U, cached, register
from validation.checks.density_matrix._plots import plot_scaling
from validation.params import Param
from validation.stats import Comparison, compare_tolerance
from validation.systems._lindblad import (
    classical_chain,
    dimer_classical_rate,
    exact,
    scaled_dimer,
)

__all__: list[str] = []

_SOURCE = ("sum_i |w_i| (|R_k(x_i)| + delta_i / (eps_i - delta_i)) + fit rounding: w the slope row of the "
           "least-squares pseudo-inverse, R_k the exact remainder of the theory's series of log eps after the "
           "fitted corrections (50 digits), delta_i the solvers' rigorous bounds + entry rounding")


def _grid(p: Mapping[str, Any]) -> np.ndarray:
    return np.geomspace(float(p["x_min"]), float(p["x_max"]), int(p["n_x"]))


@cached
def _scaling_predict(p: Mapping[str, Any]) -> Prediction:
    k = int(p["corrections"])
    taus = [exact(t, "tau") for t in p["tau"]]
    x_grid = _grid(p)
    # the classical rate law the system compares with is the theory's strong-dephasing rate
    m = scaled_dimer(x_grid[0])
    if sp.simplify(strong_dephasing_rates(m.H, m.param("g"))[0, 1] - dimer_classical_rate(m)) != 0:
        raise AssertionError("the system's classical rate is not the theory's strong-dephasing rate")
    e, b = dimer_error_log_series(taus, k)
    xs = sp.Symbol("x", positive=True)
    series = sum((b[j] * xs ** (2 * j) for j in range(k + 1)), sp.S.Zero)
    f = sp.lambdify([xs], sp.log(dimer_classical_error(xs, taus) / xs**e) - series, modules="mpmath")
    remainder = []
    with mpmath.workdps(60):  # the remainder is ~1e-9 of log eps ~ 1: 60 digits leave 40 correct
        for xv in x_grid:
            x = exact(float(xv), "x")
            remainder.append(abs(float(f(mpmath.mpf(int(x.p)) / int(x.q)))))
    return Prediction(float(e), 0.0, summary=f"population error ~ (J/g)^{e}",
                      extra={"corrections": tuple(2.0 * j for j in range(1, k + 1)), "remainder": np.array(remainder)})


def _scaling_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    x = _grid(p)
    models = [scaled_dimer(float(xv)) for xv in x]
    num = [m.numeric() for m in models]
    tau = np.concatenate([[0.0], np.asarray(p["tau"], float)])
    H = np.array([h for h, _, _ in num])
    Ls = [np.array([ls[j] for _, ls, _ in num]) for j in range(2)]
    rho0 = np.array([r for _, _, r in num])
    rho, info = lindblad_evolve(H, Ls, rho0, tau, atol=p["atol"], rtol=p["rtol"], method="auto", return_info=True)
    chain = classical_chain(((0.0, float(dimer_classical_rate(models[0]))),
                             (float(dimer_classical_rate(models[0])), 0.0)), (1.0, 0.0))
    Hc, Lc, rc = chain.numeric()
    rc_t, info_c = lindblad_evolve(Hc, Lc, rc, tau, atol=p["atol"], rtol=p["rtol"], method="auto", return_info=True)
    diff = rho[:, 1:, 0, 0].real - rc_t[None, 1:, 0, 0].real
    err = np.sqrt(np.mean(diff**2, axis=1))
    # populations move by at most the trace-norm error of each solve (+ entry rounding of each model); the RMS
    # moves by at most the largest of those (triangle inequality in the RMS norm), + its own rounding
    inp = max(float(np.max(m.input_error(tau[-1]))) for m in models) + float(np.max(chain.input_error(tau[-1])))
    delta = float(np.max(info["error_bound"][1:] + info_c["error_bound"][1:])) + inp + 8 * U * err
    return Estimate(err, 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"axis": x, "x": x, "tolerance": delta, "fast_mode_transient": float(np.exp(-tau[1] / (4 * x.max() ** 2)))})


def _scaling_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    x, y = np.asarray(est.diagnostics["x"], float), np.asarray(est.value, float)
    delta = np.broadcast_to(np.asarray(est.diagnostics["tolerance"], float), y.shape)
    if np.any(delta >= y):
        return Comparison("tolerance", float("inf"), None, alpha, False,
                          {"reason": "the solver's error bound is not below the measured error"}, kind="deterministic")
    xs = x / x.max()
    A = np.stack([np.ones_like(x), np.log(x)] + [xs**c for c in pred.extra["corrections"]], 1)
    w = np.linalg.pinv(A)[1]
    ly = np.log(y)
    slope = float(w @ ly)
    fit_rounding = np.linalg.cond(A) * A.size * U * np.linalg.norm(w) * np.linalg.norm(ly)
    tol = float(np.sum(np.abs(w) * (pred.extra["remainder"] + delta / (y - delta))) + fit_rounding)
    cmp = compare_tolerance(pred.value, slope, tol, alpha=alpha, source=_SOURCE)
    coef = np.linalg.lstsq(A, ly, rcond=None)[0]
    cmp.details.update({"slope": slope, "predicted": float(pred.value), "x": x, "y": y,
                        "residual": (ly - A @ coef).tolist(), "weights_l1": float(np.abs(w).sum())})
    return cmp


def _exponent(factor: float) -> Any:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        right = _scaling_predict(p)
        return Prediction(right.value * factor, 0.0, extra=right.extra)

    return wrong


register(Check(
    "density_matrix.strong_dephasing_scaling", "density_matrix",
    "Dephased dimer vs classical rates 2J^2/g: population error ~ (J/g)^2 (fitted exponent, deterministic tolerance)",
    _scaling_predict, _scaling_measure, _scaling_compare,
    quick={"x_min": 0.01, "x_max": 0.06, "n_x": 12, "tau": (0.5, 1.0, 2.0, 3.0), "corrections": 4,
           "atol": 1e-13, "rtol": 1e-13},
    full={"x_min": 0.005, "n_x": 20, "tau": tuple(float(t) for t in np.linspace(0.5, 4.0, 30))},
    schema={"x_min": Param("float", "smallest J/g", minimum=0.0, open_min=True),
            "x_max": Param("float", "largest J/g (the series converges for J/g < 1/4)", minimum=0.0, maximum=0.2,
                           open_min=True),
            "n_x": Param("int", "number of J/g values (geometric grid)", minimum=4),
            "tau": Param("floats", "scaled times tau = 4 J^2 t / g of the RMS error (>= 0.5 keeps the fast mode "
                         "exp(-tau/(4x^2)) negligible)", minimum=0.0, open_min=True),
            "corrections": Param("int", "fitted corrections x^2 .. x^(2k) from the theory's series", minimum=0,
                                 maximum=8),
            "atol": Param("float", "Taylor route: absolute truncation tolerance", minimum=0.0, open_min=True),
            "rtol": Param("float", "Taylor route: relative truncation tolerance", minimum=0.0, open_min=True)},
    twins=(Twin("exponent_x1.02", "exponent 2% too large (2.04)", _exponent(1.02)),
           Twin("exponent_x0.98", "exponent 2% too small (1.96)", _exponent(0.98))),
    display=Display("RMS population error of the classical rate law", kind="scaling", unit="probability",
                    axis="J/g", axis_unit="dimensionless", xlog=True, ylog=True),
    deterministic=True, plot=plot_scaling,
))
