r"""The MLP system: one definition of a fully connected network at initialisation.

Every check about networks (``wide_networks``, ``ntk``, ``random_walk``) builds one
:class:`MLP` from its parameters and reads both the theory's arguments and the
measurement's arguments off it, so the network that is measured is the network the
theory describes.

Conventions (shared by theory and numerics):
:math:`z^{(1)} = W^{(1)} x + b^{(1)}`, :math:`z^{(l+1)} = W^{(l+1)} \sigma(z^{(l)}) + b^{(l+1)}`,
scalar output :math:`z^{(L)}`, with iid weights :math:`W^{(l)}_{ij} = \sqrt{C_W^{(l)}/n_{l-1}}\,w` of variance
:math:`C_W^{(l)} / n_{l-1}` (:math:`n_0` the input dimension) and biases :math:`\sqrt{C_b^{(l)}}\,\beta` of
variance :math:`C_b^{(l)}`, the standardised :math:`w, \beta` of a law per layer (the weight law and the bias
law: Gaussian, uniform -- torch's default, excess kurtosis -6/5 --, Rademacher, Student t, or a measured
empirical law; :func:`numerics.wide_networks.param_law`): the notation of Roberts, Yaida & Hanin, *The
Principles of Deep Learning Theory* (Cambridge University Press, 2022), section 2.3; the
``"ntk"`` parameterization is that of Jacot, Gabriel & Hongler (NeurIPS 2018).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

from numerics import validate as v
from numerics.activations import torch_activation
from numerics.wide_networks import ParamLaw, param_law

__all__ = ["MLP", "activation_param", "layer_laws"]

PARAMETERIZATIONS = ("standard", "ntk")


def layer_laws(value: Any, L: int, name: str) -> tuple[ParamLaw, ...]:
    """One law per layer: a single spec (``"uniform"``, ``("student_t", nu)``, a ``ParamLaw``) or ``L`` of them.

    Parameters
    ----------
    value
        The spec or the sequence of specs.
    L
        Number of weight layers.
    name
        How the messages name the argument.

    Returns
    -------
    tuple of ParamLaw
        One per layer.

    Raises
    ------
    TypeError, ValueError
        A bad spec, or a sequence whose length is not ``L``.
    """
    single = isinstance(value, (str, ParamLaw)) or (
        isinstance(value, tuple) and len(value) == 2 and value[0] in ("student_t", "measured"))
    if single:
        return (param_law(value, name),) * L
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a law or one law per layer; got {v.describe(value)}")
    if len(value) != L:
        raise ValueError(f"{name} must have {L} entries (one per weight layer); got {len(value)}")
    return tuple(param_law(x, f"{name}[{i}]") for i, x in enumerate(value))


def activation_param(value: Any, name: str) -> Any:
    """Validate an activation given in a check's parameters: a name or ``("leaky_relu", slope)``.

    A ``Param("any", check=activation_param)`` check function.

    Parameters
    ----------
    value : str or tuple
        An activation name known to :func:`numerics.activations.torch_activation`, or
        ``("leaky_relu", slope)``.
    name : str
        How the messages name the parameter.

    Returns
    -------
    str or tuple
        The name, or ``("leaky_relu", slope)`` with ``slope`` a float.

    Raises
    ------
    TypeError
        If ``value`` is neither a string nor a pair, or the slope is not a real number.
    ValueError
        If the name is unknown or the pair is not ``("leaky_relu", slope)``.
    """
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
    in_dim : int
        Input dimension :math:`n_0 = d`.
    hidden_widths : tuple of int
        :math:`n_1, \dots, n_{L-1}` (at least one hidden layer).
    activation : str, tuple or callable
        A name or ``("leaky_relu", slope)``, understood by both layers' activation tables, or a user's
        elementwise torch callable (the theory gets it as a numpy function).
    weight_variances, bias_variances : tuple of float or float
        :math:`C_W^{(l)}` (> 0) and :math:`C_b^{(l)}` (>= 0) for the :math:`L` weight layers
        (one number: the same for every layer).
    weight_law, bias_law : law or sequence of laws, default "gaussian"
        The laws of the standardised weights and biases (:func:`numerics.wide_networks.param_law` specs:
        ``"gaussian"``, ``"uniform"``, ``"rademacher"``, ``("student_t", nu)``, ``("measured", samples)``),
        one for every layer or one per layer; stored as a tuple of :class:`numerics.wide_networks.ParamLaw`
        per layer, each with its excess kurtosis (``.kurtosis``).
    parameterization : {"standard", "ntk"}, default "standard"
        ``"standard"`` (weights drawn with their variance) or ``"ntk"`` (unit weights,
        scaled in the forward pass); the same function at initialisation, different
        gradient-descent dynamics.

    Raises
    ------
    TypeError, ValueError
        If a field has the wrong type or is out of range (widths >= 1, positive weight
        variances, non-negative bias variances, one per weight layer).
    """

    in_dim: int
    hidden_widths: tuple[int, ...]
    activation: Any
    weight_variances: tuple[float, ...]
    bias_variances: tuple[float, ...]
    weight_law: Any = "gaussian"
    parameterization: str = "standard"
    bias_law: Any = "gaussian"

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_dim", v.integer(self.in_dim, "in_dim", minimum=1))
        hw = v.integers(self.hidden_widths, "hidden_widths", minimum=1)
        object.__setattr__(self, "hidden_widths", hw)
        act = self.activation
        if callable(act) and not isinstance(act, (str, tuple, list)):
            torch_activation(act)  # a user's elementwise torch callable (a network read by describe_network)
        else:
            act = activation_param(act, "activation")
        object.__setattr__(self, "activation", act)
        L = len(hw) + 1
        object.__setattr__(self, "weight_variances", _per_layer(self.weight_variances, L, "weight_variances", True))
        object.__setattr__(self, "bias_variances", _per_layer(self.bias_variances, L, "bias_variances", False))
        object.__setattr__(self, "weight_law", layer_laws(self.weight_law, L, "weight_law"))
        object.__setattr__(self, "bias_law", layer_laws(self.bias_law, L, "bias_law"))
        v.choice(self.parameterization, "parameterization", PARAMETERIZATIONS)
        if self.parameterization == "ntk" and not self.gaussian:
            raise ValueError("the 'ntk' parameterization is defined for Gaussian parameters only")

    @classmethod
    def single_input(cls, activation: Any, hidden_widths: Sequence[int], C_W: float, C_b: float = 0.0,
                     K1: float = 1.0) -> "MLP":
        r"""The one-input network of the 1/width theory.

        Input :math:`x = 1` in :math:`d = 1`, first-layer weight variance ``K1`` (so
        :math:`K^{(1)} = K_1`) and no first-layer bias; ``C_W``, ``C_b`` after it.

        Parameters
        ----------
        activation : str or tuple
            The activation (see :func:`activation_param`).
        hidden_widths : sequence of int
            :math:`n_1, \dots, n_{L-1}`.
        C_W : float
            Weight variance :math:`C_W` of the layers after the first.
        C_b : float, default 0.0
            Bias variance :math:`C_b` of the layers after the first.
        K1 : float, default 1.0
            The first layer's kernel :math:`K^{(1)}`, its weight variance.

        Returns
        -------
        MLP
            The network.
        """
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
        """The same network with other hidden widths (same depth unless the variances are per layer).

        Parameters
        ----------
        hidden_widths : sequence of int
            The new hidden widths; for another depth, the first layer keeps its variances and
            the others take those of the last layer.

        Returns
        -------
        MLP
            The network with the new widths.
        """
        hw = tuple(hidden_widths)
        if len(hw) != len(self.hidden_widths):
            cw = (self.weight_variances[0],) + (self.weight_variances[-1],) * len(hw)
            cb = (self.bias_variances[0],) + (self.bias_variances[-1],) * len(hw)
            wl = (self.weight_law[0],) + (self.weight_law[-1],) * len(hw)
            bl = (self.bias_law[0],) + (self.bias_law[-1],) * len(hw)
            return replace(self, hidden_widths=hw, weight_variances=cw, bias_variances=cb, weight_law=wl, bias_law=bl)
        return replace(self, hidden_widths=hw)

    @property
    def gaussian(self) -> bool:
        """Whether every weight and bias law is Gaussian."""
        return all(x.is_gaussian for x in self.weight_law + self.bias_law)

    @property
    def law_specs(self) -> tuple[list[Any], list[Any]]:
        """``(weight laws, bias laws)`` as lists of specs, the form both layers' functions take."""
        return [x.spec for x in self.weight_law], [x.spec for x in self.bias_law]

    def law_summary(self) -> list[dict[str, Any]]:
        """Per layer: the weight and bias laws with their variances (:math:`C_W/n_{l-1}`, :math:`C_b`) and kurtoses.

        Returns
        -------
        list of dict
            One row per weight layer.
        """
        dims = self.layer_sizes
        return [{"layer": l + 1, "weight_law": self.weight_law[l].label,
                 "weight_variance": self.weight_variances[l] / dims[l], "weight_kurtosis": self.weight_law[l].kurtosis,
                 "bias_law": self.bias_law[l].label, "bias_variance": self.bias_variances[l],
                 "bias_kurtosis": self.bias_law[l].kurtosis} for l in range(self.depth)]

    @property
    def kernel_args(self) -> tuple[Any, tuple[float, ...], tuple[float, ...]]:
        """``(activation, weight_variances, bias_variances)``: the arguments of the infinite-width kernels."""
        return self.activation, self.weight_variances, self.bias_variances


def _per_layer(value: Any, L: int, name: str, positive: bool) -> tuple[float, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value,) * L
    vals = v.reals(value, name, minimum=0.0, open_min=positive, length=L)
    return vals
