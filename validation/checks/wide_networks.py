"""Wide-network checks: finite-width (1/width) predictions against ensembles of real torch networks.

Theory: :mod:`theory.wide_networks` (kernels, ``finite_width``, ``exact_moment_ratio``,
``output_density``).  Measurement: :mod:`numerics.networks` (batched MLP ensembles).

One definition, two readings: every check builds an :class:`Architecture` from its
parameters, and both the prediction and the measurement are read off it, so the
network that is measured is the network the theory describes.

Where the measurement uses the conditional variance ``S`` of the output given the last
hidden layer (``z | S ~ N(0, S)`` exactly, the last layer being Gaussian), moments are
Rao-Blackwellised: same expectation as the raw output moments, much smaller variance.

Every ensemble-based check takes an explicit parameter ``method``: ``"weights"`` (the default,
and what every quick set uses) draws real networks' weights (:func:`mlp_ensemble_outputs`);
``"function_space"`` draws the exact joint law of the outputs on the inputs layer by layer from
the Gaussian conditionals, without weights (same distribution, a different algorithm, far
cheaper when the number of inputs is much smaller than the width; see
:mod:`numerics._function_space`).  A full set that uses it says so in its parameters.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch

from numerics.estimate import Estimate
from numerics.networks import (
    conditional_moment_ratio_estimate,
    conditional_moments_estimate,
    conditional_fourth_cumulant_estimate,
    covariance_estimate,
    mlp_ensemble_outputs,
    module_ensemble_outputs,
)
from theory.wide_networks import (
    default_weight_variance,
    exact_moment_ratio,
    finite_width,
    nngp_kernel,
    output_density,
)
from theory.wide_networks.multi_input import four_point_two_inputs
from validation.check import Check, Prediction, register_check
from validation.stats import Comparison, compare_distribution, compare_point, compare_scaling

__all__ = ["Architecture", "architecture"]


@dataclass(frozen=True)
class Architecture:
    """An MLP at initialisation, single scalar output; first-layer variance set so that ``K^(1) = K1``."""

    activation: Any
    hidden_widths: tuple[int, ...]
    C_W: float
    C_b: float = 0.0
    K1: float = 1.0

    @property
    def weight_variances(self) -> list[float]:
        """Per-layer C_W for a one-dimensional input x = 1: the first layer carries K1."""
        return [self.K1] + [self.C_W] * len(self.hidden_widths)

    @property
    def bias_variances(self) -> list[float]:
        return [0.0] + [self.C_b] * len(self.hidden_widths)

    def theory(self) -> Any:
        return finite_width(self.activation, self.hidden_widths, C_W=self.C_W, C_b=self.C_b, K1=self.K1)

    def ensemble(self, size: int, seed: int, X: np.ndarray | None = None, conditional: bool = True,
                 dtype: torch.dtype = torch.float32, method: str = "weights") -> Any:
        X = np.ones((1, 1)) if X is None else X
        return mlp_ensemble_outputs(X, self.hidden_widths, self.activation, self.weight_variances, self.bias_variances,
                                    ensemble_size=size, seed=seed, conditional_variance=conditional, dtype=dtype,
                                    method=method)


def architecture(p: Mapping[str, Any], widths: Any = None) -> Architecture:
    """Build the :class:`Architecture` of a check's parameters (``C_W=None`` = criticality / 1)."""
    act = p["activation"]
    cw = p.get("C_W")
    return Architecture(act, tuple(widths if widths is not None else p["hidden_widths"]),
                        float(default_weight_variance(act) if cw is None else cw), float(p.get("C_b", 0.0)),
                        float(p.get("K1", 1.0)))


def _stack(ests: list[Estimate], seed: int, t0: float, **diag: Any) -> Estimate:
    return Estimate(np.array([e.value for e in ests]), np.array([e.stderr for e in ests]), min(e.samples for e in ests),
                    seed=seed, seconds=time.perf_counter() - t0, method=ests[0].method, diagnostics=diag)


def _seed(seed: int, i: int) -> int:
    return int(seed) * 7919 + i


