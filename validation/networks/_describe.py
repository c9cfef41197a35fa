"""A user's torch network as the :class:`~validation.systems.MLP` system (read by numerics, joined here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from numerics import validate as v
from numerics.wide_networks import NetworkDescription, describe_module, param_law
from validation.systems import MLP

__all__ = ["DescribedNetwork", "describe_network", "theory_activation"]


@dataclass(frozen=True)
class DescribedNetwork:
    """A user's network: the :class:`MLP` system both theory and measurement read, and the raw description.

    Parameters
    ----------
    mlp
        The system (architecture, per-layer :math:`C_W, C_b` and weight / bias laws).
    description
        What was measured (:class:`numerics.wide_networks.NetworkDescription`: moments with standard errors,
        iid tests, goodness-of-fit p-values, number of factory calls).
    """

    mlp: MLP
    description: NetworkDescription

    def summary(self) -> list[dict[str, Any]]:
        """Per layer: sizes, identified laws, variances and measured kurtoses (with standard errors).

        Returns
        -------
        list of dict
            One row per ``nn.Linear``.
        """
        out = []
        for l, (lay, law) in enumerate(zip(self.description.layers, self.mlp.law_summary())):
            row = {"layer": l + 1, "path": lay.path, "in": lay.in_features, "out": lay.out_features, **law,
                   "weight_kurtosis_measured": lay.weight.kurtosis, "weight_kurtosis_se": lay.weight.kurtosis_se,
                   "weight_iid_p_value": lay.weight.iid_p_value}
            if lay.bias is not None:
                row.update(bias_kurtosis_measured=lay.bias.kurtosis, bias_kurtosis_se=lay.bias.kurtosis_se,
                           bias_iid_p_value=lay.bias.iid_p_value)
            out.append(row)
        return out


def theory_activation(act: Any) -> Any:
    """The activation as the theory takes it: names and pairs as they are, a torch callable as a numpy function.

    Parameters
    ----------
    act
        A name, ``("leaky_relu", a)`` or an elementwise torch callable.

    Returns
    -------
    str, tuple or callable
        ``act``, or a numpy function evaluating the torch callable in float64.
    """
    if isinstance(act, (str, tuple)):
        return act

    def fn(z: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return act(torch.as_tensor(np.asarray(z, dtype=float))).double().numpy()

    fn.__name__ = getattr(act, "__name__", type(act).__name__)
    return fn


def describe_network(factory: Callable[[], torch.nn.Module], *, seed: int = 0, in_dim: int | None = None,
                     max_modules: int = 2000) -> DescribedNetwork:
    """Read a user's network into the :class:`~validation.systems.MLP` system.

    Parameters
    ----------
    factory
        Zero-argument callable returning a freshly initialised ``torch.nn.Module`` (an MLP of ``nn.Linear``
        layers and one elementwise activation) at every call.
    seed
        Seed of the factory calls that measure the laws.
    in_dim
        The input dimension the caller will feed; checked against the first layer before any law is measured.
    max_modules
        Most factory calls spent on measuring the laws.

    Returns
    -------
    DescribedNetwork
        The system (``.mlp``) and the measurement behind it (``.description``).

    Raises
    ------
    TypeError, ValueError
        As :func:`numerics.wide_networks.describe_module` (unsupported layers, non-iid or non-zero-mean
        parameters, inconsistent calls), and all-zero weights (the theory needs :math:`C_W > 0`).
    """
    d = describe_module(factory, seed=seed, max_modules=max_modules, in_dim=in_dim)
    for l, lay in enumerate(d.layers):
        if lay.weight.law is None:
            raise ValueError(f"layer {l + 1} ({lay.path!r}): every weight is zero; the theory needs C_W > 0")
    gauss = param_law("gaussian")
    mlp = MLP(d.in_dim, d.hidden_widths, d.activation, d.weight_variances, d.bias_variances,
              weight_law=tuple(lay.weight.law for lay in d.layers),
              bias_law=tuple(gauss if lay.bias is None or lay.bias.law is None else lay.bias.law for lay in d.layers))
    return DescribedNetwork(mlp, d)


def check_inputs(inputs: Any, in_dim: int) -> np.ndarray:
    """Inputs ``(P, d)`` as a float64 array with ``d`` the network's input dimension and 1 <= P <= 32.

    Parameters
    ----------
    inputs
        Array or tensor.
    in_dim
        The network's input dimension.

    Returns
    -------
    numpy.ndarray
        A float64 copy.

    Raises
    ------
    TypeError, ValueError
        Not a finite 2-d array, the wrong dimension, more than 32 points.
    """
    X = v.array(inputs, "inputs", ndim=2, min_size=1)
    if X.shape[1] != in_dim:
        raise ValueError(f"inputs have dimension {X.shape[1]} but the network's first nn.Linear takes {in_dim}")
    if X.shape[0] > 32:
        raise ValueError(f"inputs: at most 32 points (the covariance and NTK checks grow with their pairs); "
                         f"got {X.shape[0]}")
    return X
