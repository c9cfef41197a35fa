r"""Reading a user's torch network: its architecture and the measured initialisation law of every layer.

:func:`describe_module` takes a factory (a zero-argument callable returning a freshly initialised
``torch.nn.Module`` at each call) and returns plain data (:class:`NetworkDescription`):

* the **architecture**, read from the module: an ``nn.Sequential`` (nested ones flattened) or any module
  whose ``torch.fx`` trace is a chain, built from ``nn.Linear`` layers and elementwise activations
  (``nn.Tanh``, ``nn.ReLU``, ``nn.LeakyReLU``, ``nn.GELU``, ``nn.SiLU``, ``nn.Sigmoid``, ``nn.Identity``,
  their ``torch`` / ``torch.nn.functional`` functions, or a user's parameter-free module or function that
  acts elementwise, checked by probing).  Linear, activation, Linear, ..., Linear, with one activation
  throughout and at least one hidden layer; a last layer of several outputs is described by its first
  output (every output unit has the same law).  Anything else (convolution, normalisation, attention,
  dropout, residual connections) is refused with an error naming the layer;
* the **parameter laws**, measured by calling the factory many times
  (:func:`numerics.wide_networks._param_stats.describe_entries`: moments with standard errors, the iid
  tests, the identified law).  Every call must return the same architecture and a new initialisation.

Factory calls run under ``torch.random.fork_rng`` seeded by ``seed``, so the description is reproducible
and the caller's random state is untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

from numerics import validate as v
from numerics.wide_networks._modules import Step, architecture_of
from numerics.wide_networks._param_stats import ParamDescription, describe_entries

__all__ = ["LayerDescription", "NetworkDescription", "describe_module"]


@dataclass(frozen=True)
class LayerDescription:
    """One ``nn.Linear`` layer of a described network.

    Parameters
    ----------
    path : str
        The layer's module path (``"0"``, ``"fc1"``).
    in_features, out_features : int
        Its sizes.
    weight : ParamDescription
        The measured law of its weight.
    bias : ParamDescription or None
        The measured law of its bias (``None``: the layer has no bias).
    """

    path: str
    in_features: int
    out_features: int
    weight: ParamDescription
    bias: ParamDescription | None


@dataclass(frozen=True)
class NetworkDescription:
    """A user's MLP as plain data (see :func:`describe_module`).

    Parameters
    ----------
    in_dim
        Input dimension :math:`d`.
    hidden_widths
        :math:`n_1, \\dots, n_{L-1}`.
    out_features
        Outputs of the last layer (the description and the checks use the first).
    activation
        The activation spec for :func:`numerics.activations.torch_activation`: a name, ``("leaky_relu", a)``
        or an elementwise torch callable.
    activation_name
        Its readable name.
    layers
        One :class:`LayerDescription` per ``nn.Linear``.
    modules
        Number of factory calls the laws were measured from.
    extra
        Free-form further information.
    """

    in_dim: int
    hidden_widths: tuple[int, ...]
    out_features: int
    activation: Any
    activation_name: str
    layers: tuple[LayerDescription, ...]
    modules: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def weight_variances(self) -> tuple[float, ...]:
        r""":math:`C_W^{(l)} = n_{l-1}\,\mathrm{Var}\,W^{(l)}` per layer."""
        return tuple(l.in_features * l.weight.variance for l in self.layers)

    @property
    def bias_variances(self) -> tuple[float, ...]:
        r""":math:`C_b^{(l)} = \mathrm{Var}\,b^{(l)}` per layer (0 without a bias)."""
        return tuple(0.0 if l.bias is None else l.bias.variance for l in self.layers)


def _call(factory: Callable[[], Any], i: int) -> torch.nn.Module:
    m = factory()
    if not isinstance(m, torch.nn.Module):
        raise TypeError(f"factory must return a torch.nn.Module; call {i + 1} returned {v.describe(m)}")
    return m


def _signature(steps: list[Step]) -> tuple[Any, ...]:
    return tuple((s.kind, s.path, s.in_features, s.out_features, s.bias, s.act_name) for s in steps)


def _needed(steps: list[Step], target: int) -> int:
    per = [s.in_features * s.out_features for s in steps if s.kind == "linear"]
    per += [s.out_features for s in steps if s.kind == "linear" and s.bias]
    return max(-(-target // p) for p in per)


def describe_module(factory: Callable[[], torch.nn.Module], *, seed: int = 0, target_entries: int = 2 ** 18,
                    min_modules: int = 32, max_modules: int = 2000, in_dim: int | None = None) -> NetworkDescription:
    """Describe a user's network: architecture and measured initialisation laws (module docstring).

    Parameters
    ----------
    factory
        Zero-argument callable returning a freshly initialised ``torch.nn.Module`` at every call.
    seed
        Seed of the factory calls (run under ``torch.random.fork_rng``).
    target_entries
        Entries wanted per parameter tensor; the factory is called until every tensor has them, at least
        ``min_modules`` and at most ``max_modules`` times.
    min_modules, max_modules
        Bounds on the number of factory calls (``min_modules >= 2``).
    in_dim
        If given, the input dimension the network must take (checked on the first call, before the laws
        are measured).

    Returns
    -------
    NetworkDescription

    Raises
    ------
    TypeError
        ``factory`` not callable, or a call returning something other than an ``nn.Module``; wrong argument types.
    ValueError
        An unsupported layer or graph (named), different activations, no hidden layer, calls returning
        different architectures or the same parameters, parameters that are not zero-mean iid.

    References
    ----------
    Roberts, Yaida & Hanin (2022), sec. 2.3 (iid initialisation); module docstring.
    """
    v.function(factory, "factory")
    seed = v.seed(seed)
    target_entries = v.integer(target_entries, "target_entries", minimum=1)
    min_modules = v.integer(min_modules, "min_modules", minimum=2)
    max_modules = v.integer(max_modules, "max_modules", minimum=min_modules)
    in_dim = None if in_dim is None else v.integer(in_dim, "in_dim", minimum=1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        first = _call(factory, 0)
        steps, act, act_name = architecture_of(first)
        sig = _signature(steps)
        linears = [s for s in steps if s.kind == "linear"]
        if in_dim is not None and linears[0].in_features != in_dim:
            raise ValueError(f"inputs have dimension {in_dim} but the network's first nn.Linear "
                             f"({linears[0].path!r}) takes {linears[0].in_features}")
        R = int(min(max_modules, max(min_modules, _needed(steps, target_entries))))
        # each tensor keeps only the draws it needs (at least 2 modules), so memory stays ~ target_entries per tensor
        want = {s.path: min(R, max(2, -(-target_entries // (s.in_features * s.out_features)))) for s in linears}
        wantb = {s.path: min(R, max(2, -(-target_entries // s.out_features))) for s in linears if s.bias}
        W: dict[str, list[np.ndarray]] = {s.path: [] for s in linears}
        B: dict[str, list[np.ndarray]] = {s.path: [] for s in linears if s.bias}
        prev = None
        for i in range(R):
            m = first if i == 0 else _call(factory, i)
            if i:
                s2, _, _ = architecture_of(m)
                if _signature(s2) != sig:
                    raise ValueError(f"factory: call {i + 1} returned a different architecture than call 1 "
                                     f"({[x[:5] for x in _signature(s2)]} vs {[x[:5] for x in sig]})")
            mods = dict(m.named_modules())
            for s in linears:
                lin = mods[s.path]
                if len(W[s.path]) < want[s.path]:
                    W[s.path].append(lin.weight.detach().cpu().double().numpy().copy())
                if s.bias and len(B[s.path]) < wantb[s.path]:
                    B[s.path].append(lin.bias.detach().cpu().double().numpy().copy())
            cur = mods[linears[0].path].weight.detach().cpu().numpy().copy()
            if prev is not None and np.array_equal(cur, prev):
                raise ValueError("factory: two calls returned the same parameters; it must initialise a new module "
                                 "at every call (return a fresh nn.Module, do not reuse one)")
            prev = cur
    layers = []
    for l, s in enumerate(linears):
        wd = describe_entries(np.stack(W[s.path]), f"layer {l + 1} ({s.path!r}) weight")
        bd = describe_entries(np.stack(B[s.path]), f"layer {l + 1} ({s.path!r}) bias") if s.bias else None
        layers.append(LayerDescription(s.path, s.in_features, s.out_features, wd, bd))
    return NetworkDescription(linears[0].in_features, tuple(s.out_features for s in linears[:-1]),
                              linears[-1].out_features, act, act_name, tuple(layers), R)