# ------------------------------------------------------------ exact moment ratios
def _exact_predict(p: Mapping[str, Any]) -> Prediction:
    vals = np.array([exact_moment_ratio(p["activation"], w, k=p["k"]) for w in p["profiles"]])
    return Prediction(vals, 0.0, summary=vals.tolist())


def _exact_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    ests = []
    for i, w in enumerate(p["profiles"]):
        _, S = architecture(p, w).ensemble(p["ensemble_size"], _seed(seed, i), method=p.get("method", "weights"))
        ests.append(conditional_moment_ratio_estimate(S[:, 0], p["k"]))
    return _stack(ests, seed, t0, profiles=[list(w) for w in p["profiles"]])


def _point_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


for _name, _act in (("linear", "linear"), ("relu", "relu"), ("leaky_relu", ("leaky_relu", 0.2))):
    register_check(Check(
        f"wide_networks.exact_ratio.{_name}", "wide_networks",
        f"E z^4 / (E z^2)^2 of zero-bias {_name} MLPs: Hanin-Nica product formula (exact at every width) vs ensembles",
        _exact_predict, _exact_measure, _point_compare,
        quick={"method": "weights", "activation": _act, "profiles": [(3,), (4, 8), (2, 5, 10)], "k": 4,
               "ensemble_size": 150_000},
        full={"profiles": [(2,), (3,), (4, 8), (2, 5, 10), (16, 16, 16), (6, 3)], "ensemble_size": 400_000},
    ))


# ------------------------------------------------------------ variance and kurtosis, 1/n
def _fw_predict(p: Mapping[str, Any]) -> Prediction:
    r = architecture(p).theory()
    return Prediction(np.array([r.variance, r.excess_kurtosis]),
                      np.array([r.variance_truncation, r.kurtosis_truncation]) + r.quadrature_error,
                      summary={"variance": r.variance, "excess_kurtosis": r.excess_kurtosis, "kernel": r.kernel})


def _fw_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    _, S = architecture(p).ensemble(p["ensemble_size"], seed, dtype=torch.float64, method=p.get("method", "weights"))
    e = conditional_moments_estimate(S[:, 0], seed=seed)
    return Estimate(e.value, e.stderr, e.samples, seed=seed, seconds=time.perf_counter() - t0, method=e.method)


for _act, _cw in (("tanh", 1.0), ("gelu", 2.0), ("erf", 1.5)):
    register_check(Check(
        f"wide_networks.finite_width.{_act}", "wide_networks",
        f"output variance and excess kurtosis of {_act} MLPs to O(1/width) vs ensembles (O(1/n^2) budget)",
        _fw_predict, _fw_measure, _point_compare,
        quick={"method": "weights", "activation": _act, "hidden_widths": (8,), "C_W": _cw, "C_b": 0.1, "K1": 1.0,
               "ensemble_size": 100_000},
        full={"hidden_widths": (128, 128), "ensemble_size": 400_000},
    ))


# ------------------------------------------------------------ 1/n^2 residual scaling
def _scaling_predict(p: Mapping[str, Any]) -> Prediction:
    first = np.array([architecture(p, (n,) * p["depth"]).theory().excess_kurtosis for n in p["widths"]])
    return Prediction(-2.0, summary={"exponent": -2.0, "first_order": first.tolist()}, extra={"first_order": first})


def _scaling_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    ests = []
    for i, n in enumerate(p["widths"]):
        _, S = architecture(p, (n,) * p["depth"]).ensemble(p["ensemble_size"], _seed(seed, i), dtype=torch.float64,
                                                            method=p.get("method", "weights"))
        ests.append(conditional_moments_estimate(S[:, 0]))
    kurt = np.array([e.value[1] for e in ests])
    se = np.array([e.stderr[1] for e in ests])
    return Estimate(kurt, se, min(e.samples for e in ests), seed=seed, seconds=time.perf_counter() - t0,
                    method="delta (conditional Gaussian)",
                    diagnostics={"x": np.asarray(p["widths"], float), "width_times_kurtosis": np.asarray(p["widths"]) * kurt})


