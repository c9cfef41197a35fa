"""Argument fuzzing of theory.wide_networks (driven by tests/test_arguments_coverage.py)."""

from __future__ import annotations

import numpy as np

from tests.argfuzz import Call

X = np.array([[0.3, -1.2], [1.1, 0.4]])

CASES = {
    "theory.wide_networks.resolve_activation": Call(("tanh",)),
    "theory.wide_networks.nngp_kernel": Call((X, X, "tanh", [1.0, 1.5], 0.1), {"quadrature_order": 16}),
    "theory.wide_networks.ntk_kernel": Call((X, X, "relu", [1.0, 2.0], 0.1),
                                            {"parameterization": "ntk", "return_error": False}),
    "theory.wide_networks.pair_expectations": Call(("erf", np.array([1.0]), np.array([0.3]), np.array([2.0])),
                                                   {"order": 16, "derivative": True}),
    "theory.wide_networks.finite_width": Call(("tanh", [8, 8], 1.5, 0.1, 1.0)),
    "theory.wide_networks.default_weight_variance": Call(("relu",)),
    "theory.wide_networks.exact_moment_ratio": Call(("relu", [3, 5], 4)),
    "theory.wide_networks.relu_zero_atom": Call(([3, 5],)),
    "theory.wide_networks.output_density": Call(("erf", 5, 1.0, 0.1, 2.0)),
    "theory.wide_networks.four_point_two_inputs": Call((X, "tanh", 3, [1.5, 1.3], 0.1), {"quadrature_order": 24}),
    "theory.wide_networks.resolve_law": Call(("uniform",)),
    "theory.wide_networks.exact_fourth_moment": Call(("relu", [3, 5], 2.0, 0.1, 1.0),
                                                     {"weight_laws": "uniform", "bias_laws": "rademacher"}),
    "theory.wide_networks.network_moments": Call((X, "tanh", [3, 3], [1.5, 1.3, 1.2], 0.1),
                                                 {"weight_laws": "uniform", "bias_laws": "gaussian", "ntk": True,
                                                  "quadrature_order": 16}),
}

EXEMPT = {
    "theory.wide_networks.Activation": "a frozen record built by resolve_activation (fuzzed there), not an entry point",
    "theory.wide_networks.FiniteWidthResult": "a result record returned by finite_width, not an entry point",
    "theory.wide_networks.Law": "a frozen record built by resolve_law (fuzzed there), not an entry point",
    "theory.wide_networks.NetworkMoments": "a result record returned by network_moments, not an entry point",
    "theory.wide_networks.OutputDensity": "a result record returned by output_density (fuzzed there)",
    "theory.wide_networks.ntk_predict": "owned by the ntk area (moving to theory.ntk); fuzzed with it",
    "theory.wide_networks.nngp_posterior": "owned by the ntk area (moving to theory.ntk); fuzzed with it",
}
