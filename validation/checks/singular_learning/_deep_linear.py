r"""Singular learning theory checks: exact RLCTs against sampled local posteriors.

* ``singular_learning.normal_crossing`` -- MALA on :math:`K = \prod w_j^{2k_j}` against the
  finite-:math:`n\beta` quadrature value (exact; no bias budget: MALA is unbiased);
* ``singular_learning.sgld_step_bias`` -- SGLD on an exactly quadratic loss against the exact
  step-size law including the burn-in transient (exact);
* ``singular_learning.deep_linear`` -- SGLD on deep linear networks trained to a rank-``r``
  teacher against Aoyagi's :math:`\lambda`;
* ``singular_learning.degradation`` -- slope of :math:`E[L] - L^*` against :math:`1/(n\beta)`
  equals :math:`\lambda`;
* ``singular_learning.degradation_exponent`` -- the same curve is a power law of exponent 1
  (``compare_scaling``).

Bias budget of the deep-linear checks (derived, not tuned): SGLD with step :math:`\epsilon`
inflates the estimate in a direction of curvature :math:`h` by exactly
:math:`1/(1 - \epsilon A/4)`, :math:`A = n\beta h + \gamma` (:func:`theory.singular_learning.sgld_quadratic_llc`);
the estimator reports :math:`b = \frac{\epsilon A_{\max}/4}{1-\epsilon A_{\max}/4}` with the measured
top Hessian eigenvalue, and the comparison allows :math:`b\,|\hat\lambda|` (the largest inflation
any direction can have) on top of the statistical error.  The step is set from the measured
:math:`h_{\max}` as :math:`\epsilon = s/(n\beta_{\max} h_{\max} + \gamma)` (``step_scale`` = s).

Not budgeted (no derived formula): finite-:math:`n\beta` / localisation corrections and
incomplete equilibration of chains started at :math:`w^*` in the near-flat directions.  They
are made small rather than budgeted: the data are compressed exactly to ``input``-dim rows
(:func:`numerics.slt_models.compress_linear_data`: the same loss up to a constant, so the same
posterior), which makes a step cheap enough to run :math:`n\beta = 2000`, weak localisation
:math:`\gamma = 1` and :math:`\sim 10^4` steps.  With these settings the strongly singular
networks ((5,2,3) r=1, (4,3,4) r=1, (2,3,4) r=1) come out within a few percent of Aoyagi's
:math:`\lambda`; with the earlier :math:`\gamma = 10`, :math:`n\beta = 150` they were 5-15% low.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


from numerics.estimate import Estimate
from numerics.sgld import degradation_sweep, estimate_llc, hessian_max_eigenvalue
from numerics.slt_models import (
    NormalCrossingModel,
    compress_linear_data,
    QuadraticModel,
    deep_linear_teacher_student,
    mse,
    normal_crossing_data,
    quadratic_data,
)
from theory.singular_learning import normal_crossing_llc, rlct_deep_linear, sgld_quadratic_llc
from validation.check import Check, Prediction, register_check
from validation.stats import Comparison, compare_point, compare_scaling

__all__: list[str] = []

# ---------------------------------------------------------------- normal crossing


def _nc_predict(p: dict[str, Any]) -> Prediction:
    vals = [float(normal_crossing_llc(k, p["n_beta"], gamma=p["gamma"])) for k in p["powers"]]
    return Prediction(np.asarray(vals), 0.0, summary={"powers": [list(k) for k in p["powers"]], "llc": vals})


def _nc_measure(p: dict[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    vals, ses, acc = [], [], []
    X, Y = normal_crossing_data(16, seed=seed)
    for i, k in enumerate(p["powers"]):
        e = estimate_llc(NormalCrossingModel(k), mse, (X, Y), n_beta=p["n_beta"], gamma=p["gamma"], step_size=p["step_size"],
                         chains=p["chains"], draws=p["draws"], burn_in=p["burn_in"], seed=seed + 7919 * i, sampler="mala",
                         bias_diagnostic=False)
        vals.append(e.value)
        ses.append(e.stderr)
        acc.append(float(np.mean(e.diagnostics["acceptance_rate"])))
    return Estimate(np.asarray(vals), np.asarray(ses), p["chains"], seed, time.perf_counter() - t0, "across-chains",
                    {"acceptance_rate": acc})


def _point(pred: Prediction, est: Estimate, p: dict[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


register_check(Check(
    "singular_learning.normal_crossing", "singular_learning",
    "MALA n*beta*E[K] on normal-crossing K = prod w^(2k) vs the finite-n quadrature value",
    _nc_predict, _nc_measure, _point,
    quick={"powers": [(1,), (2,), (1, 1)], "n_beta": 100.0, "gamma": 1.0, "step_size": 0.015, "chains": 256, "draws": 300, "burn_in": 200},
    full={"powers": [(1,), (2,), (3,), (1, 1), (1, 2), (1, 1, 1)], "n_beta": 300.0, "gamma": 1.0, "step_size": 0.005,
          "chains": 128, "draws": 4000, "burn_in": 1000},
))

# ---------------------------------------------------------------- quadratic step-size law


def _q_predict(p: dict[str, Any]) -> Prediction:
    v = sgld_quadratic_llc(p["curvatures"], p["n_beta"], p["gamma"], p["step_size"], burn_in=p["burn_in"], draws=p["draws"])
    return Prediction(v, 0.0, summary=v)


def _q_measure(p: dict[str, Any], seed: int) -> Estimate:
    X, Y = quadratic_data(p["curvatures"], 64, seed=seed)
    m = QuadraticModel(len(p["curvatures"]))
    return estimate_llc(m, mse, (X, Y), n_beta=p["n_beta"], gamma=p["gamma"], step_size=p["step_size"], chains=p["chains"],
                        draws=p["draws"], burn_in=p["burn_in"], seed=seed, bias_diagnostic=False)


register_check(Check(
    "singular_learning.sgld_step_bias", "singular_learning",
    "SGLD LLC on an exactly quadratic loss vs the exact step-size law E = sum n*beta*h/(2A(1-eps*A/4)) (with transient)",
    _q_predict, _q_measure, _point,
    quick={"curvatures": [1.0, 2.0, 4.0], "n_beta": 100.0, "gamma": 1.0, "step_size": 0.006, "chains": 256, "draws": 200, "burn_in": 10},
    full={"curvatures": [0.5, 1.0, 2.0, 4.0, 8.0], "n_beta": 100.0, "gamma": 1.0, "step_size": 0.003, "chains": 1024, "draws": 1000, "burn_in": 0},
))

# ---------------------------------------------------------------- deep linear networks


def _dl_predict(p: dict[str, Any]) -> Prediction:
    lams = [float(rlct_deep_linear(w, r)[0]) for w, r in p["networks"]]
    return Prediction(np.asarray(lams), 0.0, summary={"networks": [[list(w), r] for w, r in p["networks"]], "lambda": lams})


def _dl_problem(widths: Any, rank: int, p: dict[str, Any], seed: int, n_beta_max: float) -> tuple[Any, Any, float]:
    """Trained student, exactly compressed data and the step eps = step_scale / (n beta h_max + gamma)."""
    net, data = deep_linear_teacher_student(widths, rank, p["n"], seed=seed)
    data, _ = compress_linear_data(data)  # same loss up to a constant: same posterior, p rows instead of n
    h = hessian_max_eigenvalue(net, mse, data, seed=seed)
    return net, data, p["step_scale"] / (n_beta_max * h + p["gamma"])


def _dl_measure(p: dict[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    vals, ses, bias = [], [], []
    for i, (w, r) in enumerate(p["networks"]):
        net, data, eps = _dl_problem(w, r, p, seed + 31 * i, p["n_beta"])
        e = estimate_llc(net, mse, data, n_beta=p["n_beta"], gamma=p["gamma"], step_size=eps, chains=p["chains"],
                         draws=p["draws"], burn_in=p["burn_in"], seed=seed + 17 * i)
        vals.append(e.value)
        ses.append(e.stderr)
        bias.append(e.diagnostics["step_size_bias"])
    return Estimate(np.asarray(vals), np.asarray(ses), p["chains"], seed, time.perf_counter() - t0, "across-chains",
                    {"step_size_bias": np.asarray(bias)})


def _with_bias(pred: Prediction, est: Estimate, p: dict[str, Any], alpha: float) -> Comparison:
    budget = np.asarray(pred.truncation) + np.asarray(est.diagnostics["step_size_bias"]) * np.abs(np.asarray(est.value))
    return compare_point(pred.value, est.value, est.stderr, truncation=budget, alpha=alpha)


register_check(Check(
    "singular_learning.deep_linear", "singular_learning",
    "SGLD LLC of deep linear networks trained to a rank-r teacher vs Aoyagi's lambda (+ exact step-size bias budget)",
    _dl_predict, _dl_measure, _with_bias,
    quick={"networks": [((3, 3, 3), 3), ((5, 2, 3), 1)], "n": 500, "n_beta": 2000.0, "gamma": 1.0, "step_scale": 0.08,
           "chains": 16, "draws": 3000, "burn_in": 3000},
    full={"networks": [((3, 3, 3), 3), ((5, 2, 3), 1), ((4, 3, 4), 1), ((4, 3, 3, 4), 2), ((2, 3, 4), 1)], "n": 500,
          "n_beta": 2000.0, "gamma": 1.0, "step_scale": 0.08, "chains": 8, "draws": 20000, "burn_in": 20000},
))

# ---------------------------------------------------------------- degradation curve


def _deg_predict(p: dict[str, Any]) -> Prediction:
    lam = float(rlct_deep_linear(p["widths"], p["rank"])[0])
    return Prediction(lam, 0.0, summary=lam)


def _deg_measure(p: dict[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    net, data, eps = _dl_problem(p["widths"], p["rank"], p, seed, max(p["n_betas"]))
    sw = degradation_sweep(net, mse, data, p["n_betas"], gamma=p["gamma"], step_size=eps, chains=p["chains"],
                           draws=p["draws"], burn_in=p["burn_in"], seed=seed)
    x, y, s = sw.diagnostics["x"], np.asarray(sw.value), np.asarray(sw.stderr)
    w = 1.0 / s**2
    slope = float(np.sum(w * x * y) / np.sum(w * x * x))
    chi2 = float(np.sum(w * (y - slope * x) ** 2))
    se = float(np.sqrt(max(1.0, chi2 / max(x.size - 1, 1)) / np.sum(w * x * x)))
    q = p["step_scale"] / 4  # eps (n beta_max h_max + gamma) / 4 by construction
    return Estimate(slope, se, p["chains"], seed, time.perf_counter() - t0, "across-chains",
                    {"x": x, "y": y, "y_err": s, "step_size": eps, "step_size_bias": q / (1 - q) if q < 1 else np.inf})


register_check(Check(
    "singular_learning.degradation", "singular_learning",
    "degradation curve: slope of E[L]-L* against 1/(n beta) on a trained deep linear network equals Aoyagi's lambda",
    _deg_predict, _deg_measure, _with_bias,
    quick={"widths": (3, 3, 3), "rank": 3, "n": 200, "n_betas": [500.0, 1000.0, 2000.0], "gamma": 1.0, "step_scale": 0.08,
           "chains": 8, "draws": 2000, "burn_in": 2000},
    full={"widths": (2, 3, 4), "rank": 1, "n": 500, "n_betas": [250.0, 500.0, 1000.0, 2000.0], "gamma": 1.0,
          "step_scale": 0.08, "chains": 16, "draws": 10000, "burn_in": 10000},
))



def _exp_predict(p: dict[str, Any]) -> Prediction:
    lam = float(rlct_deep_linear(p["widths"], p["rank"])[0])
    return Prediction(1.0, 0.0, summary={"exponent": 1.0, "lambda": lam})


def _exp_compare(pred: Prediction, est: Estimate, p: dict[str, Any], alpha: float) -> Comparison:
    d = est.diagnostics
    return compare_scaling(pred.value, d["x"], d["y"], d["y_err"], alpha=alpha)


register_check(Check(
    "singular_learning.degradation_exponent", "singular_learning",
    "degradation law E[L]-L* ~ (1/(n beta))^1 on a trained deep linear network (fitted log-log exponent)",
    _exp_predict, _deg_measure, _exp_compare,
    quick={"widths": (3, 3, 3), "rank": 3, "n": 200, "n_betas": [250.0, 500.0, 1000.0, 2000.0, 4000.0], "gamma": 1.0,
           "step_scale": 0.08, "chains": 8, "draws": 2000, "burn_in": 2000},
    full={"widths": (2, 3, 4), "rank": 1, "n": 500, "n_betas": [125.0, 250.0, 500.0, 1000.0, 2000.0], "gamma": 1.0,
          "step_scale": 0.08, "chains": 16, "draws": 10000, "burn_in": 10000},
))
