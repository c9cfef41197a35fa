"""Argument fuzzing for public entry points: wrong types and out-of-range values must raise.

Each area's ``tests/<layer>/test_<area>_arguments.py`` defines ``CASES``: a mapping from a
public name (``"numerics.wide_networks.mlp_ensemble_outputs"``) to one valid call,
``Call(args, kwargs)``, optionally with ``skip`` (argument names not to mutate, with the
reason in a comment) and ``extra`` (more bad values per argument).  :func:`fuzz_call` replaces
one argument at a time by values of the wrong type (a float where an integer is given, a bool,
a string, ``None``) or out of range (NaN, a negative count) and asserts that the call raises
``TypeError`` or ``ValueError`` -- never a silent coercion.

``tests/test_arguments_coverage.py`` checks that every name in the ``__all__`` of every
``theory`` and ``numerics`` package appears in some ``CASES`` or in its ``EXEMPT`` (with a reason).
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

__all__ = ["Call", "resolve", "bad_values", "fuzz_call"]


@dataclass
class Call:
    """One valid call of an entry point."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    skip: tuple[str, ...] = ()
    extra: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def resolve(qualname: str) -> Callable[..., Any]:
    """The object called ``package.name`` (``"theory.edgeworth.Edgeworth.pdf"`` is allowed)."""
    parts = qualname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(qualname)


def bad_values(good: Any) -> Iterator[Any]:
    """Values of the wrong type or out of range for an argument whose valid value is ``good``."""
    if isinstance(good, (bool, np.bool_)):
        yield from (1, "True", None)
    elif isinstance(good, (int, np.integer)):
        yield from (float(good) + 0.5, float(good), True, str(good), None)
    elif isinstance(good, (float, np.floating)):
        yield from (str(good), True, None, math.nan)
    elif isinstance(good, str):
        yield from (3, None, "no_such_option_xyz")
    elif isinstance(good, np.ndarray):
        yield from ("[1, 2]", None, np.full(good.shape, np.nan) if good.dtype.kind in "fc" and good.size else True)
    elif isinstance(good, (list, tuple)):
        yield from ("abc", None)
        if good and isinstance(good[0], (int, np.integer)) and not isinstance(good[0], bool):
            yield type(good)([float(good[0]) + 0.5, *good[1:]])
    elif callable(good):
        yield from ("abc", 3)


def fuzz_call(fn: Callable[..., Any], call: Call) -> list[str]:
    """Mutate each argument of ``call`` in turn; return the mutations that did NOT raise."""
    try:
        sig = inspect.signature(fn)
        bound = sig.bind(*call.args, **call.kwargs)
    except (TypeError, ValueError):
        sig, bound = None, None
    slots: list[tuple[str, Any]] = []
    if bound is not None:
        slots = [(k, v) for k, v in bound.arguments.items() if k not in call.skip]
    silent: list[str] = []
    for name, good in slots:
        param = sig.parameters[name] if sig is not None else None
        default_none = param is not None and param.default is None
        for bad in (*bad_values(good), *call.extra.get(name, ())):
            if bad is None and default_none:
                continue
            args = dict(bound.arguments)
            args[name] = bad
            pos = [args[p.name] for p in sig.parameters.values()
                   if p.kind in (p.POSITIONAL_ONLY,) and p.name in args]
            kw = {k: v for k, v in args.items() if sig.parameters[k].kind not in (inspect.Parameter.POSITIONAL_ONLY,)}
            var = [k for k, p in sig.parameters.items() if p.kind == p.VAR_POSITIONAL]
            if var:
                pos = list(call.args)
                kw = dict(call.kwargs)
                if name in kw:
                    kw[name] = bad
                else:
                    continue
            try:
                fn(*pos, **kw)
            except (TypeError, ValueError):
                continue
            except Exception as exc:  # noqa: BLE001 - another exception is also a failure of validation
                silent.append(f"{name}={bad!r}: raised {type(exc).__name__}: {exc}")
                continue
            silent.append(f"{name}={bad!r}: accepted")
    return silent