def _scaling_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    resid = np.asarray(est.value) - pred.extra["first_order"]
    sign = np.sign(resid[-1]) or 1.0
    y = sign * resid
    if np.any(y <= 0):  # the residual changes sign: no clean power law, the 1/n term is off
        return Comparison("scaling-exponent", math.inf, 0.0, alpha, False, {"residual": resid.tolist()})
    return compare_scaling(pred.value, est.diagnostics["x"], y, est.stderr, alpha=alpha)


register_check(Check(
    "wide_networks.kurtosis_scaling", "wide_networks",
    "width x kurtosis converges: the residual of the 1/n kurtosis of deep tanh MLPs shrinks like width^-2 (fitted exponent)",
    _scaling_predict, _scaling_measure, _scaling_compare,
    quick={"method": "weights", "activation": "tanh", "C_W": 1.5, "C_b": 0.0, "K1": 1.0, "depth": 2, "widths": (4, 6, 8, 12),
           "ensemble_size": 100_000},
    full={"widths": (4, 6, 8, 12, 16, 24, 32), "ensemble_size": 1_000_000},
))


# ------------------------------------------------------------ Edgeworth density (one hidden layer)
def _density_predict(p: Mapping[str, Any]) -> Prediction:
    a = architecture(p)
    d = output_density(a.activation, a.hidden_widths[0], C_W=a.C_W, C_b=a.C_b, K1=a.K1)
    return Prediction(d.cdf, d.cdf_truncation, summary={"variance": d.variance, "excess_kurtosis": d.excess_kurtosis})


def _density_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    z, _ = architecture(p).ensemble(p["ensemble_size"], seed, dtype=torch.float64, method=p.get("method", "weights"))
    z = z[:, 0]
    return Estimate(z, np.zeros_like(z), z.size, seed=seed, seconds=time.perf_counter() - t0, method="samples")


def _density_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    # few bins of equal predicted mass: most power against the smooth He_3 / He_5 shape of a wrong 1/n term
    return compare_distribution(pred.value, est.value, truncation=pred.truncation, alpha=alpha, bins=p.get("bins", 12))


register_check(Check(
    "wide_networks.edgeworth_density", "wide_networks",
    "output histogram of one-hidden-layer erf networks vs the 1/width Edgeworth density (O(1/n^2) budget)",
    _density_predict, _density_measure, _density_compare,
    quick={"method": "weights", "activation": "erf", "hidden_widths": (5,), "C_W": 1.0, "C_b": 0.0, "K1": 2.0,
           "ensemble_size": 1_000_000,
           "bins": 12},
    full={"hidden_widths": (8,), "ensemble_size": 10_000_000},
))


# ------------------------------------------------------------ NNGP kernel, several inputs
def _inputs(p: Mapping[str, Any]) -> np.ndarray:
    return np.random.default_rng(p.get("input_seed", 0)).normal(size=(p["points"], p["d"]))


def _nngp_weights(p: Mapping[str, Any]) -> tuple[list[float], list[float]]:
    L = len(p["hidden_widths"]) + 1
    return [p["C_W1"]] + [p["C_W"]] * (L - 1), [p["C_b"]] * L


def _nngp_predict(p: Mapping[str, Any]) -> Prediction:
    X = _inputs(p)
    cw, cb = _nngp_weights(p)
    K, err = nngp_kernel(X, X, p["activation"], cw, cb, return_error=True)
    iu = np.triu_indices(len(X))
    return Prediction(K[iu], err[iu], summary=K.tolist())


def _nngp_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X = _inputs(p)
    cw, cb = _nngp_weights(p)
    if p.get("route", "mlp") == "module":
        Z = module_ensemble_outputs(_module_factory(p), X, ensemble_size=p["ensemble_size"], seed=seed)
    else:
        Z = mlp_ensemble_outputs(X, p["hidden_widths"], p["activation"], cw, cb, ensemble_size=p["ensemble_size"], seed=seed,
                                 method=p.get("method", "weights"))
    e = covariance_estimate(Z)
    iu = np.triu_indices(len(X))
    return Estimate(e.value[iu], e.stderr[iu], e.samples, seed=seed, seconds=time.perf_counter() - t0, method=e.method)


