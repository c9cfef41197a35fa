"""Sweep grids and seed lists: parsed from the command line or a TOML file, validated against the check's schema.

A grid maps parameter names to lists of values; its cells are the Cartesian product of
the lists, in the order given (the last parameter varies fastest), times the seeds.
Every value is validated by the parameter's declared :class:`~validation.params.Param`
(command-line text through ``Param.parse``), and every grid point's full parameter set
by the check (``Check.params``), before any cell runs.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from numerics import validate as v
from validation.check import Check, jsonable
from validation.params import unknown_key_message

__all__ = ["parse_param", "parse_seeds", "validate_grid", "grid_points", "SweepSpec", "read_sweep_file"]

_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


def _split_values(text: str) -> list[str]:
    """Split ``V1,V2,...`` on commas outside brackets and quotes (``[8,8],[16,16]`` is two values)."""
    out, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


def parse_param(check: Check, text: str) -> tuple[str, list[Any]]:
    """``NAME=V1,V2,...`` -> ``(NAME, [values])``, each value read by the check's declared ``Param.parse``.

    Values are separated by commas outside brackets and quotes (``[8,8],[16,16]`` is two values).

    Parameters
    ----------
    check : Check
        The check whose schema declares the parameter.
    text : str
        One ``--param`` argument, ``NAME=V1,V2,...``.

    Returns
    -------
    name : str
        The parameter's name.
    values : list
        Its values, parsed by the parameter's ``Param.parse``.

    Raises
    ------
    ValueError
        No ``=``, an unknown name (naming the accepted ones), or no values.
    TypeError
        A value of the wrong type for the parameter.
    """
    if not isinstance(text, str) or "=" not in text:
        raise ValueError(f"--param must be NAME=V1,V2,...; got {text!r}")
    name, _, values = text.partition("=")
    name = name.strip()
    assert check.schema is not None
    if name not in check.schema:
        raise ValueError(f"{check.name}: {unknown_key_message(name, list(check.schema))}")
    parts = [p for p in _split_values(values) if p.strip()]
    if not parts:
        raise ValueError(f"--param {name}: no values given (write {name}=V1,V2,...)")
    param = check.schema[name]
    return name, [param.parse(p, f"{check.name}: parameter {name!r}") for p in parts]


def parse_seeds(spec: Any) -> list[int]:
    """Seeds from ``A..B`` (inclusive), ``S1,S2,...``, an integer list or a single integer.

    Parameters
    ----------
    spec : str, int or sequence of int
        ``"A..B"``, ``"S1,S2,..."``, a list, tuple or range of non-negative integers, or one integer.

    Returns
    -------
    list of int
        The seeds, in the order given, each once.

    Raises
    ------
    ValueError
        A malformed range, a range that runs backwards, a negative seed, repeated seeds, or none.
    TypeError
        Neither text nor integers.
    """
    if isinstance(spec, str):
        m = _RANGE.match(spec)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if b < a:
                raise ValueError(f"seed range {spec!r} runs backwards (write A..B with A <= B)")
            seeds = list(range(a, b + 1))
        elif ".." in spec:
            raise ValueError(f"malformed seed range {spec!r} (write A..B with integers A <= B, e.g. 0..19)")
        else:
            parts = [p.strip() for p in spec.split(",")]
            if not parts or any(not re.fullmatch(r"\d+", p) for p in parts):
                raise ValueError(f"malformed seeds {spec!r} (write A..B or S1,S2,... with non-negative integers)")
            seeds = [int(p) for p in parts]
    elif isinstance(spec, (int,)) and not isinstance(spec, bool):
        seeds = [v.seed(spec)]
    elif isinstance(spec, (list, tuple, range)):
        seeds = [v.seed(s) for s in spec]
    else:
        raise TypeError(f"seeds must be 'A..B', 'S1,S2,...' or a list of integers; got {v.describe(spec)}")
    if not seeds:
        raise ValueError("no seeds given")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds repeat: {spec!r} (each seed is one cell)")
    return seeds


def validate_grid(check: Check, grid: Mapping[str, Sequence[Any]], mode: str,
                  fixed: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
    """The grid with every value validated (and normalised) by the check's schema.

    An empty grid (``{}``) is one point: the mode's parameters (with ``fixed``).  A
    parameter with no values, an unknown name, a wrong type or an invalid combination
    raises before anything runs.

    Parameters
    ----------
    check : Check
        The check whose schema and ``Check.params`` judge the values.
    grid : mapping of str to sequence
        Parameter name -> the values swept (lists read from TOML are taken as tuples).
    mode : str
        ``"quick"`` or ``"full"``: the parameter set the grid points override.
    fixed : mapping of str to object, optional
        Parameters overridden at every point but not swept.

    Returns
    -------
    dict of str to list
        The grid with every value validated and normalised, in the order given.

    Raises
    ------
    ValueError
        An unknown name, an empty or repeated value list, a parameter both fixed and swept, or a
        grid point the check rejects.
    TypeError
        ``grid`` not a mapping of lists, or a value of the wrong type.
    """
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must map parameter names to lists of values; got {v.describe(grid)}")
    assert check.schema is not None
    out: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if not isinstance(name, str) or name not in check.schema:
            raise ValueError(f"{check.name}: {unknown_key_message(str(name), list(check.schema))}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(f"grid[{name!r}] must be a list of values; got {v.describe(values)}")
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] is empty: give at least one value")
        param = check.schema[name]
        norm = [param.validate(_tuples(x), f"{check.name}: parameter {name!r}") for x in values]
        keys = [json.dumps(jsonable(x, max_items=None), sort_keys=True) for x in norm]
        if len(set(keys)) != len(keys):
            raise ValueError(f"grid[{name!r}] repeats a value: {list(values)!r}")
        out[name] = norm
    if fixed:
        clash = sorted(set(fixed) & set(out))
        if clash:
            raise ValueError(f"parameters both fixed and swept: {clash}")
    for point in grid_points(out):
        check.params(mode, {**(fixed or {}), **point})
    return out


def _tuples(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_tuples(y) for y in x)
    return x


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The grid's points, the last parameter varying fastest (one empty point for an empty grid).

    Parameters
    ----------
    grid : mapping of str to sequence
        Parameter name -> values.

    Returns
    -------
    list of dict
        One ``{name: value}`` per point of the Cartesian product.
    """
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


