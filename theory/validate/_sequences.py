"""Validation of sequences and arrays (private; see the package docstring)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._scalars import _is_string, describe, integer, real

__all__ = ["integers", "reals", "array"]


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
