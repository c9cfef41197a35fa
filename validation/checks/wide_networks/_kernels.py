"""Several inputs: the NNGP covariance and the multi-input four-point vertex vs ensembles.

``wide_networks.nngp_covariance``: the ensemble covariance of one-hidden-layer MLP outputs on
several inputs against the NNGP kernel (Neal 1996; Lee et al. 2018; exact at any width for one
hidden layer), Rao-Blackwellised: the mean over networks of the conditional output covariance
:math:`\\Sigma = C_b + C_W HH^\\top/n` given the hidden layer.  Power (quick set): the kernel 2% too
large fails at every contract seed at the suite's alpha (before, with raw output products: 5% was
rejected in 89% of 200 seeds).  ``.module`` measures the same network built as a user's
``torch.nn.Sequential`` (``stack_module_state`` + ``vmap``, one ``factory()`` call per member), of which
only outputs are seen (raw products).  Building modules is its whole cost (about 1 ms each), so the
quick set builds 2000: power, the kernel 20% too large fails at every contract seed (the same signal
to noise as 10% at the 8000 members it built before, four times the cost); the point of the check is
the module route end to end, the kernel's precision is ``nngp_covariance``'s.

``wide_networks.four_point_two_inputs``: the connected four-point function on two inputs
against the multi-input vertex (Roberts, Yaida & Hanin 2022, sec. 4.2-4.3; exact at any width),
Rao-Blackwellised through the conditional output covariance.  Power: the vertex 5% too large
fails at every contract seed.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Callable, Mapping

import numpy as np
import torch

from numerics.activations import torch_activation
from numerics.estimate import Estimate, mean_estimate
from numerics.wide_networks import conditional_fourth_cumulant_estimate, covariance_estimate, module_ensemble_outputs
from theory.wide_networks import four_point_two_inputs, nngp_kernel
from validation.check import Check, Display, Prediction, Twin
from validation.checks.wide_networks._common import P, ensemble, inputs, kernel_mlp, point_compare, register
from validation.systems import MLP

__all__: list[str] = []

SCHEMA = {k: P[k] for k in ("method", "activation", "hidden_widths", "C_W1", "C_W", "C_b", "points", "d",
                            "input_seed", "ensemble_size")}


def _scaled(predict: Callable[[Mapping[str, Any]], Prediction], factor: float) -> Callable[[Mapping[str, Any]], Prediction]:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        pr = predict(p)
        return dataclasses.replace(pr, value=pr.value * factor)

    return wrong


def _nngp_predict(p: Mapping[str, Any]) -> Prediction:
    X, m = inputs(p), kernel_mlp(p)
    K, err = nngp_kernel(X, X, *m.kernel_args, return_error=True)
    iu = np.triu_indices(len(X))
    return Prediction(K[iu], err[iu], summary=K.tolist())


class _Activation(torch.nn.Module):
    """An activation of the shared numerics table as a module (what a user puts in an nn.Sequential)."""

    def __init__(self, spec: Any) -> None:
        super().__init__()
        self.fn = torch_activation(spec).fn

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.fn(z)


def module_factory(m: MLP) -> Callable[[], torch.nn.Module]:
    """A user-style ``nn.Sequential`` of the MLP ``m``: Linear layers initialised N(0, C_W/fan_in), N(0, C_b).

    Parameters
    ----------
    m : MLP
        The network: its layer sizes, activation and per-layer :math:`C_W^{(l)}`, :math:`C_b^{(l)}` (its parameter
        laws and parameterization are not used: the weights and biases are Gaussian, standard parameterization).

    Returns
    -------
    callable
        ``factory()``, taking no argument, returns a new freshly initialised ``torch.nn.Sequential``
        (``Linear``, activation, ..., ``Linear``; torch's default dtype, drawn from its global generator) on each call.
    """
    dims = m.layer_sizes

    def factory() -> torch.nn.Module:
        layers: list[torch.nn.Module] = []
        for l, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            lin = torch.nn.Linear(a, b)
            torch.nn.init.normal_(lin.weight, std=math.sqrt(m.weight_variances[l] / a))
            torch.nn.init.normal_(lin.bias, std=math.sqrt(m.bias_variances[l]))
            layers += [lin] + ([_Activation(m.activation)] if l < len(dims) - 2 else [])
        return torch.nn.Sequential(*layers)

    return factory


def _nngp_measure(p: Mapping[str, Any], seed: int, module: bool = False) -> Estimate:
    t0 = time.perf_counter()
    X, m = inputs(p), kernel_mlp(p)
    if module:  # a user's module: only its outputs are seen, so raw second moments
        Z = module_ensemble_outputs(module_factory(m), X, ensemble_size=p["ensemble_size"], seed=seed)
        e = covariance_estimate(Z)
    else:  # Rao-Blackwell: E[z_a z_b | last hidden layer] = Sigma_ab, averaged over networks
        _, Sig = ensemble(m, p["ensemble_size"], seed, X, method=p["method"], dtype=torch.float64, covariance=True)
        e = mean_estimate(Sig)
    iu = np.triu_indices(len(X))
    return Estimate(e.value[iu], e.stderr[iu], e.samples, seed=seed, seconds=time.perf_counter() - t0, method=e.method)


def _pair_labels(p: Mapping[str, Any]) -> list[str]:
    return [f"K(x{a}, x{b})" for a, b in zip(*np.triu_indices(p["points"]))]


_NNGP_QUICK = {"hidden_widths": (16,), "C_W1": 1.5, "C_W": 1.8, "C_b": 0.1, "points": 4, "d": 3, "input_seed": 0,
               "ensemble_size": 20_000}
_NNGP_TWINS = (Twin("kernel_x1.02", "the NNGP kernel 2% too large", _scaled(_nngp_predict, 1.02)),)
_MODULE_TWINS = (Twin("kernel_x1.2", "the NNGP kernel 20% too large", _scaled(_nngp_predict, 1.2)),)
register(Check(
    "wide_networks.nngp_covariance", "wide_networks",
    "ensemble covariance of MLP outputs on several inputs vs the NNGP kernel (one hidden layer: exact at any width)",
    _nngp_predict, _nngp_measure, point_compare,
    quick={"method": "weights", "activation": "relu", **_NNGP_QUICK},
    full={"ensemble_size": 400_000, "points": 6},
    schema=SCHEMA, twins=_NNGP_TWINS,
    display=Display("output covariance E z(x_a) z(x_b)", kind="point", labels=_pair_labels),
))
register(Check(
    "wide_networks.nngp_covariance.module", "wide_networks",
    "ensemble of a user's nn.Sequential (stack_module_state + vmap) vs the NNGP kernel, tanh, several inputs",
    _nngp_predict, lambda p, seed: _nngp_measure(p, seed, module=True), point_compare,
    quick={"method": "weights", "activation": "tanh", **_NNGP_QUICK, "ensemble_size": 2_000},
    full={"ensemble_size": 100_000},
    schema=SCHEMA, twins=_MODULE_TWINS,
    display=Display("output covariance E z(x_a) z(x_b)", kind="point", labels=_pair_labels),
))


# ------------------------------------------------------------ multi-input four-point vertex
_FOUR_IDX = ((0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 1, 1), (1, 1, 1, 1))


def _four_predict(p: Mapping[str, Any]) -> Prediction:
    X, m = inputs(p), kernel_mlp(p)
    k, err = four_point_two_inputs(X, m.activation, m.hidden_widths[0], m.weight_variances, m.bias_variances)
    return Prediction(np.array([k[i] for i in _FOUR_IDX]), np.array([err[i] for i in _FOUR_IDX]),
                      summary={"kappa_" + "".join(map(str, i)): float(k[i]) for i in _FOUR_IDX})


def _four_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    X, m = inputs(p), kernel_mlp(p)
    _, Sig = ensemble(m, p["ensemble_size"], seed, X, method=p["method"], dtype=torch.float64, covariance=True)
    e = conditional_fourth_cumulant_estimate(Sig)
    return Estimate(np.array([e.value[i] for i in _FOUR_IDX]), np.array([e.stderr[i] for i in _FOUR_IDX]), e.samples,
                    seed=seed, seconds=time.perf_counter() - t0, method=e.method)


register(Check(
    "wide_networks.four_point_two_inputs", "wide_networks",
    "connected four-point function of one-hidden-layer tanh networks on two inputs vs the multi-input vertex (exact)",
    _four_predict, _four_measure, point_compare,
    quick={"method": "weights", "activation": "tanh", "hidden_widths": (2,), "C_W1": 1.5, "C_W": 1.3, "C_b": 0.1,
           "points": 2, "d": 2, "input_seed": 0, "ensemble_size": 200_000},
    full={"hidden_widths": (4,), "ensemble_size": 4_000_000},
    schema=SCHEMA,
    twins=(Twin("vertex_x1.05", "the four-point vertex 5% too large", _scaled(_four_predict, 1.05)),),
    display=Display("connected four-point function kappa_abcd", kind="point",
                    labels=tuple("kappa_" + "".join(map(str, i)) for i in _FOUR_IDX)),
))
