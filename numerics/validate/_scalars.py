"""Validation of single values (private; see the package docstring)."""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Iterable

import numpy as np

__all__ = ["describe", "integer", "real", "boolean", "seed", "choice", "scalar", "function", "_is_string"]


def describe(value: Any) -> str:
    """``repr(value)`` (shortened) with its type, for error messages.

    Parameters
    ----------
    value : object
        The value to describe.

    Returns
    -------
    str
        ``"REPR (TYPE)"``, the repr cut to 60 characters.
    """
    r = repr(value)
    if len(r) > 60:
        r = r[:57] + "..."
    return f"{r} ({type(value).__name__})"


def _is_string(value: Any) -> bool:
    return isinstance(value, (str, bytes, bytearray))


def _is_sympy(value: Any) -> bool:
    # applied undefined functions (sympy.Function("f")(x)) are classes made at run time whose
    # __module__ is None, so the whole method resolution order is looked at
    return any((getattr(k, "__module__", None) or "").split(".", 1)[0] == "sympy" for k in type(value).__mro__)


def _range_text(minimum: Any, maximum: Any, open_min: bool, open_max: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if open_min else '>='} {minimum}")
    if maximum is not None:
        parts.append(f"{'<' if open_max else '<='} {maximum}")
    return " and ".join(parts)


def _check_range(value: Any, name: str, minimum: Any, maximum: Any, open_min: bool, open_max: bool, what: str) -> None:
    low = minimum is not None and (value <= minimum if open_min else value < minimum)
    high = maximum is not None and (value >= maximum if open_max else value > maximum)
    if low or high:
        raise ValueError(f"{name} must be {what} {_range_text(minimum, maximum, open_min, open_max)}; got {value!r}")


def integer(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (Python ``int`` or a numpy integer; not a bool, not a float such as ``2.0``).

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, used in the error message.
    minimum, maximum : int, optional
        Inclusive bounds (``None``: unbounded).

    Returns
    -------
    int
        The value as a Python ``int`` (a sympy integer is accepted too).

    Raises
    ------
    TypeError
        ``value`` is not an integer.
    ValueError
        ``value`` is out of range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if _is_sympy(value) and getattr(value, "is_Integer", False):
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer; got {describe(value)}")
    v = int(value)
    _check_range(v, name, minimum, maximum, False, False, "an integer")
    return v


def real(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    open_min: bool = False,
    open_max: bool = False,
    finite: bool = True,
) -> float:
    """A real number (int, float, Fraction, numpy or sympy number; not a bool, a string or a complex).

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, used in the error messages.
    minimum, maximum : float, optional
        Bounds; inclusive unless ``open_min`` / ``open_max``.
    open_min, open_max : bool, default False
        Make the lower / upper bound exclusive.
    finite : bool, default True
        Reject NaN and infinities (default).  NaN is always rejected.

    Returns
    -------
    float
        The value as a Python ``float``.

    Raises
    ------
    TypeError
        ``value`` is not a real number.
    ValueError
        ``value`` is NaN, infinite (with ``finite``) or out of range.
    """
    if isinstance(value, (bool, np.bool_)) or _is_string(value):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    if isinstance(value, (numbers.Real, np.integer, np.floating, Fraction)):
        v = float(value)
    elif _is_sympy(value) and getattr(value, "is_number", False) and getattr(value, "is_real", False):
        v = float(value)
    else:
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{name} must be a finite real number; got {value!r}")
    _check_range(v, name, minimum, maximum, open_min, open_max, "a real number")
    return v


def boolean(value: Any, name: str) -> bool:
    """``True`` or ``False`` (a Python or numpy bool; not ``0``/``1``, not a string).

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, used in the error messages.

    Returns
    -------
    bool
        The value as a Python ``bool``.

    Raises
    ------
    TypeError
        ``value`` is not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def seed(value: Any, name: str = "seed") -> int:
    """A reproducible seed: a non-negative integer below ``2**63``.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str, default "seed"
        The argument's name, used in the error messages.

    Returns
    -------
    int
        The seed.

    Raises
    ------
    TypeError
        ``value`` is not an integer.
    ValueError
        ``value`` is negative or not below ``2**63``.
    """
    return integer(value, name, minimum=0, maximum=2**63 - 1)


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options`` (compared with ``==``; strings must match exactly).

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, used in the error messages.
    options : iterable
        The accepted values; a match must also have the option's type.

    Returns
    -------
    object
        The matching option.

    Raises
    ------
    TypeError
        The options are strings and ``value`` is not.
    ValueError
        ``value`` is not among the options.
    """
    opts = list(options)
    if _is_string(value) or all(not _is_string(o) for o in opts):
        for o in opts:
            if type(o) is type(value) and o == value:
                return o
    if all(_is_string(o) for o in opts) and not _is_string(value):
        raise TypeError(f"{name} must be one of {opts}; got {describe(value)}")
    raise ValueError(f"{name} must be one of {opts}; got {value!r}")


def scalar(value: Any, name: str) -> Any:
    """A number for exact or symbolic work: an int, float, Fraction, numpy number or sympy object.

    Strings are rejected with ``TypeError`` (they are never handed to a parser such as
    ``sympy.sympify``), as are bools and ``None``.  The value is returned unchanged.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, used in the error messages.

    Returns
    -------
    object
        ``value`` itself.

    Raises
    ------
    TypeError
        ``value`` is not a number or a sympy object.
    """
    if value is None or _is_string(value) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number or a sympy expression; got {describe(value)}")
    if isinstance(value, (numbers.Number, np.number, Fraction)) or _is_sympy(value):
        return value
    raise TypeError(f"{name} must be a number or a sympy expression; got {describe(value)}")


def function(value: Any, name: str) -> Any:
    """A callable.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, used in the error messages.

    Returns
    -------
    callable
        ``value`` itself.

    Raises
    ------
    TypeError
        ``value`` is not callable.
    """
    if not callable(value):
        raise TypeError(f"{name} must be callable; got {describe(value)}")
    return value
