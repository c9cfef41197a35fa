"""Shared pieces of the wide-network checks: parameters, the one MLP system, the ensemble call."""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from numerics.estimate import Estimate
from numerics.wide_networks import mlp_ensemble_outputs
from validation.check import Prediction, register_check
from validation.params import Param
from validation.stats import Comparison, compare_point
from validation.systems import MLP, activation_param

__all__ = ["P", "single_input_mlp", "finite_width_args", "kernel_mlp", "ensemble", "point_compare", "register", "stack", "sub_seed",
           "inputs", "elapsed"]

METHODS = ("weights", "function_space")

#: Parameter declarations shared by the checks (each check picks the keys it uses).
P: dict[str, Param] = {
    "method": Param("str", "ensemble sampler: real networks' weights, or exact function-space sampling", choices=METHODS),
    "activation": Param("any", "activation: a name or ('leaky_relu', slope)", check=activation_param),
    "hidden_widths": Param("ints", "hidden widths n_1..n_{L-1}", minimum=1),
    "C_W": Param("float", "weight variance C_W of the layers after the first", minimum=0.0, open_min=True),
    "C_b": Param("float", "bias variance C_b of the layers after the first (and of all layers for several inputs)",
                 minimum=0.0),
    "K1": Param("float", "first-layer preactivation variance K_1 (the input is x = 1 in d = 1)", minimum=0.0,
                open_min=True),
    "ensemble_size": Param("int", "number of independently initialised networks", minimum=1000),
    "C_W1": Param("float", "first-layer weight variance C_W^(1) (weights N(0, C_W^(1)/d))", minimum=0.0, open_min=True),
    "points": Param("int", "number of inputs", minimum=1),
    "d": Param("int", "input dimension", minimum=1),
    "input_seed": Param("int", "seed of the standard-normal inputs", minimum=0),
}


def single_input_mlp(p: Mapping[str, Any], widths: Sequence[int] | None = None) -> MLP:
    """The one-input network of the 1/width theory (``MLP.single_input``) of a check's parameters."""
    ws = tuple(p["hidden_widths"] if widths is None else widths)
    return MLP.single_input(p["activation"], ws, p["C_W"], p["C_b"], p["K1"])


def finite_width_args(m: MLP) -> dict[str, Any]:
    """``finite_width`` keyword arguments read off a single-input MLP (layer 1 carries ``K1``)."""
    return {"activation": m.activation, "hidden_widths": m.hidden_widths, "C_W": list(m.weight_variances[1:]),
            "C_b": list(m.bias_variances[1:]), "K1": m.weight_variances[0] + m.bias_variances[0]}  # x = 1, d = 1


def kernel_mlp(p: Mapping[str, Any]) -> MLP:
    """The several-input network: ``C_W1`` on the first layer, ``C_W`` after it, ``C_b`` everywhere."""
    L = len(p["hidden_widths"]) + 1
    return MLP(p["d"], tuple(p["hidden_widths"]), p["activation"], (p["C_W1"],) + (p["C_W"],) * (L - 1),
               (p["C_b"],) * L)


def inputs(p: Mapping[str, Any]) -> np.ndarray:
    """The check's inputs: ``points`` standard-normal vectors in ``d`` dimensions (seed ``input_seed``)."""
    return np.random.default_rng(p["input_seed"]).normal(size=(p["points"], p["d"]))


def ensemble(m: MLP, size: int, seed: int, X: np.ndarray | None = None, *, method: str = "weights",
             dtype: torch.dtype = torch.float32, conditional: bool = True, covariance: bool = False) -> Any:
    """Outputs (and conditional variances) of ``size`` networks ``m`` on ``X`` (default: the input x = 1)."""
    X = np.ones((1, m.in_dim)) if X is None else X
    return mlp_ensemble_outputs(X, m.hidden_widths, m.activation, list(m.weight_variances), list(m.bias_variances),
                                ensemble_size=size, seed=seed, conditional_variance=conditional,
                                conditional_covariance=covariance, dtype=dtype, method=method)


def point_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    """Normal z per component (iid means of >= 10^4 members), Bonferroni-joined, budget subtracted."""
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


def stack(ests: list[Estimate], seed: int, t0: float, **diag: Any) -> Estimate:
    """One Estimate of several (components stacked)."""
    return Estimate(np.array([e.value for e in ests]), np.array([e.stderr for e in ests]),
                    min(e.samples for e in ests), seed=seed, seconds=time.perf_counter() - t0, method=ests[0].method,
                    diagnostics=diag)


def sub_seed(seed: int, i: int) -> int:
    """Seed of the ``i``-th independent ensemble of one measurement."""
    return int(seed) * 7919 + i


def elapsed(t0: float) -> float:
    """Seconds since ``t0``."""
    return time.perf_counter() - t0


register = register_check
