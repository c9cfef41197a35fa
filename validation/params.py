"""Declared check parameters: a schema per check, validated on every run.

Each :class:`~validation.check.Check` declares its parameters as a mapping from
name to :class:`Param`.  A run's parameters (the quick or full set, plus any
overrides) are validated against it: an unknown key raises ``ValueError`` naming
the key, the closest known one and all accepted keys; a value of the wrong type
raises ``TypeError`` and one out of range ``ValueError``, both naming the key.

:meth:`Param.parse` reads a value from command-line text (for sweeps): integers,
reals, strings and booleans as written, sequences as comma-free JSON lists
(``[8,8]``), anything else as JSON.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from numerics import validate as v

__all__ = ["Param", "validate_params", "unknown_key_message", "infer_schema"]

_KINDS = ("int", "float", "str", "bool", "ints", "floats", "any")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a check.

    Parameters
    ----------
    kind : {"int", "float", "str", "bool", "ints", "floats", "any"}
        ``"int"``, ``"float"``, ``"str"``, ``"bool"``, ``"ints"`` (a sequence of
        integers), ``"floats"`` (a sequence of reals) or ``"any"`` (checked by
        ``check``).
    doc : str, default ""
        What the parameter means (shown by ``theorycheck list --params``).
    minimum, maximum : float, optional
        Bounds of a number or of every entry of a sequence.
    open_min : bool, default False
        ``minimum`` is exclusive (for reals).
    choices : tuple, optional
        Allowed values of a ``"str"`` (or ``"any"``) parameter.
    length, min_length : int, optional
        Required / minimum length of a sequence (``min_length`` defaults to 1).
    check : callable, optional
        ``check(value, name) -> value`` for ``"any"`` parameters (nested structures):
        returns the normalised value or raises ``TypeError`` / ``ValueError``.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, or an ``"any"`` parameter has neither ``check`` nor ``choices``.
    """

    kind: str
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    open_min: bool = False
    choices: tuple[Any, ...] | None = None
    length: int | None = None
    min_length: int = 1
    check: Callable[[Any, str], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Param kind must be one of {_KINDS}; got {self.kind!r}")
        if self.kind == "any" and self.check is None and self.choices is None:
            raise ValueError("a Param of kind 'any' needs a check function or choices")

    def validate(self, value: Any, name: str) -> Any:
        """The normalised value (sequences become tuples); raises ``TypeError`` / ``ValueError`` naming ``name``.

        Parameters
        ----------
        value : object
            The value to check against the declared kind, bounds, length and choices.
        name : str
            How the messages name the parameter.

        Returns
        -------
        object
            The value, with sequences as tuples and ``"any"`` values as ``check`` returns them.

        Raises
        ------
        TypeError
            If the value is not of the declared kind.
        ValueError
            If it is out of range, of the wrong length or not among ``choices``.
        """
        k = self.kind
        if k == "int":
            out: Any = v.integer(value, name, minimum=_int_or_none(self.minimum), maximum=_int_or_none(self.maximum))
        elif k == "float":
            out = v.real(value, name, minimum=self.minimum, maximum=self.maximum, open_min=self.open_min)
        elif k == "bool":
            out = v.boolean(value, name)
        elif k == "str":
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a string; got {v.describe(value)}")
            out = value
        elif k == "ints":
            out = v.integers(value, name, minimum=_int_or_none(self.minimum), maximum=_int_or_none(self.maximum),
                             length=self.length, min_length=self.min_length)
        elif k == "floats":
            out = v.reals(value, name, minimum=self.minimum, maximum=self.maximum, open_min=self.open_min,
                          length=self.length, min_length=self.min_length)
        else:
            out = self.check(value, name) if self.check is not None else value
        if self.choices is not None:
            out = v.choice(out, name, self.choices)
        return out

    def parse(self, text: str, name: str) -> Any:
        """Read a value from command-line text, then :meth:`validate` it.

        Parameters
        ----------
        text : str
            The text: a number, a string, ``true``/``false``, or JSON (``[8,8]``) for sequences.
        name : str
            How the messages name the parameter.

        Returns
        -------
        object
            The validated value (see :meth:`validate`).

        Raises
        ------
        TypeError
            If ``text`` is not a string, or does not read as the declared kind.
        ValueError
            If it cannot be read, or the value is out of range or not among ``choices``.
        """
        if not isinstance(text, str):
            raise TypeError(f"{name}: expected text to parse; got {v.describe(text)}")
        t = text.strip()
        if self.kind == "str":
            value: Any = t
        elif self.kind == "bool":
            low = t.lower()
            if low not in ("true", "false"):
                raise ValueError(f"{name} must be true or false; got {text!r}")
            value = low == "true"
        elif self.kind == "int":
            try:
                value = int(t)
            except ValueError:
                raise TypeError(f"{name} must be an integer; got {text!r}") from None
        elif self.kind == "float":
            try:
                value = float(t)
            except ValueError:
                raise TypeError(f"{name} must be a real number; got {text!r}") from None
        else:
            try:
                value = json.loads(t)
            except json.JSONDecodeError:
                if self.choices is not None:
                    value = t
                else:
                    raise ValueError(f"{name}: cannot read {text!r} (write sequences as JSON, e.g. [8,8])") from None
            value = _tuples(value)
        return self.validate(value, name)

    def describe(self) -> str:
        """One line: kind, range and choices.

        Returns
        -------
        str
            The kind, the bounds, the choices and the doc, joined by ``"; "``.
        """
        parts = [self.kind]
        if self.minimum is not None or self.maximum is not None:
            lo = "" if self.minimum is None else f"{'>' if self.open_min else '>='}{self.minimum:g}"
            hi = "" if self.maximum is None else f"<={self.maximum:g}"
            parts.append(" ".join(p for p in (lo, hi) if p))
        if self.choices is not None:
            parts.append("one of " + ", ".join(map(repr, self.choices)))
        if self.doc:
            parts.append(self.doc)
        return "; ".join(parts)


def _int_or_none(x: float | None) -> int | None:
    return None if x is None else int(x)


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(x) for x in value)
    return value


