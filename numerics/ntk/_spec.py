r"""An MLP architecture for batched training: :class:`MLPSpec`.

Architecture (the convention of :mod:`theory.wide_networks` and :mod:`theory.ntk`): hidden widths
:math:`n_1..n_{L-1}`, scalar output, per-layer :math:`C_W^{(l)}, C_b^{(l)}`.

* NTK parameterisation (default):
  :math:`z^{(1)} = \sqrt{C_W^{(1)}/d}\,W^{(1)}x + \sqrt{C_b^{(1)}}\,b^{(1)}`,
  :math:`z^{(l+1)} = \sqrt{C_W^{(l+1)}/n_l}\,W^{(l+1)}\sigma(z^{(l)}) + \sqrt{C_b^{(l+1)}}\,b^{(l+1)}`,
  trainable :math:`W, b \sim N(0, 1)` (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572).
* Standard parameterisation: :math:`W^{(l)} \sim N(0, C_W^{(l)}/n_{l-1})`, :math:`b \sim N(0, C_b^{(l)})`,
  trained directly with rate :math:`\eta/n_{l-1}` on :math:`W^{(l)}` and :math:`\eta` on biases
  (Sohl-Dickstein et al. 2020, arXiv:2001.07301), so both share one infinite-width NTK convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence, cast

import numpy as np
import torch

from numerics import validate as v
from numerics.activations import TorchActivation, torch_activation

__all__ = ["MLPSpec", "PARAMETERIZATIONS", "check_dtype", "check_device"]

PARAMETERIZATIONS = ("ntk", "standard")
_DTYPES = (torch.float32, torch.float64)


def check_dtype(dtype: Any, name: str = "dtype") -> torch.dtype:
    """Check that ``dtype`` is ``torch.float32`` or ``torch.float64``.

    Parameters
    ----------
    dtype : torch.dtype
        The value to check.
    name : str, default "dtype"
        The argument's name in error messages.

    Returns
    -------
    torch.dtype
        ``dtype`` itself.

    Raises
    ------
    TypeError
        ``dtype`` is not a ``torch.dtype``.
    ValueError
        ``dtype`` is another torch dtype.
    """
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"{name} must be torch.float32 or torch.float64; got {v.describe(dtype)}")
    if dtype not in _DTYPES:
        raise ValueError(f"{name} must be torch.float32 or torch.float64; got {dtype}")
    return dtype


def check_device(device: Any, name: str = "device") -> torch.device:
    """A torch device given as a string (``"cpu"``, ``"cuda:0"``) or a ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        The device name or the device.
    name : str, default "device"
        The argument's name in error messages.

    Returns
    -------
    torch.device
        The device.

    Raises
    ------
    TypeError
        ``device`` is neither a string nor a ``torch.device``.
    ValueError
        The string does not name a torch device.
    """
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"{name} must be a device name such as 'cpu' or a torch.device; got {v.describe(device)}")
    try:
        return torch.device(device)
    except RuntimeError:
        raise ValueError(f"{name} must be a device name such as 'cpu' or 'cuda:0'; got {device!r}") from None


def _per_layer(value: Any, L: int, name: str, positive: bool) -> tuple[float, ...]:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return (v.real(value, name, minimum=0.0, open_min=positive),) * L
    return v.reals(value, name, minimum=0.0, open_min=positive, length=L)


def _activation_spec(activation: Any) -> Any:
    """The normalised spec: a name, ``("leaky_relu", slope)`` as a tuple, or the callable itself."""
    if isinstance(activation, (tuple, list)):
        if len(activation) != 2 or activation[0] != "leaky_relu":
            raise ValueError(f"a tuple activation must be ('leaky_relu', slope); got {activation!r}")
        return ("leaky_relu", v.real(activation[1], "activation slope"))
    if isinstance(activation, TorchActivation):
        return activation.spec
    return activation


@dataclass(frozen=True)
class MLPSpec:
    r"""An MLP architecture: the numerics side of one network description shared with the theory.

    Parameters
    ----------
    in_dim : int
        Input dimension d (an integer >= 1).
    hidden_widths : sequence of int
        :math:`n_1, \dots, n_{L-1}` (integers >= 1, at least one); the output is scalar.
    activation : str, tuple or callable
        A name of :data:`numerics.activations.ACTIVATION_NAMES`, ``("leaky_relu", slope)`` or an
        elementwise torch callable (its derivative taken by autograd), resolved by
        :func:`numerics.activations.torch_activation`.
    weight_variances, bias_variances : float or sequence of float
        :math:`C_W^{(1..L)}` (> 0) and :math:`C_b^{(1..L)}` (>= 0); a number means the same for every
        layer.  Stored as per-layer tuples.
    parameterization : {"ntk", "standard"}
        ``"ntk"`` (default) or ``"standard"`` (see the module docstring).

    Raises
    ------
    TypeError, ValueError
        A bad field (named in the message).
    """

    in_dim: int
    hidden_widths: tuple[int, ...]
    activation: Any
    weight_variances: tuple[float, ...] | float = 1.0
    bias_variances: tuple[float, ...] | float = 0.0
    parameterization: str = "ntk"
    _act: TorchActivation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_dim", v.integer(self.in_dim, "in_dim", minimum=1))
        hw = v.integers(self.hidden_widths, "hidden_widths", minimum=1)
        object.__setattr__(self, "hidden_widths", hw)
        spec = _activation_spec(self.activation)
        object.__setattr__(self, "_act", torch_activation(spec))
        object.__setattr__(self, "activation", spec)
        v.choice(self.parameterization, "parameterization", PARAMETERIZATIONS)
        L = len(hw) + 1
        object.__setattr__(self, "weight_variances", _per_layer(self.weight_variances, L, "weight_variances", True))
        object.__setattr__(self, "bias_variances", _per_layer(self.bias_variances, L, "bias_variances", False))

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(d, n_1, ..., n_{L-1}, 1)``."""
        return (self.in_dim, *self.hidden_widths, 1)

    @property
    def n_params(self) -> int:
        """Number of trainable parameters of one member."""
        s = self.layer_sizes
        return sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 1))

    @property
    def torch_activation(self) -> TorchActivation:
        """The resolved activation (function and derivative)."""
        return self._act

    @property
    def layer_variances(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """``(C_W, C_b)``, one entry per weight layer."""
        return cast(tuple[float, ...], self.weight_variances), cast(tuple[float, ...], self.bias_variances)

    def scales(self) -> list[tuple[float, float]]:
        r"""Forward multipliers :math:`(c_l, s_l)` of :math:`z^{(l)} = c_l W^{(l)} h^{(l-1)} + s_l b^{(l)}`.

        :math:`(\sqrt{C_W^{(l)}/n_{l-1}}, \sqrt{C_b^{(l)}})` in the NTK parameterisation (Jacot et al. 2018,
        eq. 1), :math:`(1, 1)` in the standard one.

        Returns
        -------
        list of tuple of float
            ``(c_l, s_l)`` for each weight layer ``l = 1..L``.
        """
        s = self.layer_sizes
        if self.parameterization == "ntk":
            cw, cb = self.layer_variances
            return [(math.sqrt(cw[i] / s[i]), math.sqrt(cb[i])) for i in range(len(s) - 1)]
        return [(1.0, 1.0)] * (len(s) - 1)

    def rate_factors(self) -> list[tuple[float, float]]:
        r"""Per-layer learning-rate factors :math:`(\eta_W/\eta, \eta_b/\eta)`.

        1 in the NTK parameterisation, :math:`(1/n_{l-1}, 1)` in the standard one (Sohl-Dickstein et al.
        2020, arXiv:2001.07301, sec. 2), which gives both the same infinite-width NTK.

        Returns
        -------
        list of tuple of float
            :math:`(\eta_W/\eta, \eta_b/\eta)` for each weight layer ``l = 1..L``.
        """
        s = self.layer_sizes
        if self.parameterization == "ntk":
            return [(1.0, 1.0)] * (len(s) - 1)
        return [(1.0 / s[i], 1.0) for i in range(len(s) - 1)]

    def init(self, members: int, *, seed: int, device: str | torch.device = "cpu",
             dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
        r"""Fresh parameters ``[W1, b1, ..., WL, bL]`` with shapes ``(E, n_out, n_in)`` and ``(E, n_out)``.

        Standard normal draws from a torch CPU generator seeded with ``seed``; in the standard
        parameterisation scaled to :math:`\operatorname{Var} W^{(l)} = C_W^{(l)}/n_{l-1}`,
        :math:`\operatorname{Var} b^{(l)} = C_b^{(l)}`.

        Parameters
        ----------
        members : int
            Ensemble size ``E`` (>= 1).
        seed : int
            Seed of the torch CPU generator.
        device : str or torch.device, default "cpu"
            Where the parameters are placed (drawn on the CPU, then moved).
        dtype : torch.dtype, default torch.float32
            ``torch.float32`` or ``torch.float64``.

        Returns
        -------
        list of torch.Tensor
            ``2 L`` tensors ``[W1, b1, ..., WL, bL]``, weights of shape ``(E, n_out, n_in)`` and biases
            of shape ``(E, n_out)``.

        Raises
        ------
        TypeError, ValueError
            ``members`` not an integer >= 1, a bad seed or dtype.
        """
        members = v.integer(members, "members", minimum=1)
        seed = v.seed(seed)
        dtype = check_dtype(dtype)
        device = check_device(device)
        g = torch.Generator(device="cpu").manual_seed(seed)
        s, out = self.layer_sizes, []
        for i in range(len(s) - 1):
            W = torch.randn(members, s[i + 1], s[i], generator=g, dtype=dtype)
            b = torch.randn(members, s[i + 1], generator=g, dtype=dtype)
            if self.parameterization == "standard":
                W, b = W * math.sqrt(self.weight_variances[i] / s[i]), b * math.sqrt(self.bias_variances[i])
            out += [W.to(device), b.to(device)]
        return out

    def apply(self, params: Sequence[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
        r"""Outputs of every member: ``X`` of shape ``(N, d)`` or ``(E, N, d)`` -> ``(E, N)``.

        Plain torch operations (differentiable by autograd), the forward pass of the module docstring.

        Parameters
        ----------
        params : sequence of torch.Tensor
            ``2 L`` tensors ``[W1, b1, ..., WL, bL]`` as returned by :meth:`init`.
        X : torch.Tensor
            Inputs of shape ``(N, d)`` (shared by every member) or ``(E, N, d)`` (one set per member).

        Returns
        -------
        torch.Tensor
            The scalar outputs, shape ``(E, N)``.

        Raises
        ------
        TypeError, ValueError
            ``params`` not ``2 L`` tensors, ``X`` not a tensor of the right shape.
        """
        L = len(self.layer_sizes) - 1
        if not isinstance(params, (list, tuple)) or len(params) != 2 * L or \
                not all(isinstance(p, torch.Tensor) for p in params):
            raise TypeError(f"params must be a list of {2 * L} tensors (spec.init); got {v.describe(params)}")
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"X must be a torch tensor; got {v.describe(X)}")
        if X.ndim not in (2, 3) or X.shape[-1] != self.in_dim:
            raise ValueError(f"X must have shape (N, {self.in_dim}) or (E, N, {self.in_dim}); got {tuple(X.shape)}")
        act = self._act.fn
        h = X
        for i, (c, sb) in enumerate(self.scales()):
            W, b = params[2 * i], params[2 * i + 1]
            z = c * (h @ W.transpose(-1, -2)) + sb * b.unsqueeze(-2)
            h = act(z) if i < L - 1 else z
        return h.squeeze(-1)
