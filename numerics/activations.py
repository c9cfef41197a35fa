r"""The activation table of the numerics layer: torch functions and their derivatives.

One table serves every network in ``numerics`` (ensembles at initialisation, batched
training, empirical NTKs).  An activation is given as

* a name in :data:`ACTIVATION_NAMES` (``"linear"``, ``"relu"``, ``"erf"``, ``"tanh"``,
  ``"gelu"``, ``"silu"``, ``"sigmoid"``, ``"step"`` :math:`1[z>0]`, ``"sign"``, ``"abs"``);
* ``("leaky_relu", a)`` for :math:`\sigma(z) = z\,1[z>0] + a z\,1[z\le 0]` with a finite slope ``a``;
* an elementwise torch callable (its derivative is taken by autograd).

The derivative of ``step`` and ``sign`` is the almost-everywhere derivative, 0 (what autograd
gives a real network); the infinite-width theory's derivative of a jump is a Dirac delta, so a
finite network's empirical NTK of such an activation does not approach the theory's.

The theory layer keeps the same names in its own table
(:data:`theory.wide_networks.ACTIVATION_NAMES`); a test keeps the two identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from numerics import validate as v

__all__ = ["ACTIVATION_NAMES", "TorchActivation", "torch_activation"]

ACTIVATION_NAMES = ("linear", "relu", "erf", "tanh", "gelu", "silu", "sigmoid", "step", "sign", "abs", "leaky_relu")

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

Fn = Callable[[torch.Tensor], torch.Tensor]
DFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class TorchActivation:
    r"""A resolved activation.

    The constructor's parameters are kept as the attributes of the same names.

    Parameters
    ----------
    name : str
        Canonical name (``"tanh"``, ``"leaky_relu(0.2)"``, or the callable's name).
    fn : callable
        :math:`\sigma`, elementwise.
    dfn : callable or None
        :math:`\sigma'(z)` given ``(z, h = sigma(z))``; ``None`` for the identity.
    spec : object
        The spec it was resolved from (a name, ``("leaky_relu", a)`` or the callable).
    """

    name: str
    fn: Fn
    dfn: DFn | None
    spec: Any


def _d_gelu(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1.0 + torch.erf(z * (1.0 / math.sqrt(2.0)))) + z * _INV_SQRT_2PI * torch.exp(-0.5 * z * z)


def _d_silu(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


_TABLE: dict[str, tuple[Fn, DFn | None]] = {
    "linear": (lambda z: z, None),
    "relu": (torch.relu, lambda z, h: (z > 0).to(z.dtype)),
    "erf": (torch.erf, lambda z, h: _TWO_OVER_SQRT_PI * torch.exp(-z * z)),
    "tanh": (torch.tanh, lambda z, h: 1.0 - h * h),
    "gelu": (torch.nn.functional.gelu, _d_gelu),
    "silu": (torch.nn.functional.silu, _d_silu),
    "sigmoid": (torch.sigmoid, lambda z, h: h * (1.0 - h)),
    "step": (lambda z: (z > 0).to(z.dtype), lambda z, h: torch.zeros_like(z)),
    "sign": (torch.sign, lambda z, h: torch.zeros_like(z)),
    "abs": (torch.abs, lambda z, h: torch.sign(z)),
}


def _autograd_derivative(fn: Fn) -> DFn:
    def dfn(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            x = z.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(fn(x).sum(), x)
        return g

    return dfn


def torch_activation(activation: Any) -> TorchActivation:
    """Resolve an activation spec (see the module docstring).

    Parameters
    ----------
    activation : str, tuple, callable or TorchActivation
        A name in :data:`ACTIVATION_NAMES`, ``("leaky_relu", a)``, an elementwise torch
        callable, or an already resolved activation (returned as is).

    Returns
    -------
    TorchActivation
        The function, its derivative and its canonical name.

    Raises
    ------
    ValueError
        An unknown name, ``"leaky_relu"`` without a slope, a non-finite slope.
    TypeError
        Any other kind of spec.
    """
    if isinstance(activation, TorchActivation):
        return activation
    if isinstance(activation, str):
        if activation == "leaky_relu":
            raise ValueError("activation 'leaky_relu' needs a slope: pass ('leaky_relu', slope)")
        if activation not in _TABLE:
            raise ValueError(f"unknown activation {activation!r}; accepted: {ACTIVATION_NAMES[:-1]}, "
                             "('leaky_relu', slope) or an elementwise callable")
        fn, dfn = _TABLE[activation]
        return TorchActivation(activation, fn, dfn, activation)
    if isinstance(activation, (tuple, list)):
        if len(activation) != 2 or activation[0] != "leaky_relu":
            raise ValueError(f"a tuple activation must be ('leaky_relu', slope); got {activation!r}")
        a = v.real(activation[1], "leaky_relu slope")

        def leaky(z: torch.Tensor) -> torch.Tensor:
            return torch.where(z > 0, z, a * z)

        def dleaky(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
            return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, a))

        return TorchActivation(f"leaky_relu({a:g})", leaky, dleaky, ("leaky_relu", a))
    if callable(activation):
        return TorchActivation(getattr(activation, "__name__", "custom"), activation, _autograd_derivative(activation),
                               activation)
    raise TypeError(f"activation must be a name, ('leaky_relu', slope) or a callable; got {v.describe(activation)}")