def unknown_key_message(key: str, accepted: list[str], what: str = "parameter") -> str:
    """The message for an unknown key: ``unknown parameter 'x'; did you mean 'y'? accepted: ...``.

    Parameters
    ----------
    key : str
        The unknown key.
    accepted : list of str
        The known keys.
    what : str, default "parameter"
        What a key is (``"parameter"``, ``"twin"``).

    Returns
    -------
    str
        The message, naming the closest known key (if any) and every accepted one.
    """
    close = difflib.get_close_matches(key, accepted, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {key!r}{hint} accepted: {', '.join(sorted(accepted))}"


def validate_params(schema: Mapping[str, Param], params: Mapping[str, Any], *, owner: str) -> dict[str, Any]:
    """Validate ``params`` against ``schema``: every key known, every value of its declared kind.

    ``owner`` (the check's name) prefixes the messages.  Returns the normalised dict.

    Parameters
    ----------
    schema : Mapping of str to Param
        The declared parameters.
    params : Mapping of str to object
        The values to validate.
    owner : str
        The check's name, prefixing the messages.

    Returns
    -------
    dict of str to object
        The values normalised by :meth:`Param.validate`.

    Raises
    ------
    TypeError
        If ``params`` is not a mapping, a key is not a string or a value is of the wrong kind.
    ValueError
        If a key is unknown (the message names it, the closest known one and all accepted) or a
        value is out of range.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"{owner}: params must be a mapping; got {v.describe(params)}")
    out = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"{owner}: parameter names must be strings; got {v.describe(key)}")
        if key not in schema:
            raise ValueError(f"{owner}: {unknown_key_message(key, list(schema))}")
        out[key] = schema[key].validate(value, f"{owner}: parameter {key!r}")
    return out


def _value_schema(value: Any, key: str) -> Param:
    """A Param inferred from an example value (for checks that declare no schema)."""
    if isinstance(value, bool):
        return Param("bool")
    if isinstance(value, (int, np.integer)):
        return Param("int")
    if isinstance(value, (float, np.floating)):
        return Param("float")
    if isinstance(value, str):
        return Param("str")
    if isinstance(value, (list, tuple)) and value and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in value):
        return Param("ints")
    if isinstance(value, (list, tuple)) and value and all(isinstance(x, (int, float, np.number)) and not isinstance(x, bool) for x in value):
        return Param("floats")
    shape = type(value)

    def same_type(x: Any, name: str) -> Any:
        if not isinstance(x, shape):
            raise TypeError(f"{name} must be a {shape.__name__} like {value!r}; got {v.describe(x)}")
        return x

    return Param("any", check=same_type)


def infer_schema(params: Mapping[str, Any]) -> dict[str, Param]:
    """A schema inferred from a parameter set's values (used when a check declares none).

    Parameters
    ----------
    params : Mapping of str to object
        Example values: booleans, integers, reals, strings and numeric sequences get their
        kind; anything else an ``"any"`` parameter that requires the same type.

    Returns
    -------
    dict of str to Param
        One parameter per key.
    """
    return {k: _value_schema(x, k) for k, x in params.items()}
