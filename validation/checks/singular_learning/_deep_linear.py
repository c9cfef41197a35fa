r"""``singular_learning.deep_linear``: SGLD LLC of trained deep linear networks against Aoyagi's :math:`\lambda`.

System (:class:`validation.systems.DeepLinearTeacherStudent`): a student trained to a
rank-``r`` teacher on ``n`` noise-free rows, the data compressed exactly to ``input`` rows
(the same loss up to a constant, so the same posterior: :func:`numerics.singular_learning.compress_linear_data`),
step :math:`\epsilon = s/(n\beta h_{\max} + \gamma)` from the measured top Hessian eigenvalue.

Prediction: :math:`\lambda` of :func:`theory.singular_learning.rlct_deep_linear` (Aoyagi 2024).
Measurement: ``chains`` SGLD chains at :math:`\epsilon` and as many at :math:`2\epsilon`; chain ``c``
of both forms replicate ``c`` with the Richardson-extrapolated LLC
:math:`n\beta(2\bar e_c(\epsilon) - \bar e_c(2\epsilon))`, which removes the first-order step-size
bias; the mean over replicates is judged with Student t on ``chains - 1`` dof (a normal z over
8-16 chains false-failed about 100 times too often), Bonferroni over the networks.

Bias budget (derived, not tuned): on a quadratic loss SGLD inflates a direction of curvature
:math:`h` by exactly :math:`1/(1 - x)`, :math:`x = \epsilon A/4`, :math:`A = n\beta h + \gamma`
(:func:`theory.singular_learning.sgld_quadratic_llc`); the extrapolation leaves
:math:`-2x^2/((1-x)(1-2x))`, and with the step above :math:`x \le s/4`, so the comparison allows
:math:`b|\lambda|`, :math:`b = 2q^2/((1-q)(1-2q))`, :math:`q = s/4` (0.085% at :math:`s = 0.08`).
Before the extrapolation the estimates sat 2.0% (:math:`(3,3,3)`) and 1.3% (:math:`(5,2,3)`) high,
against a first-order budget of 2.04% whose quadratic part alone predicted 1.8-1.9% and 1.1%:
the rest is the non-quadratic first-order bias, which the extrapolation removes with the rest.
Not budgeted (no derived formula): finite-:math:`n\beta` and localization corrections and
incomplete equilibration in the flat directions; they are made small instead
(:math:`n\beta = 2000`, :math:`\gamma = 1`, :math:`\sim 10^4` steps on compressed data), and the
calibration over many seeds is the check that they are small enough.

What the check cannot resolve (measured, not budgeted, so left out of both sets):

* long chains.  Along the :math:`GL(r)` gauge orbits of :math:`W_L\cdots W_1` the loss is flat but
  the curvature of the other directions is not: the largest local Hessian eigenvalue at the chain
  ends was up to 2x its value at :math:`w^*` after 6000 steps and 2.8x after 40000.  The chains at
  :math:`2\epsilon` drift twice as far as those at :math:`\epsilon`, so the two no longer see the same
  curvature and the extrapolation loses its guarantee: with 40000 steps the estimates came out
  1-4% low (9 seeds).  The full set therefore adds replicates, not steps.  The same drift leaves
  a small residual: the (3,3,3) estimate is 0.35% (quick) and 0.55% (full) low on average, 0.3 and
  0.85 standard errors of one run.  Halving the step does not remove it here: at :math:`s = 0.04`
  the (3,3,3) residual stayed at -0.3% and the strongly singular (5,2,3) came out 2.2% low (its
  chains at :math:`\epsilon` and :math:`2\epsilon` then differ in how far they explored the flat
  directions, which the extrapolation amplifies; 5 of 30 full seeds failed at level 0.05), so both
  sets step at :math:`s = 0.08`.
* strongly singular networks at :math:`n\beta = 2000`: :math:`(4,3,4)` r=1, :math:`(4,3,3,4)` r=2 and
  :math:`(2,3,4)` r=1 (the earlier full set) came out 6%, 9% and 2.6% below Aoyagi's :math:`\lambda`
  (extrapolated; 4%, 5% and 1% at the step :math:`\epsilon`), a finite-:math:`n\beta` effect no
  derived budget covers.  The earlier full set "passed" only because 8 chains judged with a normal
  z and a +2% step-size bias inside a 2% budget hid it.

Power (quick set, 64 replicates): standard errors of 1.3% ((3,3,3)) and 2.5-3% ((5,2,3)) of
:math:`\lambda`, so a :math:`\lambda` 10% too large or too small fails at the suite's alpha (twins
``lambda_x1.1``, ``lambda_x0.9``: largest p over 100 seeds 2.5e-8 and 7e-6), as does the regular
count :math:`d/2` (twin ``regular_count``).  Calibration (100 seeds, quick): no false fail at the
suite's alpha, 2 at level 0.01, 5 at 0.05; mean deviation from :math:`\lambda` -0.35% +- 0.13%
((3,3,3)) and +0.35% +- 0.29% ((5,2,3)).  Full set (256 replicates, 30 seeds): none at the suite's
alpha, 1 at 0.01, 2 at 0.05.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from theory.singular_learning import parameter_count, rlct_deep_linear
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.checks.singular_learning._common import (
    SAMPLING,
    extrapolated_excess,
    t_point_with_step_bias,
)
from validation.params import Param
from validation.systems import DeepLinearTeacherStudent, networks_param

__all__: list[str] = []

SCHEMA = {
    "networks": Param("any", "deep linear networks as ((input, hidden..., output), teacher rank) pairs", check=networks_param),
    "n": Param("int", "rows of noise-free teacher data", minimum=2),
    "n_beta": Param("float", "n beta of the tempered posterior", minimum=0.0, open_min=True),
    "step_scale": Param("float", "step size times (n beta h_max + gamma), in (0, 2): the doubled step must be stable",
                        minimum=0.0, maximum=2.0, open_min=True),
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
    vals, ses, dof, bias, plain, rhat, ess, steps = [], [], [], [], [], [], [], []
    for i, system in enumerate(_systems(p)):
        X, d = extrapolated_excess(system.build(seed + 31 * i), [p["n_beta"]], p, seed + 17 * i)
        r = p["n_beta"] * X[0]  # the extrapolated LLC of each replicate
        vals.append(float(r.mean()))
        ses.append(float(r.std(ddof=1) / np.sqrt(r.size)))
        dof.append(r.size - 1)
        bias.append(system.extrapolated_bias)
        plain.append(p["n_beta"] * d["excess_at_step"][0])
        rhat.append(d["r_hat"])
        ess.append(d["ess"])
        steps.append(float(d["step_size"][0]))
    return Estimate(np.asarray(vals), np.asarray(ses), p["chains"], seed, time.perf_counter() - t0, "across-replicates",
                    {"dof": np.asarray(dof), "step_size_bias": np.asarray(bias), "llc_at_step": np.asarray(plain),
                     "r_hat": rhat, "ess": ess, "step_size": steps})


def _scaled(factor: float) -> Any:
    def predict(p: Mapping[str, Any]) -> Prediction:
        return Prediction(factor * _lambdas(p))

    return predict


def _regular_count(p: Mapping[str, Any]) -> Prediction:
    return Prediction(np.asarray([parameter_count(s.widths) / 2 for s in _systems(p)]))


register_check(Check(
    "singular_learning.deep_linear", "singular_learning",
    "SGLD LLC (extrapolated to zero step) of deep linear networks trained to a rank-r teacher vs Aoyagi's lambda",
    _predict, _measure, t_point_with_step_bias,
    quick={"networks": (((3, 3, 3), 3), ((5, 2, 3), 1)), "n": 500, "n_beta": 2000.0, "gamma": 1.0, "step_scale": 0.08,
           "chains": 64, "draws": 3000, "burn_in": 3000},
    full={"chains": 256},
    schema=SCHEMA,
    twins=(
        Twin("lambda_x1.1", "Aoyagi's lambda 10% too large for every network", _scaled(1.1)),
        Twin("lambda_x0.9", "Aoyagi's lambda 10% too small for every network", _scaled(0.9)),
        Twin("regular_count", "the regular count d/2 instead of lambda", _regular_count),
    ),
    display=Display("local learning coefficient", labels=lambda p: [f"widths {tuple(w)}, r = {r}" for w, r in p["networks"]]),
))
