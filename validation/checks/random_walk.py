"""Checks of the random-walk PCA theory (area ``random_walk``).

* ``random_walk.variance_ratios`` -- explained-variance ratios of simulated high-dimensional
  random walks against the exact finite-T values, finite-d term as truncation budget.
* ``random_walk.cosine_overlap`` -- squared overlap of each PC time course with its cosine
  against the first-order finite-d prediction.
* ``random_walk.sgd_trajectory`` -- PCA of minibatch-SGD trajectories of real torch MLPs in the
  noise-dominated regime (targets = each member's initial function + pure noise, T*B << N,
  eta*lambda_max*T << 1) against the random
  walk.  With a learnable signal in the labels the trajectory is drift-dominated and the
  prediction must fail (``labels="signal"``; see the tests).
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import scipy.linalg

from numerics.estimate import Estimate
from numerics.trajectories import TrajectoryRecorder, random_walks, trajectory_pca
from numerics.ntk import MLPSpec, flatten_params, train_ensemble
from theory.random_walk import cosine_overlap, explained_variance_ratios, ratio_bias
from theory.wide_networks import ntk_kernel
from validation.check import Check, Prediction, register_check
from validation.stats import Comparison, compare_point

__all__: list[str] = []


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


# --- random_walk.variance_ratios -------------------------------------------------------------

def _predict_ratios(p: Mapping[str, Any]) -> Prediction:
    T, d, k = int(p["T"]), int(p["d"]), int(p["components"])
    r = explained_variance_ratios(T, k)
    return Prediction(r, np.abs(ratio_bias(T, d, k)), summary=r.tolist())


def _measure_ratios(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X = random_walks(int(p["T"]), int(p["d"]), int(p["replicates"]), seed=seed)
    r = trajectory_pca(X, int(p["components"])).explained_variance_ratio
    return Estimate(r.mean(0), r.std(0, ddof=1) / np.sqrt(r.shape[0]), r.shape[0], seed, time.perf_counter() - t0)


register_check(Check(
    "random_walk.variance_ratios", "random_walk",
    "PCA explained-variance ratios of d-dim random walks vs exact finite-T theory (O(1/d) budget)",
    _predict_ratios, _measure_ratios, _compare,
    quick={"T": 40, "d": 1000, "replicates": 200, "components": 4},
    full={"T": 200, "d": 2000, "replicates": 100, "components": 6},
))


# --- random_walk.cosine_overlap --------------------------------------------------------------

def _predict_overlap(p: Mapping[str, Any]) -> Prediction:
    val, trunc = cosine_overlap(int(p["T"]), int(p["d"]), int(p["components"]))
    return Prediction(val, trunc, summary=val.tolist())


def _measure_overlap(p: Mapping[str, Any], seed: int) -> Estimate:
    """Squared overlap of each PC time course with cos(pi k (t - 1/2)/T), averaged over replicates.

    The reference cosines are fixed functions of (T, k) (the data-independent basis the PCs are
    tested against), built here in numpy."""
    t0 = time.perf_counter()
    T, k = int(p["T"]), int(p["components"])
    X = random_walks(T, int(p["d"]), int(p["replicates"]), seed=seed)
    comps = trajectory_pca(X, k).components
    t = np.arange(1, T + 1)
    cosines = np.cos(np.pi * np.outer(np.arange(1, k + 1), t - 0.5) / T)
    cosines /= np.linalg.norm(cosines, axis=1, keepdims=True)
    ov = np.einsum("rkt,kt->rk", comps, cosines) ** 2
    return Estimate(ov.mean(0), ov.std(0, ddof=1) / np.sqrt(ov.shape[0]), ov.shape[0], seed, time.perf_counter() - t0)


register_check(Check(
    "random_walk.cosine_overlap", "random_walk",
    "squared overlap of random-walk PCs with cosines vs 1 - O(1/d) theory",
    _predict_overlap, _measure_overlap, _compare,
    quick={"T": 30, "d": 100, "replicates": 400, "components": 3},
    full={"T": 100, "d": 300, "replicates": 1000, "components": 5},
))


# --- random_walk.sgd_trajectory --------------------------------------------------------------

def _sgd_data(p: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(int(p["data_seed"]))
    X = rng.normal(size=(int(p["n_train"]), int(p["in_dim"])))
    if p["labels"] == "noise":  # residual targets: each member is fitted to its own f_0 plus this noise
        Y = float(p["label_scale"]) * rng.normal(size=X.shape[0])
    elif p["labels"] == "signal":
        Y = float(p["label_scale"]) * np.sign(X[:, 0])
    else:
        raise ValueError(f"labels must be 'noise' or 'signal', got {p['labels']!r}")
    return X, Y


def _predict_sgd(p: Mapping[str, Any]) -> Prediction:
    """Random-walk ratios for T = steps + 1 recorded points; budget = drift term T B/(2N) (targets pure
    noise: E|g|^2 / tr Cov = B/N per step) + curvature term eta lambda_max(Theta) T + the O(1/d_eff)
    finite-dimension term of ``ratio_bias`` at the noise's effective dimension (from the analytic NTK)."""
    T, k = int(p["steps"]) + 1, int(p["components"])
    X, _ = _sgd_data(p)
    th = ntk_kernel(X, X, p["activation"], tuple(p["weight_variances"]), p["bias_variances"])
    n = th.shape[0]
    lam_max = float(scipy.linalg.eigvalsh(th, subset_by_index=[n - 1, n - 1])[0])  # top eigenvalue only
    drift = T * int(p["batch_size"]) / (2.0 * X.shape[0])
    curvature = float(p["lr"]) * lam_max * T
    # effective dimension of the SGD noise (tr S)^2 / tr S^2 with S = sum_i y_i^2 grad f_i grad f_i^T,
    # using grad f_i . grad f_j = Theta_ij (infinite width); finite-d Wishart term as budget
    _, Y = _sgd_data(p)
    w = Y**2
    d_eff = float((w @ np.diag(th)) ** 2 / (w @ (th**2) @ w))
    finite_dim = np.abs(ratio_bias(T, max(1, int(d_eff)), k))
    r = explained_variance_ratios(T, k)
    return Prediction(r, drift + curvature + finite_dim, summary=r.tolist(),
                      extra={"drift_budget": drift, "curvature_budget": curvature, "effective_dim": d_eff})


