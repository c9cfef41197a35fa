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

``theory/validate/`` and ``numerics/validate/`` are the same code (the two layers may
not import each other); a test keeps them identical.  Private modules: ``_scalars``
(single values) and ``_sequences`` (sequences and arrays).
"""
from __future__ import annotations

from ._scalars import boolean, choice, describe, function, integer, real, scalar, seed
from ._sequences import array, integers, reals

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