@dataclass
class SweepSpec:
    """A sweep as a TOML file states it (every field optional; the command line completes it).

    Parameters
    ----------
    check : str, optional
        The check's name.
    grid : dict of str to list, optional
        The swept parameters and their values (the file's ``[grid]`` table).
    seeds : object, optional
        The seeds as written (``"A..B"`` or a list), read by :func:`parse_seeds`.
    mode : {"quick", "full"}, optional
        The parameter set the sweep starts from.
    fixed : dict of str to object, optional
        Parameters overridden but not swept (the file's ``[params]`` table).
    """

    check: str | None = None
    grid: dict[str, list[Any]] = field(default_factory=dict)
    seeds: Any = None
    mode: str | None = None
    fixed: dict[str, Any] = field(default_factory=dict)


def read_sweep_file(path: str) -> SweepSpec:
    """Read a TOML sweep file.

    .. code-block:: toml

        check = "wide_networks.kurtosis"
        mode = "quick"             # or "full"
        seeds = "0..19"            # or [0, 1, 2]
        [grid]                     # swept: one list of values per parameter
        width = [32, 64, 128]
        activation = ["tanh", "relu"]
        [params]                   # fixed overrides, not swept
        samples = 20000

    Parameters
    ----------
    path : str
        The TOML file.

    Returns
    -------
    SweepSpec
        The file's fields, not yet validated against the check (see :func:`validate_grid`).

    Raises
    ------
    ValueError
        Unreadable TOML, an unknown key, or a field of the wrong shape.
    """
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise ValueError(f"cannot read sweep file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"sweep file {path} is not valid TOML: {exc}") from None
    known = ("check", "grid", "seeds", "mode", "params")
    for k in doc:
        if k not in known:
            raise ValueError(f"sweep file {path}: {unknown_key_message(k, list(known), 'key')}")
    grid = doc.get("grid", {})
    fixed = doc.get("params", {})
    if not isinstance(grid, dict) or not isinstance(fixed, dict):
        raise ValueError(f"sweep file {path}: [grid] and [params] must be tables")
    for name, values in grid.items():
        if not isinstance(values, list):
            raise ValueError(f"sweep file {path}: grid.{name} must be a list of values")
    check = doc.get("check")
    if check is not None and not isinstance(check, str):
        raise ValueError(f"sweep file {path}: check must be a string")
    mode = doc.get("mode")
    if mode is not None and mode not in ("quick", "full"):
        raise ValueError(f"sweep file {path}: mode must be 'quick' or 'full'; got {mode!r}")
    return SweepSpec(check, dict(grid), doc.get("seeds"), mode, {k: _tuples(x) for k, x in fixed.items()})
