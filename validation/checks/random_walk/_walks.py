r"""Checks of the random-walk PCA theory on simulated Gaussian walks.

* ``random_walk.variance_ratios`` -- explained-variance ratios of d-dimensional Gaussian random
  walks (mean over replicates) against the exact finite-T ratios plus the first-order finite-d
  term (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805; Lawley 1956), the O(1/d^2) remainder
  bounded by :func:`theory.random_walk.ratio_remainder_bound`.  Power (quick set: T = 40,
  d = 1000, 200 replicates): the standard error of :math:`\hat r_1 \approx 0.61` is about
  8e-4 and the budget about 2e-4, so ratios 2% off (0.012) lie 15 standard errors away; the
  twins (every ratio 2% too large / too small) fail with a wide margin at the suite's alpha.
* ``random_walk.cosine_overlap`` -- squared overlap of each replicate's PC time course with the
  eigenvector of the walk's covariance :math:`M = CLL^\top C` (computed numerically, by
  construction) against the first-order prediction :math:`1 - c_k` (Anderson 1963), the
  remainder bounded by :func:`theory.random_walk.overlap_remainder_bound`.  Power (quick set:
  T = 30, d = 100, 400 replicates): for PC 1, :math:`c_1 = 0.0088`, budget 0.0027, standard
  error 3.5e-4: the first-order term off by a factor 2 lies 17 standard errors outside the budget.

Both compare a mean over independent replicates with Student's t on ``replicates - 1`` degrees
of freedom, the components joined by Bonferroni.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from numerics.random_walk import random_walks, trajectory_pca, walk_covariance
from theory.random_walk import (
    cosine_overlap,
    explained_variance_ratios,
    overlap_remainder_bound,
    ratio_bias,
    ratio_remainder_bound,
)
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.params import Param
from validation.stats import Comparison, compare_point

__all__: list[str] = []

SCHEMA = {
    "T": Param("int", "time points of each walk", minimum=3),
    "d": Param("int", "dimension of each walk (the remainder bounds are calibrated for d >= 20)", minimum=20),
    "replicates": Param("int", "independent walks averaged over", minimum=3),
    "components": Param("int", "leading principal components compared (at most T - 1)", minimum=1),
}


def _axis(p: Mapping[str, Any]) -> list[int]:
    return list(range(1, int(p["components"]) + 1))


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha,
                         dof=est.samples - 1)


def _mean(x: np.ndarray, seed: int, t0: float, p: Mapping[str, Any]) -> Estimate:
    return Estimate(x.mean(0), x.std(0, ddof=1) / np.sqrt(x.shape[0]), x.shape[0], seed, time.perf_counter() - t0,
                    "analytic", {"axis": _axis(p)})


def _scaled(predict: Any, factor: float) -> Any:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        pr = predict(p)
        return Prediction(np.asarray(pr.value) * factor, pr.truncation, summary=(np.asarray(pr.value) * factor).tolist())

    return wrong


# --- random_walk.variance_ratios -------------------------------------------------------------

def _predict_ratios(p: Mapping[str, Any]) -> Prediction:
    T, d, k = p["T"], p["d"], p["components"]
    r = explained_variance_ratios(T, k) + ratio_bias(T, d, k)
    return Prediction(r, ratio_remainder_bound(T, d, k), summary=r.tolist())


def _measure_ratios(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X = random_walks(p["T"], p["d"], p["replicates"], seed=seed)
    return _mean(trajectory_pca(X, p["components"]).explained_variance_ratio, seed, t0, p)


register_check(Check(
    "random_walk.variance_ratios", "random_walk",
    "PCA explained-variance ratios of d-dim Gaussian random walks vs exact finite-T theory + O(1/d) term",
    _predict_ratios, _measure_ratios, _compare,
    quick={"T": 40, "d": 1000, "replicates": 200, "components": 4},
    full={"T": 200, "d": 2000, "replicates": 100, "components": 6},
    schema=SCHEMA,
    twins=(Twin("ratios_x1.02", "every explained-variance ratio 2% too large", _scaled(_predict_ratios, 1.02)),
           Twin("ratios_x0.98", "every explained-variance ratio 2% too small", _scaled(_predict_ratios, 0.98))),
    display=Display("explained-variance ratio", kind="curve", axis="principal component k", xlog=True, ylog=True),
))


# --- random_walk.cosine_overlap --------------------------------------------------------------

def _predict_overlap(p: Mapping[str, Any]) -> Prediction:
    T, d, k = p["T"], p["d"], p["components"]
    val, _ = cosine_overlap(T, d, k)
    return Prediction(val, overlap_remainder_bound(T, d, k), summary=val.tolist())


def _measure_overlap(p: Mapping[str, Any], seed: int) -> Estimate:
    """Squared overlap of each replicate's PC k with the k-th eigenvector of the walk's covariance.

    The reference eigenvectors are those of :math:`M = CLL^\\top C`, the covariance of the
    simulated walk by construction (:func:`numerics.random_walk.walk_covariance`), found
    numerically: a fixed basis that does not depend on the theory's cosine formula."""
    t0 = time.perf_counter()
    T, k = p["T"], p["components"]
    X = random_walks(T, p["d"], p["replicates"], seed=seed)
    comps = trajectory_pca(X, k).components
    ref = np.linalg.eigh(walk_covariance(T))[1][:, ::-1][:, :k].T
    ov = np.einsum("rkt,kt->rk", comps, ref) ** 2
    return _mean(ov, seed, t0, p)


def _overlap_twin(factor: float) -> Any:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        corr = cosine_overlap(p["T"], p["d"], p["components"])[1]
        v = 1.0 - factor * corr
        return Prediction(v, overlap_remainder_bound(p["T"], p["d"], p["components"]), summary=v.tolist())

    return wrong


register_check(Check(
    "random_walk.cosine_overlap", "random_walk",
    "squared overlap of random-walk PCs with the covariance eigenvectors vs 1 - O(1/d) theory",
    _predict_overlap, _measure_overlap, _compare,
    quick={"T": 30, "d": 100, "replicates": 400, "components": 3},
    full={"T": 100, "d": 300, "replicates": 1000, "components": 5},
    schema=SCHEMA,
    twins=(Twin("correction_x2", "the first-order 1/d term of the overlap twice too large", _overlap_twin(2.0)),
           Twin("d_infinite", "the d -> infinity limit: overlap 1 (no 1/d term)", _overlap_twin(0.0))),
    display=Display("squared overlap of PC k with the covariance eigenvector", kind="curve",
                    axis="principal component k"),
))
