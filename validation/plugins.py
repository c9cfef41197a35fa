"""A user's own checks: loading them from a file, a module or an installed package.

* ``theorycheck run --from PATH_OR_MODULE`` and ``theorycheck list --from ...`` import a
  Python file (by path) or an importable module before selecting checks, so the
  ``register_check`` calls in it run; its checks are then run like the built-in ones (same
  runner, statistics, seeds, results files and plots).
* A package can expose checks through the entry-point group ``theorycheck.checks``: each
  entry point names a module (or a zero-argument callable) that registers checks; they are
  loaded whenever all checks are listed or selected.

Loading is the project's own small piece of glue over :mod:`importlib` (a file is imported
under a unique module name derived from its absolute path, so two files called
``checks.py`` do not collide).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from types import ModuleType

from numerics import validate as v

__all__ = ["load_checks", "load_entry_points", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "theorycheck.checks"
_LOADED_ENTRY_POINTS = False


def _registered() -> set[str]:
    from validation.registry import _CHECKS

    return set(_CHECKS)


def _import_file(path: str) -> ModuleType:
    path = os.path.abspath(path)
    digest = hashlib.sha256(path.encode()).hexdigest()[:12]
    stem = os.path.splitext(os.path.basename(path))[0]
    name = f"theorycheck_user_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot import {path}: not a Python file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    d = os.path.dirname(path)
    added = d not in sys.path
    if added:  # let the file import its neighbours
        sys.path.insert(0, d)
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        if added and d in sys.path:
            sys.path.remove(d)
    return mod


def load_checks(spec: str) -> list[str]:
    """Import a user's check module and return the names of the checks it registered.

    Parameters
    ----------
    spec
        A path to a Python file (``my_checks.py``, ``./lab/checks.py``) or the dotted name of an
        importable module (``mylab.checks``).

    Returns
    -------
    list of str
        The checks registered by the import (sorted).  Importing the same spec twice registers
        nothing new the second time, and returns the names registered the first time.

    Raises
    ------
    ValueError
        The file does not exist, the module cannot be found, or it registers no check.
    """
    if not isinstance(spec, str) or not spec:
        raise TypeError(f"--from must name a file or a module; got {v.describe(spec)}")
    before = _registered()
    looks_like_path = spec.endswith(".py") or os.sep in spec or spec.startswith(".")
    if looks_like_path:
        if not os.path.isfile(spec):
            raise ValueError(f"--from {spec}: no such file")
        mod = _import_file(spec)
    else:
        try:
            mod = importlib.import_module(spec)
        except ModuleNotFoundError as exc:
            raise ValueError(f"--from {spec}: cannot import it ({exc}); give a file path or an importable module") from None
    new = _registered() - before
    if not new:
        from validation.registry import _CHECKS

        new = {n for n, c in _CHECKS.items() if getattr(c.measure, "__module__", None) == mod.__name__}
    if not new:
        raise ValueError(f"--from {spec}: the module registers no check (call validation.check.register_check)")
    return sorted(new)


def load_entry_points() -> list[str]:
    """Load every ``theorycheck.checks`` entry point once; return the names of the checks they registered."""
    global _LOADED_ENTRY_POINTS
    if _LOADED_ENTRY_POINTS:
        return []
    _LOADED_ENTRY_POINTS = True
    from importlib.metadata import entry_points

    before = _registered()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        if callable(obj) and not isinstance(obj, ModuleType):
            obj()
    return sorted(_registered() - before)
