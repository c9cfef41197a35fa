"""Argument validation: one helper for the whole layer.

Every public entry point checks its arguments through these functions, so bad
input fails the same way everywhere:

* ``TypeError`` for a value of the wrong type: a float ``2.0`` where an integer is
  required, a bool where a number is required, a string where a number or an
  array is required (strings are never evaluated);
* ``ValueError`` for a value of the right type out of its range (a width of 0, a
  negative variance, NaN data).

The message names the argument, what was given and what is accepted.  Nothing is
silently truncated, rounded or coerced: ``2.5`` is not a seed and ``2.0`` is not a
width.

``theory/validate.py`` and ``numerics/validate.py`` are the same code (the two
layers may not import each other); a test keeps them identical.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = [
    "integer",
    "real",
    "boolean",
    "seed",
    "choice",
    "integers",
    "reals",
    "array",
    "scalar",
    "function",
    "describe",
]


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
    return type(value).__module__.split(".", 1)[0] == "sympy"


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


def _sequence(value: Any, name: str, what: str) -> list[Any]:
    if _is_string(value) or isinstance(value, dict) or value is None:
        raise TypeError(f"{name} must be a sequence of {what}; got {describe(value)}")
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional; got shape {value.shape}")
        return list(value)
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {what}; got {describe(value)}") from None


def _length(items: Sequence[Any], name: str, length: int | None, min_length: int) -> None:
    if length is not None and len(items) != length:
        raise ValueError(f"{name} must have {length} entries; got {len(items)}")
    if len(items) < min_length:
        raise ValueError(f"{name} must have at least {min_length} entr{'y' if min_length == 1 else 'ies'}; got {len(items)}")


def integers(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    length: int | None = None,
    min_length: int = 1,
) -> tuple[int, ...]:
    """A sequence of integers, each checked as by :func:`integer` (entries named ``name[i]``).

    Parameters
    ----------
    value : object
        The argument to check: a sequence or a one-dimensional array (not a string or a dict).
    name : str
        The argument's name, used in the error messages.
    minimum, maximum : int, optional
        Inclusive bounds of every entry.
    length : int, optional
        Required number of entries.
    min_length : int, default 1
        Minimum number of entries.

    Returns
    -------
    tuple of int
        The entries.

    Raises
    ------
    TypeError
        ``value`` is not a sequence, or an entry is not an integer.
    ValueError
        The length is wrong, an array is not one-dimensional, or an entry is out of range.
    """
    items = _sequence(value, name, "integers")
    _length(items, name, length, min_length)
    return tuple(integer(v, f"{name}[{i}]", minimum=minimum, maximum=maximum) for i, v in enumerate(items))


def reals(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    open_min: bool = False,
    open_max: bool = False,
    length: int | None = None,
    min_length: int = 1,
) -> tuple[float, ...]:
    """A sequence of real numbers, each checked as by :func:`real` (entries named ``name[i]``).

    Parameters
    ----------
    value : object
        The argument to check: a sequence or a one-dimensional array (not a string or a dict).
    name : str
        The argument's name, used in the error messages.
    minimum, maximum : float, optional
        Bounds of every entry; inclusive unless ``open_min`` / ``open_max``.
    open_min, open_max : bool, default False
        Make the lower / upper bound exclusive.
    length : int, optional
        Required number of entries.
    min_length : int, default 1
        Minimum number of entries.

    Returns
    -------
    tuple of float
        The entries.

    Raises
    ------
    TypeError
        ``value`` is not a sequence, or an entry is not a real number.
    ValueError
        The length is wrong, an array is not one-dimensional, or an entry is not finite or out of range.
    """
    items = _sequence(value, name, "real numbers")
    _length(items, name, length, min_length)
    return tuple(
        real(v, f"{name}[{i}]", minimum=minimum, maximum=maximum, open_min=open_min, open_max=open_max)
        for i, v in enumerate(items)
    )


def array(
    value: Any,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    complex_ok: bool = False,
    finite: bool = True,
    min_size: int = 0,
) -> np.ndarray:
    """A numeric array (a copy, never a view of the caller's data).

    Accepts numpy arrays, nested sequences of numbers and objects with ``__array__``
    (torch tensors are moved to the CPU).  Strings, bools, ``None`` and object arrays
    are rejected with ``TypeError``.

    Parameters
    ----------
    value : array_like
        The argument to check.
    name : str
        The argument's name, used in the error messages.
    ndim : int or sequence of int, optional
        Required number of dimensions (an int or a collection of allowed ones).
    shape : sequence of int or None, optional
        Required shape; ``None`` entries are free.
    complex_ok : bool, default False
        Allow complex entries (otherwise the result is ``float64``).
    finite : bool, default True
        Reject NaN and infinite entries.
    min_size : int, default 0
        Minimum number of elements.

    Returns
    -------
    ndarray
        A new ``float64`` (or ``complex128``) array.

    Raises
    ------
    TypeError
        ``value`` is not a numeric array, or is complex without ``complex_ok``.
    ValueError
        The dimensions, shape or size are wrong, or an entry is not finite.
    """
    if value is None or _is_string(value) or isinstance(value, (bool, np.bool_, dict)):
        raise TypeError(f"{name} must be a numeric array; got {describe(value)}")
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    try:
        a = np.array(value, copy=True)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} must be a numeric array; got {describe(value)} ({exc})") from None
    if a.dtype.kind == "b":
        raise TypeError(f"{name} must be a numeric array, not booleans")
    if a.dtype.kind not in "iufc":
        raise TypeError(f"{name} must be a numeric array; got dtype {a.dtype}")
    if a.dtype.kind == "c":
        if not complex_ok:
            raise TypeError(f"{name} must be real; got complex entries")
        a = a.astype(np.complex128)
    else:
        a = a.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s); got shape {a.shape}")
    if shape is not None:
        if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got {a.shape}")
    if a.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s); got {a.size}")
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    return a


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
