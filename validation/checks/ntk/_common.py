"""The network and the data set of the ntk checks, read by both predict and measure.

A check's parameters define one :class:`validation.systems.MLP` (NTK parameterisation, equal
hidden widths, depth ``len(weight_variances) - 1``) and one synthetic regression set.  The theory
takes ``mlp.kernel_args`` and ``mlp.parameterization``; the torch networks are an
:class:`numerics.ntk.MLPSpec` built from the same fields, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from numerics.ntk import MLPSpec
from validation.params import Param
from validation.systems import MLP, activation_param

__all__ = ["NETWORK_SCHEMA", "DATA_SCHEMA", "QUICK_NETWORK", "network", "spec", "theory_kwargs", "data",
           "pair_labels"]

NETWORK_SCHEMA = {
    "in_dim": Param("int", "input dimension d of the data and of the network", minimum=1),
    "activation": Param("any", "activation: a name or ('leaky_relu', slope)", check=activation_param),
    "weight_variances": Param("floats", "C_W of each weight layer; its length minus one is the number of hidden layers",
                              minimum=0.0, open_min=True, min_length=2),
    "bias_variances": Param("float", "C_b of every layer", minimum=0.0),
}

DATA_SCHEMA = {
    "n_train": Param("int", "training inputs N, drawn N(0, I_d)", minimum=1),
    "data_seed": Param("int", "seed of the synthetic data set (the same for every run)", minimum=0),
}

QUICK_NETWORK = {"in_dim": 2, "activation": "erf", "weight_variances": (1.0, 2.0), "bias_variances": 0.1,
                 "n_train": 4, "data_seed": 0}


def network(p: Mapping[str, Any], width: int) -> MLP:
    """The NTK-parameterised network of ``p`` with every hidden layer of width ``width``."""
    depth = len(tuple(p["weight_variances"])) - 1
    return MLP(int(p["in_dim"]), (int(width),) * depth, p["activation"], tuple(p["weight_variances"]),
               float(p["bias_variances"]), parameterization="ntk")


def spec(mlp: MLP) -> MLPSpec:
    """The torch architecture of ``mlp`` (the same fields)."""
    return MLPSpec(mlp.in_dim, mlp.hidden_widths, mlp.activation, mlp.weight_variances, mlp.bias_variances,
                   mlp.parameterization)


def theory_kwargs(mlp: MLP) -> dict[str, Any]:
    """Keyword arguments of the theory's kernels besides ``mlp.kernel_args``."""
    return {"parameterization": mlp.parameterization}


def data(p: Mapping[str, Any], n_test: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic regression data from ``data_seed``: inputs N(0, I_d), target :math:`\\sin(2x_1)`;
    ``n_test`` test inputs drawn after the training inputs."""
    rng = np.random.default_rng(int(p["data_seed"]))
    X = rng.normal(size=(int(p["n_train"]), int(p["in_dim"])))
    Xt = rng.normal(size=(int(n_test), int(p["in_dim"])))
    return X, np.sin(2.0 * X[:, 0]), Xt


def pair_labels(n: int, name: str = "Theta") -> list[str]:
    """``Theta(x1,x1), Theta(x1,x2), ...`` for the upper triangle of an n x n kernel."""
    iu = np.triu_indices(n)
    return [f"{name}(x{i + 1},x{j + 1})" for i, j in zip(*iu)]
