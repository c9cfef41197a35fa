"""Argument fuzzing of numerics.wide_networks (driven by tests/test_arguments_coverage.py)."""

from __future__ import annotations

import numpy as np
import torch

from numerics.wide_networks import param_law
from tests.argfuzz import Call

X = np.array([[0.3, -1.2], [1.1, 0.4]])
Z = np.random.default_rng(0).normal(size=(50, 2))
S = np.random.default_rng(1).gamma(2.0, size=50)
SIG = np.einsum("nij,nkj->nik", *(2 * [np.random.default_rng(2).normal(size=(20, 2, 3))]))


def _factory() -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))


_W = [torch.ones((2, 2, 3)), torch.ones((2, 3, 1))]

CASES = {
    "numerics.wide_networks.mlp_ensemble_outputs": Call(
        (X, [3], "tanh", [1.0, 1.5], 0.1), {"ensemble_size": 5, "seed": 0, "conditional_variance": False},
        skip=("dtype", "device")),
    "numerics.wide_networks.mlp_ensemble_forward": Call(
        (torch.ones((2, 2)), _W, [None, None], torch.tanh), {"return_last_hidden": False},
        skip=("weights", "biases")),  # tensors lists: mutated to strings/None they raise TypeError (tested below)
    "numerics.wide_networks.module_ensemble_outputs": Call((_factory, X), {"ensemble_size": 3, "seed": 0, "chunk_size": 2}),
    "numerics.wide_networks.moment_ratio_estimate": Call((Z[:, 0], 4)),
    "numerics.wide_networks.excess_kurtosis_estimate": Call((Z[:, 0],)),
    "numerics.wide_networks.conditional_moments_estimate": Call((S,)),
    "numerics.wide_networks.conditional_moment_ratio_estimate": Call((S, 4)),
    "numerics.wide_networks.covariance_estimate": Call((Z,)),
    "numerics.wide_networks.fourth_cumulant_estimate": Call((Z,)),
    "numerics.wide_networks.conditional_fourth_cumulant_estimate": Call((SIG,)),
    "numerics.wide_networks.integrated_moments_estimate": Call((S, "tanh", 1.5, 0.1, 4), {"order": 16}),
}

CASES["numerics.wide_networks.mlp_ensemble_sample"] = Call(
    (X, [3], "tanh", [1.0, 1.5], 0.1), {"ensemble_size": 5, "seed": 0, "weight_laws": "uniform", "bias_laws": "gaussian",
                                       "ntk": True, "max_chunk_bytes": 2 ** 20}, skip=("dtype", "device"))
CASES["numerics.wide_networks.describe_module"] = Call(
    (_factory,), {"seed": 0, "target_entries": 8, "min_modules": 2, "max_modules": 3, "in_dim": 2})
CASES["numerics.wide_networks.param_law"] = Call(("uniform",))
CASES["numerics.wide_networks.sample_law"] = Call((param_law("uniform"), torch.empty(4), torch.Generator()),
                                                  extra={"law": ("uniform", 3), "out": (np.ones(3), "abc"),
                                                         "generator": (3, None)})

# numerics.activations is the shared table this area owns
CASES["numerics.activations.torch_activation"] = Call(("tanh",))

EXEMPT = {
    "numerics.activations.TorchActivation": "a frozen record built by torch_activation (fuzzed there)",
    "numerics.wide_networks.ParamLaw": "a frozen record built by param_law (fuzzed there)",
    "numerics.wide_networks.EnsembleSample": "a result record returned by mlp_ensemble_sample",
    "numerics.wide_networks.NetworkDescription": "a result record returned by describe_module",
    "numerics.wide_networks.LayerDescription": "a result record returned by describe_module",
    "numerics.wide_networks.ParamDescription": "a result record returned by describe_module",
}


def test_forward_rejects_non_tensor_layers() -> None:
    import pytest

    from numerics.wide_networks import mlp_ensemble_forward

    for bad in ("abc", None, [np.ones((2, 2, 3))]):
        with pytest.raises((TypeError, ValueError)):
            mlp_ensemble_forward(torch.ones((2, 2)), bad, [None], torch.tanh)  # type: ignore[arg-type]
