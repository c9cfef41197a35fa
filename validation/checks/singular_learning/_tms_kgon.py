r"""``singular_learning.tms_kgon``: the LLC of the toy model of superposition's k-gons against Chen et al.

System (:class:`validation.systems.TmsKgonSystem`): :math:`\mathrm{ReLU}(W^\top W x + b)`, two hidden
dimensions, ``features`` = :math:`c` features, on the one-hot rows of
:func:`numerics.singular_learning.tms_data` (the high-sparsity limit of Chen et al.,
arXiv:2310.06301, eq. (2)), at the published :math:`k`-gon critical point polished by Newton steps
to the empirical loss's own (gradient below :math:`10^{-12}`).

Prediction: :math:`\lambda = (3k - 1 + 3\sigma)/2` (:func:`theory.singular_learning.rlct_tms_kgon`;
derivation ``singular_learning-tms-kgon``; at :math:`c = 6`: 7 for the 5-gon, 8.5 for the
:math:`5^{+}`-gon and the 6-gon, as published).

Measurement: as ``singular_learning.deep_linear``: ``chains`` SGLD chains at
:math:`\epsilon = s/(n\beta h_{\max} + \gamma)` (the exact top Hessian eigenvalue) and as many at
:math:`2\epsilon`, all in one program through the model's hand-written pullback; replicate ``c`` is
the Richardson-extrapolated :math:`n\beta(2\bar e_c(\epsilon) - \bar e_c(2\epsilon))`; Student t on
``chains - 1`` dof, Bonferroni over the k-gons.

Why these sampler settings.  A dead feature's weights are flat only while they stay small
(:math:`|W_j| < |b^*|/l^*`, 0.24 for the 5-gon): beyond, pre-activations turn positive and the
loss rises, which the sampler would count.  The localization keeps them there (:math:`\gamma = 300`:
standard deviation 0.06 per coordinate), and :math:`n\beta = 10^5` keeps its pull on the live
directions small: it lowers the estimate by :math:`\sum_i \gamma/(2(n\beta h_i + \gamma))` over the
Hessian's nondegenerate eigenvalues :math:`h_i` (exact on a quadratic), 0.10-0.11 for the 5-gon,
computed from the measured Hessian and allowed in the comparison with the extrapolation's residual
:math:`2q^2/((1-q)(1-2q))|\lambda|`, :math:`q = s/4` (0.6% at :math:`s = 0.2`).  The empirical loss
has a kink per row (a ReLU switching on an active target), :math:`1/n` apart; the chains must
spread over many of them (width :math:`(n\beta h)^{-1/2} \gg 1/n`, roughly :math:`n\beta \ll n^2`),
else a kink next to :math:`w^*` dominates: at :math:`n\beta = 10^6` on 350 one-hot rows the 6-gon
came out at -11 for one seed and 6.7 for another.  Hence ~1000 one-hot rows (3000 draws at
:math:`S = 0.9`) in the quick set.  Without the extrapolation the estimates sit 3-4% higher
(at :math:`n\beta = 10^6`, :math:`\gamma = 400`: 7.21-7.28 for :math:`\lambda = 7`, 8.71 for 8.5).

Measured (quick set, 6 seeds, 5-gon at :math:`c = 6`, :math:`\lambda = 7`): 6.62, 6.94, 6.68, 6.84,
7.02, 6.86 (standard errors 0.15-0.25; mean 6.83, against 6.89 expected after the 0.11
localization shift), about 10 s each.  Full set (seed 1001): 5-gon 6.70 +- 0.08, :math:`5^{+}`-gon
8.28 +- 0.10 (:math:`\lambda = 8.5`), 6-gon 8.05 +- 0.13 (8.5); localization shifts 0.11, 0.12, 0.19.
All pass at the suite's alpha, but they sit 1.8, 0.5 and 1.7 standard errors below
:math:`\lambda` minus the shift, while the estimates at the step itself read 6.98, 8.42, 8.49:
the extrapolation seems to over-correct slightly here (the chains at :math:`2\epsilon` spread
further along the flat directions).  Not budgeted: no derived formula; quoted instead.

Power (quick set): standard errors 0.15-0.25, so the regular count :math:`3c/2 = 9` (twin
``regular_count``), the count that forgets that the dead features are flat (:math:`(3c-1)/2 = 8.5`,
twin ``dead_features_counted``) and :math:`\lambda` 25% too large (``lambda_x1.25``) fail at the
suite's alpha.  What the check cannot resolve: the :math:`O(2)` orbit's half (:math:`3k/2`, 0.5
off, two to three standard errors: not declared), and in the quick set the 6-gon (its softest
direction is 50 times softer than its stiffest, so its chains mix slowly: standard errors
0.3-0.4 at this budget), which the full set adds.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from theory.singular_learning import rlct_tms_kgon
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.checks.singular_learning._common import SAMPLING, extrapolated_excess, with_sampler_diagnostics
from validation.params import Param
from validation.stats import Comparison, compare_point
from validation.systems import KGON_CRITICAL_POINTS, TmsKgonSystem, TrainedStudent

__all__: list[str] = []


def _kgons_param(value: Any, name: str) -> tuple[tuple[int, int], ...]:
    """Validate ``((k, positive_biases), ...)``."""
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be a non-empty sequence of (k, positive_biases) pairs; got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        if (not isinstance(item, (tuple, list)) or len(item) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)):
            raise TypeError(f"{name}[{i}] must be a pair of integers (k, positive_biases); got {item!r}")
        if item[0] not in KGON_CRITICAL_POINTS or item[1] < 0:
            raise ValueError(f"{name}[{i}]: k must be one of {sorted(KGON_CRITICAL_POINTS)} and positive_biases >= 0; got {item!r}")
        out.append((int(item[0]), int(item[1])))
    return tuple(out)


SCHEMA = {
    "features": Param("int", "features c of the toy model (two hidden dimensions)", minimum=5),
    "kgons": Param("any", "critical points as (k live features, dead features with a positive bias) pairs", check=_kgons_param),
    "rows": Param("int", "draws of tms_data; the rows with exactly one active feature are kept", minimum=2),
    "sparsity": Param("float", "sparsity S of tms_data, in [0, 0.99]", minimum=0.0, maximum=0.99),
    "n_beta": Param("float", "n beta of the tempered posterior", minimum=0.0, open_min=True),
    "step_scale": Param("float", "step size times (n beta h_max + gamma), in (0, 2): the doubled step must be stable",
                        minimum=0.0, maximum=2.0, open_min=True),
    **SAMPLING,
}


def _systems(p: Mapping[str, Any]) -> list[TmsKgonSystem]:
    return [TmsKgonSystem(k, p["features"], s, p["rows"], p["sparsity"]) for k, s in p["kgons"]]


def _lambdas(p: Mapping[str, Any]) -> np.ndarray:
    return np.asarray([float(rlct_tms_kgon(k, p["features"], s)) for k, s in p["kgons"]])


def _predict(p: Mapping[str, Any]) -> Prediction:
    lams = _lambdas(p)
    return Prediction(lams, 0.0, summary={"kgons": [list(x) for x in p["kgons"]], "lambda": lams.tolist()})


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    q = p["step_scale"] / 4
    vals, ses, dof, loc, plain, rhat, ess, steps, grads = [], [], [], [], [], [], [], [], []
    for i, system in enumerate(_systems(p)):
        model, data, info = system.build(seed + 31 * i)
        ev = info["hessian_eigenvalues"]
        curved = ev[ev > 1e-8 * ev.max()]
        student = TrainedStudent(model, data, float(ev.max()), p["step_scale"], p["gamma"])
        X, d = extrapolated_excess(student, [p["n_beta"]], p, seed + 17 * i)
        r = p["n_beta"] * X[0]
        vals.append(float(r.mean()))
        ses.append(float(r.std(ddof=1) / np.sqrt(r.size)))
        dof.append(r.size - 1)
        loc.append(float(np.sum(p["gamma"] / (2 * (p["n_beta"] * curved + p["gamma"])))))
        plain.append(p["n_beta"] * d["excess_at_step"][0])
        rhat.append(d["r_hat"])
        ess.append(d["ess"])
        steps.append(float(d["step_size"][0]))
        grads.append(info["grad_norm"])
    return Estimate(np.asarray(vals), np.asarray(ses), p["chains"], seed, time.perf_counter() - t0, "across-replicates",
                    {"dof": np.asarray(dof), "step_size_bias": np.full(len(vals), 2 * q * q / ((1 - q) * (1 - 2 * q))),
                     "localization_bias": np.asarray(loc), "llc_at_step": np.asarray(plain), "r_hat": rhat, "ess": ess,
                     "step_size": steps, "grad_norm": grads})


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    """Student t, allowing the extrapolation's residual and the measured localization shift (both lower the estimate)."""
    lam = np.abs(np.asarray(pred.value, dtype=float))
    budget = np.asarray(pred.truncation) + est.diagnostics["step_size_bias"] * lam + est.diagnostics["localization_bias"]
    return with_sampler_diagnostics(compare_point(pred.value, est.value, est.stderr, truncation=budget, alpha=alpha,
                                                  dof=est.diagnostics["dof"]), est)