def _module_factory(p: Mapping[str, Any]) -> Any:
    """A user-style nn.Sequential with Gaussian init N(0, C_W / fan_in), N(0, C_b): the same architecture as the MLP route."""
    acts = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU}
    cw, cb = _nngp_weights(p)
    dims = [p["d"]] + list(p["hidden_widths"]) + [1]

    def factory() -> torch.nn.Module:
        layers: list[torch.nn.Module] = []
        for l, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            lin = torch.nn.Linear(a, b)
            torch.nn.init.normal_(lin.weight, std=math.sqrt(cw[l] / a))
            torch.nn.init.normal_(lin.bias, std=math.sqrt(cb[l]))
            layers += [lin] + ([acts[p["activation"]]()] if l < len(dims) - 2 else [])
        return torch.nn.Sequential(*layers)

    return factory


_NNGP_QUICK = {"hidden_widths": (16,), "C_W1": 1.5, "C_W": 1.8, "C_b": 0.1, "points": 4, "d": 3, "ensemble_size": 20_000}
register_check(Check(
    "wide_networks.nngp_covariance", "wide_networks",
    "ensemble covariance of MLP outputs on several inputs vs the NNGP kernel (one hidden layer: exact at any width)",
    _nngp_predict, _nngp_measure, _point_compare,
    quick={"method": "weights", "activation": "relu", **_NNGP_QUICK},
    full={"ensemble_size": 400_000, "points": 6},
))
register_check(Check(
    "wide_networks.nngp_covariance.module", "wide_networks",
    "ensemble of a user's nn.Sequential (stack_module_state + vmap) vs the NNGP kernel, tanh, several inputs",
    _nngp_predict, _nngp_measure, _point_compare,
    quick={"activation": "tanh", "route": "module", **_NNGP_QUICK, "ensemble_size": 8_000},
    full={"ensemble_size": 100_000},
))


# ------------------------------------------------------------ multi-input four-point vertex
_FOUR_IDX = ((0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 1, 1), (1, 1, 1, 1))


def _four_predict(p: Mapping[str, Any]) -> Prediction:
    X = _inputs(p)
    cw, cb = _nngp_weights(p)
    k, err = four_point_two_inputs(X, p["activation"], p["hidden_widths"][0], cw, cb)
    return Prediction(np.array([k[i] for i in _FOUR_IDX]), np.array([err[i] for i in _FOUR_IDX]),
                      summary={"kappa_" + "".join(map(str, i)): float(k[i]) for i in _FOUR_IDX})


def _four_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X = _inputs(p)
    cw, cb = _nngp_weights(p)
    _, Sig = mlp_ensemble_outputs(X, p["hidden_widths"], p["activation"], cw, cb, ensemble_size=p["ensemble_size"],
                                  seed=seed, dtype=torch.float64, conditional_covariance=True,
                                  method=p.get("method", "weights"))
    e = conditional_fourth_cumulant_estimate(Sig)
    return Estimate(np.array([e.value[i] for i in _FOUR_IDX]), np.array([e.stderr[i] for i in _FOUR_IDX]), e.samples,
                    seed=seed, seconds=time.perf_counter() - t0, method=e.method)


register_check(Check(
    "wide_networks.four_point_two_inputs", "wide_networks",
    "connected four-point function of one-hidden-layer tanh networks on two inputs vs the multi-input vertex (exact)",
    _four_predict, _four_measure, _point_compare,
    quick={"method": "weights", "activation": "tanh", "hidden_widths": (2,), "C_W1": 1.5, "C_W": 1.3, "C_b": 0.1, "points": 2, "d": 2,
           "ensemble_size": 200_000},
    full={"hidden_widths": (4,), "ensemble_size": 4_000_000},
))
