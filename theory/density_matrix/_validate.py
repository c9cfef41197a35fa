r"""Argument checks of the symbolic density-matrix theory: nothing reaches ``sympy`` unchecked.

Every number, matrix entry and sequence element goes through :func:`theory.validate.scalar`
first, so strings are refused with ``TypeError`` before any ``sympify`` (a string would be
parsed and evaluated), as are bools and ``None``; NaN and infinite numbers raise ``ValueError``.
Numeric states are checked against the definition of a density operator (Hermitian, unit
trace, positive semidefinite; Nielsen & Chuang 2000, sec. 2.4.1); symbolic ones are the
caller's assumption.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np
import sympy as sp

from theory import validate as v

__all__ = ["num", "matrix", "operators", "sequence", "check_state", "check_effects", "is_numeric", "identifier"]

#: tolerance of the numeric state checks (entries are exact or double precision)
STATE_TOL = 1e-10


def num(value: Any, name: str, *, kind: str = "real", sign: str | None = None) -> sp.Expr:
    """A number or sympy expression as a sympy object (never parsed from a string).

    Parameters
    ----------
    kind
        ``"real"`` (Python ``complex`` refused; a sympy number must not be non-real) or ``"complex"``.
    sign
        ``"nonnegative"`` or ``"positive"``: checked when the value is a number.

    Raises
    ------
    TypeError
        A string, bool, ``None`` or non-number; a complex where a real is required.
    ValueError
        NaN, an infinity, or a number of the wrong sign.
    """
    v.scalar(value, name)
    if isinstance(value, (numbers.Complex, np.number)) and not isinstance(value, sp.Basic):
        if kind == "real" and isinstance(value, (complex, np.complexfloating)):
            raise TypeError(f"{name} must be a real number; got {v.describe(value)}")
        z = complex(value)
        if not (math.isfinite(z.real) and math.isfinite(z.imag)):
            raise ValueError(f"{name} must be finite; got {value!r}")
    if isinstance(value, np.number):
        value = value.item()
    out = sp.sympify(value)  # a number or sympy object (checked above): nothing is parsed
    if not isinstance(out, sp.Basic) or isinstance(out, sp.MatrixBase):
        raise TypeError(f"{name} must be a number or a sympy expression; got {v.describe(value)}")
    if out.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"{name} must be finite; got {out}")
    if kind == "real" and out.is_real is False:
        raise ValueError(f"{name} must be real; got {out}")
    if sign is not None and out.is_number and out.is_real:
        bad = out < 0 if sign == "nonnegative" else out <= 0
        if bool(bad):
            raise ValueError(f"{name} must be {sign}; got {out}")
    return out


def sequence(value: Any, name: str, *, min_length: int = 1) -> list[Any]:
    """A list, tuple or 1-d array (not a string, mapping or matrix) as a list."""
    if isinstance(value, (str, bytes, dict, sp.MatrixBase)) or value is None:
        raise TypeError(f"{name} must be a list or tuple; got {v.describe(value)}")
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional; got shape {value.shape}")
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple; got {v.describe(value)}")
    if len(value) < min_length:
        raise ValueError(f"{name} must have at least {min_length} entr{'y' if min_length == 1 else 'ies'}; got {len(value)}")
    return list(value)


def matrix(value: Any, name: str, *, square: bool = True) -> sp.Matrix:
    """A new mutable sympy matrix from a sympy matrix, a numpy array or nested lists of numbers / sympy objects."""
    if isinstance(value, sp.MatrixBase):
        M = sp.Matrix(value)
    elif isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        rows = sequence(value, name) if not isinstance(value, np.ndarray) else None
        if isinstance(value, np.ndarray):
            if value.ndim not in (1, 2):
                raise ValueError(f"{name} must be a matrix (2-d) or a vector (1-d); got shape {value.shape}")
            rows = [list(r) for r in value] if value.ndim == 2 else [[x] for x in value]
        assert rows is not None
        if all(not isinstance(r, (list, tuple, np.ndarray)) for r in rows):
            rows = [[x] for x in rows]  # a column vector
        for i, r in enumerate(rows):
            if not isinstance(r, (list, tuple, np.ndarray)) or isinstance(r, str):
                raise TypeError(f"{name}[{i}] must be a row (list); got {v.describe(r)}")
        if len({len(r) for r in rows}) != 1:
            raise ValueError(f"{name} must have rows of equal length")
        M = sp.Matrix([[num(x, f"{name}[{i}][{j}]", kind="complex") for j, x in enumerate(r)] for i, r in enumerate(rows)])
    else:
        raise TypeError(f"{name} must be a matrix (sympy Matrix, numpy array or nested lists); got {v.describe(value)}")
    if any(e.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for e in M):
        raise ValueError(f"{name} must have finite entries")
    if square and (M.rows != M.cols or M.rows < 1):
        raise ValueError(f"{name} must be square with size >= 1, got shape {M.shape}")
    return M


def operators(value: Any, name: str, n: int | None, *, min_length: int = 0) -> list[sp.Matrix]:
    """A list/tuple of square matrices, all ``n x n`` (``n=None``: all of the first one's shape)."""
    items = sequence(value, name, min_length=min_length)
    out = [matrix(x, f"{name}[{k}]") for k, x in enumerate(items)]
    if out and n is None:
        n = out[0].rows
    for k, L in enumerate(out):
        if L.shape != (n, n):
            raise ValueError(f"{name}[{k}] must have shape ({n}, {n}), got {L.shape}")
    return out


def is_numeric(M: sp.Matrix) -> bool:
    """All entries are numbers (no free symbols)."""
    return all(e.is_number for e in M)


def _numeric(M: sp.Matrix) -> np.ndarray:
    return np.array([[complex(sp.N(M[i, j], 30)) for j in range(M.cols)] for i in range(M.rows)])


def check_state(M: sp.Matrix, name: str) -> None:
    """Raise ``ValueError`` naming the property unless a numeric ``M`` is a density matrix (within 1e-10)."""
    if not is_numeric(M):
        return
    A = _numeric(M)
    scale = max(1.0, float(np.abs(A).max()))
    if np.abs(A - A.conj().T).max() > STATE_TOL * scale:
        raise ValueError(f"{name} must be Hermitian")
    if abs(np.trace(A) - 1) > STATE_TOL:
        raise ValueError(f"{name} must have unit trace; got trace {complex(np.trace(A)):.6g}")
    if np.linalg.eigvalsh((A + A.conj().T) / 2).min() < -STATE_TOL * scale:
        raise ValueError(f"{name} must be positive semidefinite")


def check_effects(Es: Sequence[sp.Matrix], name: str) -> None:
    """Raise ``ValueError`` unless numeric effects are Hermitian and PSD (a POVM's elements)."""
    for k, E in enumerate(Es):
        if not is_numeric(E):
            continue
        A = _numeric(E)
        scale = max(1.0, float(np.abs(A).max()))
        if np.abs(A - A.conj().T).max() > STATE_TOL * scale:
            raise ValueError(f"{name}[{k}] must be Hermitian")
        if np.linalg.eigvalsh((A + A.conj().T) / 2).min() < -STATE_TOL * scale:
            raise ValueError(f"{name}[{k}] must be positive semidefinite")


def identifier(value: Any, name: str) -> str:
    """A Python identifier (used as a prefix of sympy symbol names; never parsed as an expression)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; got {v.describe(value)}")
    if not value.isidentifier():
        raise ValueError(f"{name} must be an identifier (letters, digits, underscores); got {value!r}")
    return value