def _scaled(factor: float) -> Any:
    return lambda p: Prediction(factor * _lambdas(p))


def _regular(p: Mapping[str, Any]) -> Prediction:
    return Prediction(np.full(len(p["kgons"]), 3 * p["features"] / 2))


def _dead_counted(p: Mapping[str, Any]) -> Prediction:
    return Prediction(np.full(len(p["kgons"]), (3 * p["features"] - 1) / 2))


register_check(Check(
    "singular_learning.tms_kgon", "singular_learning",
    "SGLD LLC (extrapolated to zero step) of the toy model of superposition at its k-gon critical points vs "
    "Chen et al.'s (3k - 1 + 3 sigma)/2",
    _predict, _measure, _compare,
    quick={"features": 6, "kgons": ((5, 0),), "rows": 3000, "sparsity": 0.9, "n_beta": 1e5, "gamma": 300.0,
           "step_scale": 0.2, "chains": 16, "draws": 2500, "burn_in": 500},
    full={"kgons": ((5, 0), (5, 1), (6, 0)), "rows": 8000, "chains": 32, "draws": 6000, "burn_in": 1000},
    schema=SCHEMA,
    twins=(
        Twin("regular_count", "the regular count 3c/2 (every parameter curved)", _regular),
        Twin("dead_features_counted", "(3c - 1)/2: the dead features' flat directions counted as curved", _dead_counted),
        Twin("lambda_x1.25", "lambda 25% too large for every k-gon", _scaled(1.25)),
    ),
    display=Display("local learning coefficient",
                    labels=lambda p: [f"{k}-gon{'+' * s}, c = {p['features']}" for k, s in p["kgons"]]),
))
