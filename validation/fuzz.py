"""The property-based invariant suite behind ``theorycheck fuzz``.

Invariants are hypothesis properties (functions decorated with ``@given``)
registered with :func:`invariant` in the per-area modules ``validation/invariants/_<area>.py``.
They run from the installed package (``theorycheck fuzz``) and from the tests
(``tests/validation/test_invariants.py``), with the example budget set by the caller.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
import time
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import HealthCheck, settings

__all__ = ["invariant", "all_invariants", "run_invariant", "InvariantOutcome"]

_INVARIANTS: dict[str, Callable[..., Any]] = {}


def invariant(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a hypothesis property under ``name`` (``"<area>.<what>"``).

    Parameters
    ----------
    name : str
        The invariant's dotted name, starting with its area.

    Returns
    -------
    callable
        A decorator that registers a ``@given``-decorated function and returns it unchanged;
        it raises ``TypeError`` for a function without ``@given`` and ``ValueError`` for a
        name registered twice.

    Raises
    ------
    ValueError
        If ``name`` is not a string of the form ``"area.what"``.
    """
    if not isinstance(name, str) or "." not in name:
        raise ValueError(f"invariant name must look like 'area.what', got {name!r}")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not hasattr(fn, "hypothesis"):
            raise TypeError(f"invariant {name!r} must be decorated with hypothesis.given")
        if name in _INVARIANTS and _INVARIANTS[name] is not fn:
            raise ValueError(f"invariant {name!r} registered twice")
        _INVARIANTS[name] = fn
        return fn

    return deco


def _discover() -> None:
    import validation.invariants as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):  # one private module per area: _<area>.py
        importlib.import_module(f"validation.invariants.{mod.name}")


def all_invariants(patterns: list[str] | None = None) -> dict[str, Callable[..., Any]]:
    """Registered invariants (optionally those matching shell globs / areas), sorted by name.

    Parameters
    ----------
    patterns : list of str, optional
        Shell globs over the names, or area names; ``None`` or empty for all.

    Returns
    -------
    dict of str to callable
        The invariants by name, sorted.

    Raises
    ------
    ValueError
        If a pattern matches no invariant.
    """
    _discover()
    names = sorted(_INVARIANTS)
    if patterns:
        keep = [n for n in names if any(fnmatch.fnmatchcase(n, p) or n.split(".")[0] == p for p in patterns)]
        missing = [p for p in patterns if not any(fnmatch.fnmatchcase(n, p) or n.split(".")[0] == p for n in names)]
        if missing:
            raise ValueError(f"unknown invariant pattern(s) {missing}; known: {names}")
        names = keep
    return {n: _INVARIANTS[n] for n in names}


@dataclass(frozen=True)
class InvariantOutcome:
    """The outcome of one invariant run.

    Parameters
    ----------
    name : str
        The invariant's name.
    passed : bool
        Whether every example held.
    seconds : float
        Wall time of the run.
    error : str, optional
        ``"ExceptionType: message"`` of the failure (hypothesis's falsifying example included).
    """

    name: str
    passed: bool
    seconds: float
    error: str | None = None


def run_invariant(name: str, fn: Callable[..., Any], *, max_examples: int = 100, seed: int | None = None) -> InvariantOutcome:
    """Run one invariant with ``max_examples`` examples; failures are returned, not raised.

    Parameters
    ----------
    name : str
        The invariant's name (recorded in the outcome).
    fn : callable
        The ``@given``-decorated property.
    max_examples : int, default 100
        The number of examples hypothesis tries, at least 1.
    seed : int, optional
        Seed of hypothesis's example generation; ``None`` for a random one.

    Returns
    -------
    InvariantOutcome
        Whether it held, the time taken and the failure.

    Raises
    ------
    ValueError
        If ``max_examples < 1``.
    """
    if max_examples < 1:
        raise ValueError(f"max_examples must be >= 1, got {max_examples}")
    from hypothesis import seed as hseed

    wrapped = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )(fn)
    if seed is not None:
        wrapped = hseed(seed)(wrapped)
    t0 = time.perf_counter()
    try:
        wrapped()
    except Exception as exc:  # noqa: BLE001 - the outcome records it
        return InvariantOutcome(name, False, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
    return InvariantOutcome(name, True, time.perf_counter() - t0)