def _measure_sgd(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X, Y = _sgd_data(p)
    depth = len(tuple(p["weight_variances"])) - 1
    spec = MLPSpec(X.shape[1], (int(p["width"]),) * depth, p["activation"], tuple(p["weight_variances"]),
                   p["bias_variances"])
    R, steps = int(p["members"]), int(p["steps"])
    rec = TrajectoryRecorder(spec.n_params, steps + 1, batch=R)
    train_ensemble(spec, X, Y, members=R, steps=steps, lr=float(p["lr"]), seed=seed,
                   batch_size=int(p["batch_size"]), member_chunk=R, residual_targets=p["labels"] == "noise",
                   callback=lambda s, ps: rec.record(flatten_params(ps)))
    r = rec.pca(int(p["components"])).explained_variance_ratio
    return Estimate(r.mean(0), r.std(0, ddof=1) / np.sqrt(R), R, seed, time.perf_counter() - t0,
                    "analytic", {"n_params": spec.n_params})


register_check(Check(
    "random_walk.sgd_trajectory", "random_walk",
    "PCA of noise-dominated SGD trajectories of torch MLPs vs random-walk ratios (drift + curvature budget)",
    _predict_sgd, _measure_sgd, _compare,
    quick={"in_dim": 32, "width": 128, "activation": "erf", "weight_variances": (1.0, 1.0), "bias_variances": 0.0,
           "n_train": 4096, "labels": "noise", "label_scale": 3.0, "data_seed": 0, "batch_size": 4,
           "steps": 40, "lr": 1e-7, "members": 64, "components": 3},
    full={"width": 256, "steps": 100, "members": 64, "n_train": 8192},
))
