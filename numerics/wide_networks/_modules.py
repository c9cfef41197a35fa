"""The architecture of a user's module: a chain of ``nn.Linear`` layers and elementwise activations.

``nn.Sequential`` children are read directly (nested ones flattened); any other module is traced with
``torch.fx`` and its graph must be a chain (each operation consumes the previous one's output only).
A parameter-free module or function that is not in the table of known activations is accepted when it
acts elementwise: it is probed on a random matrix (the same values in any arrangement, each output
depending on its own entry only).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F

__all__ = ["Step", "architecture_of", "SUPPORTED", "elementwise"]

SUPPORTED = ("nn.Linear layers and elementwise activations (nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.GELU, nn.SiLU, "
             "nn.Sigmoid, nn.Identity, their torch / torch.nn.functional functions, or a parameter-free module or "
             "function acting elementwise)")

_MODULES = {torch.nn.Tanh: "tanh", torch.nn.ReLU: "relu", torch.nn.SiLU: "silu", torch.nn.Sigmoid: "sigmoid"}
_FUNCTIONS: dict[Any, str] = {torch.tanh: "tanh", F.tanh: "tanh", torch.relu: "relu", F.relu: "relu",
                              torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid", F.silu: "silu"}
_METHODS = {"tanh": "tanh", "relu": "relu", "sigmoid": "sigmoid"}
_KIND = {"conv": "a convolution", "norm": "a normalisation layer", "dropout": "dropout", "attention": "attention",
         "rnn": "a recurrent layer", "embedding": "an embedding", "pool": "pooling"}


@dataclass(frozen=True)
class Step:
    """One step of the chain: ``kind`` ``"linear"`` (sizes, bias) or ``"act"`` (``act`` spec and name)."""

    kind: str
    path: str
    in_features: int = 0
    out_features: int = 0
    bias: bool = False
    act: Any = None
    act_name: str = ""


def elementwise(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """Whether ``fn`` maps a tensor to one of its shape entry by entry (probed on random matrices)."""
    g = torch.Generator().manual_seed(20240601)
    for dtype in (torch.float64, torch.float32):
        x = 2.0 * torch.randn(6, 9, generator=g).to(dtype)
        try:
            with torch.no_grad():
                y = fn(x.clone())
                col = fn(x.reshape(-1, 1).clone())
                perm = torch.randperm(9, generator=g)
                yp = fn(x[:, perm].clone())
                x2 = x.clone()
                x2[2, 3] += 1.0
                y2 = fn(x2)
        except Exception:  # noqa: BLE001 - a function that fails on a plain tensor is not an activation
            continue
        if not all(isinstance(t, torch.Tensor) for t in (y, col, yp, y2)) or y.shape != x.shape:
            return False
        tol = dict(rtol=1e-5, atol=1e-6)
        changed = (y2 != y)
        changed[2, 3] = False
        return (torch.allclose(col.reshape(6, 9).to(y.dtype), y, **tol) and torch.allclose(yp, y[:, perm], **tol)
                and not bool(changed.any()))
    return False


def _unsupported(m: torch.nn.Module, path: str) -> ValueError:
    cls = type(m).__name__
    low = cls.lower()
    what = next((w for k, w in _KIND.items() if k in low), "a layer with parameters" if any(True for _ in m.parameters())
                else "not an elementwise activation")
    return ValueError(f"layer {path!r} ({cls}) is not supported ({what}): the network check supports {SUPPORTED}")


def _module_step(m: torch.nn.Module, path: str) -> Step | None:
    if isinstance(m, torch.nn.Linear):
        return Step("linear", path, m.in_features, m.out_features, m.bias is not None)
    if isinstance(m, torch.nn.Identity):
        return None
    if isinstance(m, torch.nn.LeakyReLU):
        a = float(m.negative_slope)
        return Step("act", path, act=("leaky_relu", a), act_name=f"leaky_relu({a:g})")
    if isinstance(m, torch.nn.GELU):
        if m.approximate == "none":
            return Step("act", path, act="gelu", act_name="gelu")

        def gelu_tanh(z: torch.Tensor) -> torch.Tensor:
            return F.gelu(z, approximate="tanh")

        return Step("act", path, act=gelu_tanh, act_name="gelu_tanh")
    if type(m) in _MODULES:
        return Step("act", path, act=_MODULES[type(m)], act_name=_MODULES[type(m)])
    if any(True for _ in m.parameters()) or any(True for _ in m.buffers()) or any(True for _ in m.children()) \
            or not elementwise(m):
        raise _unsupported(m, path)
    return Step("act", path, act=m, act_name=type(m).__name__)


def _function_step(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], path: str) -> Step:
    kwargs = {k: x for k, x in kwargs.items() if not (k == "inplace" and x is False)}
    if fn in _FUNCTIONS and not kwargs and len(args) == 1:
        return Step("act", path, act=_FUNCTIONS[fn], act_name=_FUNCTIONS[fn])
    if fn is F.leaky_relu:
        a = float(kwargs.get("negative_slope", args[1] if len(args) > 1 else 0.01))
        return Step("act", path, act=("leaky_relu", a), act_name=f"leaky_relu({a:g})")
    if fn is F.gelu and kwargs.get("approximate", "none") == "none" and len(args) == 1:
        return Step("act", path, act="gelu", act_name="gelu")
    rest, kw = args[1:], dict(kwargs)

    def wrapped(z: torch.Tensor) -> torch.Tensor:
        return fn(z, *rest, **kw)

    name = getattr(fn, "__name__", repr(fn))
    wrapped.__name__ = name
    if not elementwise(wrapped):
        raise ValueError(f"operation {path!r} ({name}) is not supported (not elementwise): the network check "
                         f"supports {SUPPORTED}")
    return Step("act", path, act=wrapped, act_name=name)


def _flatten(module: torch.nn.Module, prefix: str = "") -> list[Step]:
    steps: list[Step] = []
    for name, child in module.named_children():
        path = f"{prefix}{name}"
        if isinstance(child, torch.nn.Sequential):
            steps += _flatten(child, path + ".")
            continue
        s = _module_step(child, path)
        if s is not None:
            steps.append(s)
    return steps


def _traced(module: torch.nn.Module) -> list[Step]:
    try:
        gm = torch.fx.symbolic_trace(module)
    except Exception as exc:  # noqa: BLE001 - reported with the reason
        raise ValueError(f"cannot read the architecture of {type(module).__name__}: it is not an nn.Sequential and "
                         f"torch.fx cannot trace its forward ({type(exc).__name__}: {exc}); the network check "
                         f"supports {SUPPORTED}") from None
    steps: list[Step] = []
    prev = None
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            if prev is not None:
                raise ValueError(f"{type(module).__name__}: a forward with several inputs is not supported")
            prev = node
            continue
        if node.op == "output":
            break
        inputs = [a for a in node.all_input_nodes]
        if len(inputs) != 1 or inputs[0] is not prev:
            op = node.target if node.op != "call_function" else getattr(node.target, "__name__", node.target)
            kind = "a residual connection" if node.target in (operator.add, torch.add) else "a non-chain operation"
            raise ValueError(f"operation {node.name!r} ({op}) of {type(module).__name__} is {kind} (it combines "
                             f"{[n.name for n in inputs]}): the network check supports a chain of {SUPPORTED}")
        if node.op == "call_module":
            s = _module_step(gm.get_submodule(node.target), str(node.target))
        elif node.op == "call_function":
            s = _function_step(node.target, tuple(node.args), dict(node.kwargs), node.name)
        elif node.op == "call_method" and node.target in _METHODS and len(node.args) == 1 and not node.kwargs:
            s = Step("act", node.name, act=_METHODS[node.target], act_name=_METHODS[node.target])
        else:
            raise ValueError(f"operation {node.name!r} ({node.op} {node.target}) is not supported: the network check "
                             f"supports {SUPPORTED}")
        if s is not None:
            steps.append(s)
        prev = node
    return steps


def architecture_of(module: torch.nn.Module) -> tuple[list[Step], Any, str]:
    """The chain of a module and its one activation: ``(steps, activation spec, activation name)``.

    Raises
    ------
    ValueError
        An unsupported layer or operation (named), two activations in a row, an activation before the first
        or after the last ``nn.Linear``, different activations, sizes that do not chain, no hidden layer.
    """
    if isinstance(module, torch.nn.Linear):
        steps = [_module_step(module, "")]
    elif isinstance(module, torch.nn.Sequential):
        steps = _flatten(module)
    else:
        steps = _traced(module)
    steps = [s for s in steps if s is not None]
    lin = [i for i, s in enumerate(steps) if s.kind == "linear"]
    if len(lin) < 2:
        raise ValueError(f"{type(module).__name__}: the network needs at least two nn.Linear layers (one hidden "
                         f"layer); found {len(lin)}")
    if lin[0] != 0:
        raise ValueError(f"an activation ({steps[0].path!r}) before the first nn.Linear is not supported")
    if lin[-1] != len(steps) - 1:
        raise ValueError(f"an activation ({steps[-1].path!r}) after the last nn.Linear is not supported: the theory "
                         "describes the last layer's output (its preactivation)")
    acts = []
    for a, b in zip(lin[:-1], lin[1:]):
        gap = steps[a + 1:b]
        if len(gap) > 1:
            raise ValueError(f"two activations in a row ({', '.join(repr(s.path) for s in gap)}): compose them into "
                             "one elementwise module")
        acts.append(gap[0] if gap else Step("act", f"between {steps[a].path!r} and {steps[b].path!r}", act="linear",
                                            act_name="linear"))
        if steps[b].in_features != steps[a].out_features:
            raise ValueError(f"layer {steps[b].path!r} takes {steps[b].in_features} inputs but {steps[a].path!r} "
                             f"gives {steps[a].out_features}")
    names = {s.act_name for s in acts}
    if len(names) > 1:
        raise ValueError(f"different activations in one network ({sorted(names)}): the theory needs one activation "
                         "for every layer")
    return [steps[i] for i in lin] + acts, acts[0].act, acts[0].act_name
