r"""``random_walk.sgd_trajectory``: PCA of minibatch-SGD trajectories of torch networks vs the random walk.

The system (defined once by :func:`_system`, read by ``predict`` and ``measure``): a
one-hidden-layer erf network, :class:`validation.systems.MLP` in NTK parameterisation, ``N``
Gaussian inputs and labels :math:`\pm s`.  Each of ``members`` networks is trained by SGD (batch
``B``, indices with replacement, rate ``lr``) towards its own initial function plus the labels,
so its initial residuals are exactly :math:`-y`; the parameter displacement is recorded at
``steps + 1`` points.  The trajectories are pooled over networks (the PCA of the concatenated
trajectory) and the explained-variance ratios estimated with a jackknife over networks
(:func:`numerics.random_walk.pooled_pca`), which removes the finite-dimension bias to
:math:`O(R^{-2})`.

Prediction: the random-walk ratios :math:`r_k` for :math:`T` = ``steps + 1`` points
(Antognini & Sohl-Dickstein 2018, arXiv:1806.08805), with a budget that bounds

* the drift of SGD: :func:`theory.random_walk.drift_shift_bound` at the drift-to-noise ratio
  :math:`\beta_{\max}` of :func:`theory.random_walk.erf_sgd_walk_bounds`, which holds with
  probability :math:`\ge 1 - p` when the labels are independent of the inputs (Bonami's
  inequality for the Rademacher chaos :math:`y^\top\Theta y`);
* the change of the gradients along the path (curvature, first order in ``lr``):
  :func:`theory.random_walk.ratio_perturbation_bound` at the linearisation error
  :math:`\epsilon \propto` ``lr``.  PCA ratios are scale-free, so the quick set uses
  ``lr = 1e-14`` (in float64), where :math:`\epsilon \approx 4\cdot 10^{-5}`.

``labels="noise"`` draws iid random signs (the theory's hypothesis).  ``labels="signal"``
uses :math:`s\,\operatorname{sign}(x_{i1})`, a learnable function of the inputs: the drift
is then larger than the bound, the trajectory is drift-dominated, and the check must FAIL
(a negative control; ``tests/validation/test_random_walk_checks.py``).

Power (quick set: 512 networks of width 16 on 64 inputs, 10 steps of batch 1): the jackknife
standard error of :math:`\hat r_1 \approx 0.617` is about 0.0022 and its budget 0.0036, so
ratios 4% off (0.025) lie about 9.5 standard errors outside the budget; the twins (every ratio
4% too large / too small) fail at the suite's alpha with a margin of about 5 standard errors.
Compared with Student's t on ``members - 1`` degrees of freedom, the three ratios joined by
Bonferroni.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Mapping

import numpy as np
import torch

from numerics.estimate import Estimate
from numerics.random_walk import TrajectoryRecorder, pooled_pca
from numerics.ntk import MLPSpec, flatten_params, train_ensemble
from theory.random_walk import (
    SGDWalkBounds,
    drift_shift_bound,
    erf_sgd_walk_bounds,
    explained_variance_ratios,
    ratio_perturbation_bound,
)
from theory.wide_networks import ntk_kernel
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.params import Param
from validation.stats import Comparison, compare_point
from validation.systems import MLP

__all__: list[str] = []

SCHEMA = {
    "in_dim": Param("int", "input dimension d of the network", minimum=1),
    "width": Param("int", "hidden width n (one hidden layer)", minimum=1),
    "activation": Param("str", "activation of the hidden layer (the bounds need erf's derivatives)", choices=("erf",)),
    "weight_variances": Param("floats", "(C_W1, C_W2) of the two weight layers", minimum=0.0, open_min=True, length=2),
    "bias_variances": Param("floats", "(C_b1, C_b2) of the two layers", minimum=0.0, length=2),
    "n_train": Param("int", "number N of training inputs (standard Gaussian)", minimum=2),
    "labels": Param("str", "label law: 'noise' (random signs, the hypothesis) or 'signal' (sign of x_1)",
                    choices=("noise", "signal")),
    "label_scale": Param("float", "magnitude s of every label", minimum=0.0, open_min=True),
    "data_seed": Param("int", "seed of the inputs and labels", minimum=0),
    "batch_size": Param("int", "SGD minibatch size B (indices drawn with replacement)", minimum=1),
    "steps": Param("int", "SGD steps; steps + 1 points are recorded", minimum=2),
    "lr": Param("float", "learning rate (PCA ratios are scale-free; small keeps the walk linear)",
                minimum=0.0, open_min=True),
    "members": Param("int", "networks trained independently and pooled (jackknife over them)", minimum=3),
    "components": Param("int", "leading explained-variance ratios compared (at most steps)", minimum=1),
    "failure_probability": Param("float", "probability that the drift or curvature bound does not hold",
                                 minimum=0.0, maximum=0.5, open_min=True),
}


def _system(p: Mapping[str, Any]) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The network, the inputs ``X`` (N, d) and the labels ``Y`` (N,)."""
    mlp = MLP(p["in_dim"], (p["width"],), p["activation"], p["weight_variances"], p["bias_variances"],
              parameterization="ntk")
    rng = np.random.default_rng(p["data_seed"])
    X = rng.normal(size=(p["n_train"], p["in_dim"]))
    signs = 2.0 * rng.integers(0, 2, size=p["n_train"]) - 1.0
    if p["labels"] == "signal":
        signs = np.sign(X[:, 0])
    return mlp, X, p["label_scale"] * signs


