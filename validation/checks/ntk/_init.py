r"""The empirical NTK at initialisation against the analytic NTK.

* ``ntk.init_mean`` -- the ensemble mean of the empirical NTK :math:`\hat\Theta(x_i, x_j)` of
  one-hidden-layer networks in the NTK parameterisation equals the analytic NTK at every width
  (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572, Theorem 1): with one hidden layer
  :math:`\hat\Theta` is :math:`C_b^{(2)}` plus a mean over n iid neurons of terms whose
  expectation is the infinite-width recursion, so the mean is exact, not asymptotic.  Point
  comparison, Bonferroni over the N(N+1)/2 entries.  Power at the quick size (width 32, 20000
  members): every entry 1% too large fails at every one of 200 calibration seeds (p <= 6e-17, the
  worst entry about 11 standard errors off); the NNGP kernel in place of the NTK fails by far.
* ``ntk.init_fluctuations`` -- the mean squared deviation
  :math:`D(n) = \overline{(\hat\Theta - \Theta)^2}` falls like :math:`n^{2s}` with :math:`s = -1/2`
  (Jacot et al. 2018; Hanin & Nica 2020, arXiv:1909.05989; Roberts, Yaida & Hanin 2022, ch. 8).
  With one hidden layer (the quick and full sets) :math:`\operatorname{Var}\hat\Theta_{ij} = a_{ij}/n`
  exactly (a mean of n iid terms), so D is an exact power law at every width.  Deeper networks have
  relative :math:`O(1/n)` corrections; ``correction_bound`` then budgets the exponent shift they cause
  (:func:`validation.checks.ntk._fit.exponent_budget`).  Fitting such a correction as a free nuisance
  is no remedy: :math:`A n^{2s} + B n^{2s-1}` at :math:`s = 0` is :math:`A + B/n`, which mimics
  :math:`n^{-1}`, so the profile likelihood of s is nearly flat.  The exponent is fitted
  on :math:`D` itself by weighted least squares with its sampling variance
  (:mod:`validation.checks.ntk._fit`).  Power at the quick size (widths 16-1024, 2000 members each;
  over 200 calibration seeds the fitted exponent is -0.5001 with standard deviation 0.0043):
  exponents -0.45 and -0.55 (ten per cent off) fail at every seed (p <= 2e-14), and an analytic NTK
  5% too large fails through the constant floor it adds to :math:`D`.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from numerics.ntk import ensemble_ntk
from theory.wide_networks import nngp_kernel, ntk_kernel
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.checks.ntk._common import (DATA_SCHEMA, NETWORK_SCHEMA, QUICK_NETWORK, data, network, pair_labels,
                                           spec, theory_kwargs)
from validation.checks.ntk._fit import compare_exponent, exponent_budget, plot_scaling
from validation.params import Param
from validation.stats import Comparison, compare_point

__all__: list[str] = []


def _theta(p: Mapping[str, Any], width: int = 1) -> np.ndarray:
    X, _, _ = data(p)
    mlp = network(p, width)  # the infinite-width kernel does not depend on the width
    return ntk_kernel(X, X, *mlp.kernel_args, **theory_kwargs(mlp))


# --- ntk.init_mean ---------------------------------------------------------------------------------

def _predict_mean(p: Mapping[str, Any]) -> Prediction:
    th = _theta(p)
    iu = np.triu_indices(th.shape[0])
    return Prediction(th[iu], 0.0, summary={"ntk_diag": np.diag(th).tolist()})


def _scaled_mean(factor: float) -> Any:
    def predict(p: Mapping[str, Any]) -> Prediction:
        good = _predict_mean(p)
        return Prediction(np.asarray(good.value) * factor, 0.0)

    return predict


def _nngp_mean(p: Mapping[str, Any]) -> Prediction:
    X, _, _ = data(p)
    mlp = network(p, 1)
    K = nngp_kernel(X, X, *mlp.kernel_args, **theory_kwargs(mlp))
    return Prediction(K[np.triu_indices(K.shape[0])], 0.0)


def _measure_mean(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X, _, _ = data(p)
    K = ensemble_ntk(spec(network(p, p["width"])), X, members=int(p["members"]), seed=seed)
    iu = np.triu_indices(X.shape[0])
    v = K[:, iu[0], iu[1]]
    return Estimate(v.mean(0), v.std(0, ddof=1) / np.sqrt(v.shape[0]), v.shape[0], seed,
                    time.perf_counter() - t0, "analytic")


def _compare_mean(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


_MEAN_SCHEMA = {
    **NETWORK_SCHEMA,
    "weight_variances": Param("floats", "C_W of the two weight layers (one hidden layer: the mean is then exact)",
                              minimum=0.0, open_min=True, length=2),
    **DATA_SCHEMA,
    "width": Param("int", "hidden width n", minimum=1),
    "members": Param("int", "independent networks averaged", minimum=3),
}

register_check(Check(
    "ntk.init_mean", "ntk",
    "ensemble-mean empirical NTK of 1-hidden-layer nets = analytic NTK, exact at every width",
    _predict_mean, _measure_mean, _compare_mean,
    quick={**QUICK_NETWORK, "width": 32, "members": 20000},
    full={"width": 128, "members": 200000},
    schema=_MEAN_SCHEMA,
    twins=(Twin("ntk_x1.01", "every entry of the analytic NTK 1% too large", _scaled_mean(1.01)),
           Twin("nngp_for_ntk", "the NNGP kernel K in place of the NTK Theta (last layer trained only)", _nngp_mean)),
    display=Display("ensemble-mean empirical NTK", kind="point", unit="dimensionless",
                    labels=lambda p: pair_labels(int(p["n_train"]))),
))


# --- ntk.init_fluctuations -------------------------------------------------------------------------

def _predict_fluct(p: Mapping[str, Any], exponent: float = -0.5, factor: float = 1.0) -> Prediction:
    bound = float(p["correction_bound"])
    budget = exponent_budget(p["widths"], 2.0, exponent, bound) if bound > 0 else 0.0
    return Prediction(exponent, budget, summary=f"RMS(Theta_hat - Theta) ~ width^{exponent:g}",
                      extra={"ntk": factor * _theta(p)})


def _measure_fluct(p: Mapping[str, Any], seed: int) -> Estimate:
    """Per width, every member's empirical NTK (the deviation needs the prediction: formed in compare)."""
    t0 = time.perf_counter()
    X, _, _ = data(p)
    widths = np.asarray(p["widths"], dtype=float)
    E = int(p["members"])
    Ks = [ensemble_ntk(spec(network(p, int(n))), X, members=E, seed=(seed * 7919 + i) % 2**63)
          for i, n in enumerate(p["widths"])]
    return Estimate(np.stack(Ks), np.zeros(len(Ks)), E * len(Ks), seed, time.perf_counter() - t0, "analytic",
                    {"axis": widths})


