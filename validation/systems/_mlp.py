r"""The MLP system: one definition of a fully connected network at initialisation.

Every check about networks (``wide_networks``, ``ntk``, ``random_walk``) builds one
:class:`MLP` from its parameters and reads both the theory's arguments and the
measurement's arguments off it, so the network that is measured is the network the
theory describes.

Conventions (shared by theory and numerics):
:math:`z^{(1)} = W^{(1)} x + b^{(1)}`, :math:`z^{(l+1)} = W^{(l+1)} \sigma(z^{(l)}) + b^{(l+1)}`,
scalar output :math:`z^{(L)}`, with iid weights of variance
:math:`\operatorname{Var} W^{(l)}_{ij} = C_W^{(l)} / n_{l-1}` (:math:`n_0` the input dimension)
and biases of variance :math:`C_b^{(l)}`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

from numerics import validate as v
from numerics.activations import torch_activation

__all__ = ["MLP", "activation_param"]

WEIGHT_LAWS = ("gaussian",)
PARAMETERIZATIONS = ("standard", "ntk")


def activation_param(value: Any, name: str) -> Any:
    """Validate an activation given in a check's parameters: a name or ``("leaky_relu", slope)``."""
    if isinstance(value, str):
        torch_activation(value)  # raises for unknown names
        return value
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or value[0] != "leaky_relu":
            raise ValueError(f"{name} must be a name or ('leaky_relu', slope); got {value!r}")
        return ("leaky_relu", v.real(value[1], f"{name} slope"))
    raise TypeError(f"{name} must be an activation name or ('leaky_relu', slope); got {v.describe(value)}")


@dataclass(frozen=True)
class MLP:
    r"""A fully connected network at initialisation with a scalar output.

    Parameters
    ----------
    in_dim
        Input dimension :math:`n_0 = d`.
    hidden_widths
        :math:`n_1, \dots, n_{L-1}` (at least one hidden layer).
    activation
        A name or ``("leaky_relu", slope)``, understood by both layers' activation tables.
    weight_variances, bias_variances
        :math:`C_W^{(l)}` (> 0) and :math:`C_b^{(l)}` (>= 0) for the :math:`L` weight layers.
    weight_law
        The law of the standardised weights (``"gaussian"``).
    parameterization
        ``"standard"`` (weights drawn with their variance) or ``"ntk"`` (unit weights,
        scaled in the forward pass); the same function at initialisation, different
        gradient-descent dynamics.
    """

    in_dim: int
    hidden_widths: tuple[int, ...]
    activation: Any
    weight_variances: tuple[float, ...]
    bias_variances: tuple[float, ...]
    weight_law: str = "gaussian"
    parameterization: str = "standard"

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_dim", v.integer(self.in_dim, "in_dim", minimum=1))
        hw = v.integers(self.hidden_widths, "hidden_widths", minimum=1)
        object.__setattr__(self, "hidden_widths", hw)
        object.__setattr__(self, "activation", activation_param(self.activation, "activation"))
        L = len(hw) + 1
        object.__setattr__(self, "weight_variances", _per_layer(self.weight_variances, L, "weight_variances", True))
        object.__setattr__(self, "bias_variances", _per_layer(self.bias_variances, L, "bias_variances", False))
        v.choice(self.weight_law, "weight_law", WEIGHT_LAWS)
        v.choice(self.parameterization, "parameterization", PARAMETERIZATIONS)

    @classmethod
    def single_input(cls, activation: Any, hidden_widths: Sequence[int], C_W: float, C_b: float = 0.0,
                     K1: float = 1.0) -> "MLP":
        """The one-input network of the 1/width theory: input ``x = 1`` in ``d = 1``, first-layer
        variance ``K1`` (so :math:`K^{(1)} = K_1`) and no first-layer bias; ``C_W``, ``C_b`` after it."""
        L = len(tuple(hidden_widths))
        return cls(1, tuple(hidden_widths), activation, (K1,) + (C_W,) * L, (0.0,) + (C_b,) * L)

    @property
    def depth(self) -> int:
        """Number of weight layers :math:`L`."""
        return len(self.hidden_widths) + 1

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(d, n_1, ..., n_{L-1}, 1)``."""
        return (self.in_dim, *self.hidden_widths, 1)

    def with_widths(self, hidden_widths: Sequence[int]) -> "MLP":
        """The same network with other hidden widths (same depth unless the variances are per layer)."""
        hw = tuple(hidden_widths)
        if len(hw) != len(self.hidden_widths):
            cw = (self.weight_variances[0],) + (self.weight_variances[-1],) * len(hw)
            cb = (self.bias_variances[0],) + (self.bias_variances[-1],) * len(hw)
            return replace(self, hidden_widths=hw, weight_variances=cw, bias_variances=cb)
        return replace(self, hidden_widths=hw)

    @property
    def kernel_args(self) -> tuple[Any, tuple[float, ...], tuple[float, ...]]:
        """``(activation, weight_variances, bias_variances)``: the arguments of the infinite-width kernels."""
        return self.activation, self.weight_variances, self.bias_variances


def _per_layer(value: Any, L: int, name: str, positive: bool) -> tuple[float, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value,) * L
    vals = v.reals(value, name, minimum=0.0, open_min=positive, length=L)
    return vals
