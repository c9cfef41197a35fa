r"""``singular_learning.quadratic_degradation``: a quadratic behaviour degrades at its predicted rate.

System (:class:`validation.systems.QuadraticBehaviourSystem`): linear regression with the loss
:math:`\tfrac12\sum_i h_i w_i^2` and a behaviour :math:`B(w) = \tfrac12 w^\top M w`, :math:`M` not
diagonal in the loss's eigenbasis (a sub-task loss at its own minimum).

Prediction: at each temperature :math:`T_k` (:math:`n\beta_k = n/T_k`), the mean of :math:`B` over the
snapshots :func:`numerics.singular_learning.degradation_experiment` takes, under full-batch SGLD at the
step :math:`\epsilon_k = s/(n\beta_k h_{\max} + \gamma)` from :math:`w^* = 0`:
:math:`\tfrac12\sum_i M_{ii} v_i (1 - \overline{\rho_i^{2t}})`, :math:`v_i = 1/(A_i(1 - \epsilon_k A_i/4))`
(:func:`theory.singular_learning.quadratic_behaviour_degradation`; derivation
``singular_learning-quadratic-degradation``: exact, no truncation).  Its low-temperature limit is the
rate :math:`\tfrac T{2n}\mathrm{tr}(MH^{-1})`.

Measurement: :func:`numerics.singular_learning.degradation_experiment` (``chains`` chains per
temperature, all temperatures one batched program, :math:`B` evaluated under ``vmap`` on the
snapshots); per temperature the mean over chains of each chain's snapshot mean, judged with Student
t on ``chains - 1`` dof, Bonferroni over the temperatures.

Power (quick set, 256 chains x 4 temperatures): standard errors about 1.5% of the prediction per
temperature, so the rate 10% too large or too small fails at the suite's alpha (twins ``rate_x1.1``,
``rate_x0.9``), as does the isotropic guess :math:`\mathrm{tr}(M)/d` for every :math:`M_{ii}` (twin
``isotropic_behaviour``, which ignores how the behaviour sits against the loss's curvature).
Calibration: see ``benchmarks/results/singular_learning_calibration.json`` (key
``quadratic_degradation``) and the numbers below.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from numerics.singular_learning import degradation_experiment, mse
from theory.singular_learning import quadratic_behaviour_degradation
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.checks.singular_learning._common import SAMPLING, t_point
from validation.params import Param
from validation.systems import QuadraticBehaviourSystem

__all__: list[str] = []

SCHEMA = {
    "curvatures": Param("floats", "Hessian eigenvalues h_i of the quadratic loss", minimum=0.0, open_min=True),
    "behaviour_curvatures": Param("floats", "eigenvalues m_i of the behaviour's matrix M = R diag(m) R^T", minimum=0.0),
    "rows": Param("int", "rows of each design; n beta = rows / T", minimum=1),
    "temperatures": Param("floats", "the temperature ladder T_k (increasing)", minimum=0.0, open_min=True, min_length=2),
    "step_scale": Param("float", "SGLD step times (n beta h_max + gamma) at each temperature, in (0, 2)", minimum=0.0,
                        maximum=2.0, open_min=True),
    "evaluations": Param("int", "snapshots per chain at which the behaviour is evaluated", minimum=1),
    **SAMPLING,
}


def _system(p: Mapping[str, Any]) -> QuadraticBehaviourSystem:
    return QuadraticBehaviourSystem(p["curvatures"], p["behaviour_curvatures"], p["rows"], p["step_scale"])


def _n_betas(p: Mapping[str, Any]) -> list[float]:
    return [p["rows"] / T for T in p["temperatures"]]


def _times(p: Mapping[str, Any]) -> list[int]:
    every = max(1, p["draws"] // p["evaluations"])
    return [p["burn_in"] + j * every for j in range(p["evaluations"])]


def _values(p: Mapping[str, Any], diag: np.ndarray) -> np.ndarray:
    s = _system(p)
    nbs = _n_betas(p)
    return np.asarray([quadratic_behaviour_degradation(s.curvatures, diag, nb, p["gamma"], e, times=_times(p))
                       for nb, e in zip(nbs, s.steps(nbs, p["gamma"]))])


def _predict(p: Mapping[str, Any]) -> Prediction:
    vals = _values(p, np.diag(_system(p).behaviour_matrix()))
    return Prediction(vals, 0.0, summary={"temperatures": list(p["temperatures"]), "increase": vals.tolist()})


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    s = _system(p)
    model, data, behaviour = s.build(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = degradation_experiment(model, mse, data, {"B": behaviour}, p["temperatures"], gamma=p["gamma"],
                                     step_size=s.steps(_n_betas(p), p["gamma"]), chains=p["chains"], draws=p["draws"],
                                     burn_in=p["burn_in"], evaluations=p["evaluations"], seed=seed)
    c = res.curves["B"]
    K = len(p["temperatures"])
    return Estimate(c.value, c.stderr, p["chains"], seed, time.perf_counter() - t0, "across-chains",
                    {"dof": np.full(K, p["chains"] - 1), "axis": np.asarray(p["temperatures"]), "r_hat": res.diagnostics["r_hat"],
                     "ess": res.diagnostics["ess"], "step_size": res.step_size, "evaluation": res.diagnostics["evaluation"]["B"]})


def _scaled(factor: float) -> Any:
    return lambda p: Prediction(factor * _predict(p).value)


def _isotropic(p: Mapping[str, Any]) -> Prediction:
    M = _system(p).behaviour_matrix()
    return Prediction(_values(p, np.full(M.shape[0], np.trace(M) / M.shape[0])))


register_check(Check(
    "singular_learning.quadratic_degradation", "singular_learning",
    "natural degradation: a behaviour B = w^T M w / 2 rises on the tempered local posterior as sum_i M_ii v_i / 2 "
    "(rate T tr(M H^-1) / 2n)",
    _predict, _measure, t_point,
    quick={"curvatures": (1.0, 4.0, 16.0), "behaviour_curvatures": (4.0, 1.0, 0.25), "rows": 64,
           "temperatures": (0.5, 1.0, 2.0, 4.0), "step_scale": 0.2, "evaluations": 20, "gamma": 1.0, "chains": 512,
           "draws": 400, "burn_in": 100},
    full={"chains": 1024, "temperatures": (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)},
    schema=SCHEMA,
    twins=(
        Twin("rate_x1.1", "the degradation 10% faster at every temperature", _scaled(1.1)),
        Twin("rate_x0.9", "the degradation 10% slower at every temperature", _scaled(0.9)),
        Twin("isotropic_behaviour", "every M_ii replaced by tr(M)/d (ignores where the behaviour sits against the curvature)",
             _isotropic),
    ),
    display=Display("behaviour increase E[B] - B(w*)", kind="curve", axis="temperature T",
                    labels=lambda p: [f"T = {T:g}" for T in p["temperatures"]]),
))