def _compare_fluct(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    """Mean over members of the per-member mean squared deviation, with its iid variance."""
    K = np.asarray(est.value)  # (widths, members, N, N)
    D = ((K - pred.extra["ntk"]) ** 2).mean(axis=(-1, -2))
    ms = D.mean(1)
    var = D.var(1, ddof=1) / D.shape[1]
    return compare_exponent(float(pred.value), est.diagnostics["axis"], ms, var, q=2.0, corrections=(), alpha=alpha,
                            labels=("hidden width n", "mean squared deviation of the empirical NTK (dimensionless)"),
                            budget=float(pred.truncation))


register_check(Check(
    "ntk.init_fluctuations", "ntk",
    "mean squared deviation of the empirical NTK at init from the analytic NTK ~ width^(2s), s = -1/2",
    _predict_fluct, _measure_fluct, _compare_fluct,
    quick={**QUICK_NETWORK, "widths": (16, 64, 256, 1024), "members": 2000, "correction_bound": 0.0},
    full={"widths": (16, 64, 256, 1024, 4096), "members": 8000},
    schema={
        **NETWORK_SCHEMA, **DATA_SCHEMA,
        "widths": Param("ints", "hidden widths n (all hidden layers)", minimum=1, min_length=3),
        "members": Param("int", "independent networks per width", minimum=3),
        "correction_bound": Param("float", "bound on |c| of a relative correction c/n of D, budgeted on the exponent "
                                           "(0 for one hidden layer, where D is exactly a/n)", minimum=0.0),
    },
    twins=(Twin("exponent_-0.45", "RMS deviation ~ width^-0.45 (exponent 10% too shallow)",
                lambda p: _predict_fluct(p, -0.45)),
           Twin("exponent_-0.55", "RMS deviation ~ width^-0.55 (exponent 10% too steep)",
                lambda p: _predict_fluct(p, -0.55)),
           Twin("ntk_x1.05", "the analytic NTK 5% too large (a constant floor under the deviation)",
                lambda p: _predict_fluct(p, factor=1.05))),
    display=Display("mean squared deviation of the empirical NTK from the analytic NTK", kind="scaling",
                    unit="dimensionless", axis="width", xlog=True, ylog=True),
    plot=plot_scaling,
))