@functools.lru_cache(maxsize=8)
def _bounds_cached(key: tuple[tuple[str, Any], ...]) -> SGDWalkBounds:
    p = dict(key)
    mlp, X, _ = _system(p)  # the labels enter only through their law (the theory's hypothesis)
    act, cw, cb = mlp.kernel_args
    theta = ntk_kernel(X, X, act, cw, cb, parameterization=mlp.parameterization)
    return erf_sgd_walk_bounds(X, theta, cw, cb, width=mlp.hidden_widths[0], members=p["members"], lr=p["lr"],
                               steps=p["steps"], batch_size=p["batch_size"], label_scale=p["label_scale"],
                               failure_probability=p["failure_probability"])


def _bounds(p: Mapping[str, Any]) -> SGDWalkBounds:
    """The drift and curvature bounds of the system (cached: the kernel on N points is the costly part)."""
    keys = ("in_dim", "width", "activation", "weight_variances", "bias_variances", "n_train", "data_seed", "labels",
            "label_scale", "members", "lr", "steps", "batch_size", "failure_probability")
    return _bounds_cached(tuple((k, p[k]) for k in keys))


def _predict(p: Mapping[str, Any]) -> Prediction:
    """Random-walk ratios; budget = exact drift shift at the bounded drift + curvature (Weyl) bound."""
    T, k = p["steps"] + 1, p["components"]
    b = _bounds(p)
    r = explained_variance_ratios(T, k)
    drift = drift_shift_bound(T, b.max_drift, k)
    curvature = ratio_perturbation_bound(np.minimum(r + drift, 1.0), b.linearization)
    return Prediction(r, drift + curvature, summary=r.tolist(),
                      extra={"rho_max": b.rho_max, "max_drift": b.max_drift, "relative_drift": b.relative_drift,
                             "linearization": b.linearization, "drift_budget": drift.tolist(),
                             "curvature_budget": curvature.tolist()})


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    mlp, X, Y = _system(p)
    spec = MLPSpec(mlp.in_dim, mlp.hidden_widths, mlp.activation, mlp.weight_variances, mlp.bias_variances,
                   mlp.parameterization)
    R, lr = p["members"], p["lr"]
    rec = TrajectoryRecorder(spec.n_params, p["steps"] + 1, batch=R)
    origin: list[torch.Tensor] = []

    def record(step: int, params: list[torch.Tensor]) -> None:  # displacement in units of lr (float64)
        flat = flatten_params(params)
        if not origin:
            origin.append(flat.clone())
        rec.record((flat - origin[0]) / lr)

    train_ensemble(spec, X, Y, members=R, steps=p["steps"], lr=lr, seed=seed, batch_size=p["batch_size"],
                   member_chunk=R, residual_targets=True, callback=record, X_eval=X[:1], dtype=torch.float64)
    pca = pooled_pca(rec.trajectory, p["components"])
    each = pca.per_member  # each network's own ratios, for reports
    return Estimate(pca.explained_variance_ratio, pca.stderr, R, seed, time.perf_counter() - t0, "jackknife",
                    {"axis": list(range(1, p["components"] + 1)), "plugin": pca.plugin.tolist(),
                     "per_network_mean": each.mean(0).tolist(),
                     "per_network_stderr": (each.std(0, ddof=1) / np.sqrt(R)).tolist(), "n_params": spec.n_params})


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha,
                         dof=est.samples - 1)


def _scaled(factor: float) -> Any:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        pr = _predict(p)
        v = np.asarray(pr.value) * factor
        return Prediction(v, pr.truncation, summary=v.tolist())

    return wrong


register_check(Check(
    "random_walk.sgd_trajectory", "random_walk",
    "PCA of noise-label SGD trajectories of torch erf networks vs random-walk ratios (drift + curvature bounds)",
    _predict, _measure, _compare,
    quick={"in_dim": 64, "width": 16, "activation": "erf", "weight_variances": (16.0, 1.0),
           "bias_variances": (0.0, 0.0), "n_train": 2048, "labels": "noise", "label_scale": 3.0, "data_seed": 0,
           "batch_size": 1, "steps": 10, "lr": 1e-14, "members": 512, "components": 3,
           "failure_probability": 1e-6},
    full={"members": 2048, "steps": 20},
    schema=SCHEMA,
    twins=(Twin("ratios_x1.04", "every explained-variance ratio 4% too large", _scaled(1.04)),
           Twin("ratios_x0.96", "every explained-variance ratio 4% too small", _scaled(0.96))),
    display=Display("explained-variance ratio of the pooled SGD trajectory", kind="curve",
                    axis="principal component k", xlog=True, ylog=True),
))
