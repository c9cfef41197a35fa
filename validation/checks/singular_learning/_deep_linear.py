r"""``singular_learning.deep_linear``: SGLD LLC of trained deep linear networks against Aoyagi's :math:`\lambda`.

System (:class:`validation.systems.DeepLinearTeacherStudent`): a student trained to a
rank-``r`` teacher on ``n`` noise-free rows, the data compressed exactly to ``input`` rows
(the same loss up to a constant, so the same posterior: :func:`numerics.singular_learning.compress_linear_data`),
step :math:`\epsilon = s/(n\beta h_{\max} + \gamma)` from the measured top Hessian eigenvalue.

Prediction: :math:`\lambda` of :func:`theory.singular_learning.rlct_deep_linear` (Aoyagi 2024).
Measurement: the mean over ``chains`` SGLD chains of :math:`n\beta(\bar L - L^*)`, judged with
Student t on ``chains - 1`` dof (a normal z over 8-16 chains false-failed about 100 times too
often), Bonferroni over the networks.

Bias budget (derived, not tuned): SGLD inflates the estimate in a direction of curvature
:math:`h` by exactly :math:`1/(1 - \epsilon A/4)`, :math:`A = n\beta h + \gamma`
(:func:`theory.singular_learning.sgld_quadratic_llc`); with the step above every direction has
:math:`\epsilon A/4 \le s/4`, so the comparison allows :math:`b|\lambda|`,
:math:`b = \tfrac{s/4}{1 - s/4}` (2% at :math:`s = 0.08`).  Not budgeted (no derived formula):
finite-:math:`n\beta` and localization corrections and incomplete equilibration in the flat
directions; they are made small instead (:math:`n\beta = 2000`, :math:`\gamma = 1`,
:math:`\sim 10^4` steps on compressed data).  The calibration over many seeds is the check
that they are small enough.

Power (quick set, 64 chains): standard errors of 0.5-1% of :math:`\lambda`, so a :math:`\lambda`
10% too large or too small fails at the suite's alpha (twins ``lambda_x1.1``, ``lambda_x0.9``),
as does the regular count :math:`d/2` (twin ``regular_count``).
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from numerics.singular_learning import estimate_llc, mse
from theory.singular_learning import parameter_count, rlct_deep_linear
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.checks.singular_learning._common import SAMPLING, t_point_with_step_bias
from validation.params import Param
from validation.systems import DeepLinearTeacherStudent
from validation.systems._slt import networks_param

__all__: list[str] = []

SCHEMA = {
    "networks": Param("any", "deep linear networks as ((input, hidden..., output), teacher rank) pairs", check=networks_param),
    "n": Param("int", "rows of noise-free teacher data", minimum=2),
    "n_beta": Param("float", "n beta of the tempered posterior", minimum=0.0, open_min=True),
    "step_scale": Param("float", "step size times (n beta h_max + gamma); the step-size bias is at most (s/4)/(1-s/4)",
                        minimum=0.0, maximum=4.0, open_min=True),
    **SAMPLING,
}


def _systems(p: Mapping[str, Any]) -> list[DeepLinearTeacherStudent]:
    return [DeepLinearTeacherStudent(w, r, p["n"], p["gamma"], p["step_scale"]) for w, r in p["networks"]]


def _lambdas(p: Mapping[str, Any]) -> np.ndarray:
    return np.asarray([float(rlct_deep_linear(s.widths, s.rank)[0]) for s in _systems(p)])


def _predict(p: Mapping[str, Any]) -> Prediction:
    lams = _lambdas(p)
    return Prediction(lams, 0.0, summary={"networks": [[list(w), r] for w, r in p["networks"]], "lambda": lams.tolist()})


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    vals, ses, dof, bias = [], [], [], []
    for i, system in enumerate(_systems(p)):
        s = system.build(seed + 31 * i)
        e = estimate_llc(s.net, mse, s.data, n_beta=p["n_beta"], gamma=p["gamma"], step_size=s.step_for(p["n_beta"]),
                         chains=p["chains"], draws=p["draws"], burn_in=p["burn_in"], seed=seed + 17 * i, bias_diagnostic=False,
                         diag_every=None)
        vals.append(e.value)
        ses.append(e.stderr)
        dof.append(e.diagnostics["dof"])
        bias.append(s.step_size_bias)
    return Estimate(np.asarray(vals), np.asarray(ses), p["chains"], seed, time.perf_counter() - t0, "across-chains",
                    {"dof": np.asarray(dof), "step_size_bias": np.asarray(bias)})


def _scaled(factor: float) -> Any:
    def predict(p: Mapping[str, Any]) -> Prediction:
        return Prediction(factor * _lambdas(p))

    return predict


def _regular_count(p: Mapping[str, Any]) -> Prediction:
    return Prediction(np.asarray([parameter_count(s.widths) / 2 for s in _systems(p)]))


register_check(Check(
    "singular_learning.deep_linear", "singular_learning",
    "SGLD LLC of deep linear networks trained to a rank-r teacher vs Aoyagi's lambda (+ exact step-size bias budget)",
    _predict, _measure, t_point_with_step_bias,
    quick={"networks": (((3, 3, 3), 3), ((5, 2, 3), 1)), "n": 500, "n_beta": 2000.0, "gamma": 1.0, "step_scale": 0.08,
           "chains": 64, "draws": 3000, "burn_in": 3000},
    full={"networks": (((3, 3, 3), 3), ((5, 2, 3), 1), ((4, 3, 4), 1), ((4, 3, 3, 4), 2), ((2, 3, 4), 1)), "n": 500,
          "n_beta": 2000.0, "gamma": 1.0, "step_scale": 0.08, "chains": 32, "draws": 20000, "burn_in": 20000},
    schema=SCHEMA,
    twins=(
        Twin("lambda_x1.1", "Aoyagi's lambda 10% too large for every network", _scaled(1.1)),
        Twin("lambda_x0.9", "Aoyagi's lambda 10% too small for every network", _scaled(0.9)),
        Twin("regular_count", "the regular count d/2 instead of lambda", _regular_count),
    ),
    display=Display("local learning coefficient", labels=lambda p: [f"widths {tuple(w)}, r = {r}" for w, r in p["networks"]]),
))
