"""The check registry: registration, discovery of the built-in areas, lookup and selection.

Built-in checks live in ``validation.checks.<area>``; they are imported on demand (only the
area a name needs, when that suffices).
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import pkgutil
from typing import TYPE_CHECKING

from numerics import validate as v

if TYPE_CHECKING:  # pragma: no cover
    from validation.check import Check

__all__ = ["register_check", "unregister_check", "all_checks", "get_check", "select_checks"]

_CHECKS: dict[str, Check] = {}


def register_check(check: Check) -> Check:
    """Add a check to the registry (names are unique)."""
    from validation.check import Check

    if not isinstance(check, Check):
        raise TypeError(f"expected a Check, got {type(check).__name__}")
    if check.name in _CHECKS and _CHECKS[check.name] is not check:
        raise ValueError(f"check {check.name!r} registered twice")
    _CHECKS[check.name] = check
    return check


def unregister_check(name: str) -> None:
    """Remove a check from the registry (tests and interactive sessions)."""
    _CHECKS.pop(name, None)


def _area_modules() -> list[str]:
    import validation.checks as pkg

    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def _discover(area: str | None = None) -> None:
    """Import the check modules: only ``validation.checks.<area>`` when ``area`` names one, else all."""
    mods = _area_modules()
    if area is not None and area in mods:
        mods = [area]
    for m in mods:
        importlib.import_module(f"validation.checks.{m}")


def all_checks() -> list[Check]:
    """Every registered check (built-in, loaded with ``--from``, or from installed entry points), sorted."""
    _discover()
    from validation.plugins import load_entry_points

    load_entry_points()
    return sorted(_CHECKS.values(), key=lambda c: (c.area, c.name))


def _did_you_mean(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


def get_check(name: str) -> Check:
    """The check called ``name`` (imports only its area's module when that suffices)."""
    if not isinstance(name, str):
        raise TypeError(f"check name must be a string; got {v.describe(name)}")
    if name not in _CHECKS:
        _discover(name.split(".", 1)[0])
    if name not in _CHECKS:
        _discover()
    try:
        return _CHECKS[name]
    except KeyError:
        hint = _did_you_mean(name, sorted(_CHECKS))
        raise ValueError(f"unknown check {name!r}{hint} (`theorycheck list` shows the known ones)") from None


def _matches(check: Check, pattern: str) -> bool:
    return (
        check.name == pattern
        or check.area == pattern
        or fnmatch.fnmatchcase(check.name, pattern)
        or check.name.startswith(pattern + ".")
    )


def select_checks(patterns: list[str] | None) -> list[Check]:
    """Checks whose names match any of ``patterns``: exact names, areas, dotted name prefixes or shell globs.

    A pattern that matches nothing raises ``ValueError`` naming it (with close names).
    """
    if not patterns:
        return all_checks()
    heads = {p.split(".", 1)[0] for p in patterns}
    if all(h in _area_modules() for h in heads):  # area-qualified patterns: import those areas only
        for h in heads:
            _discover(h)
        checks = sorted(_CHECKS.values(), key=lambda c: (c.area, c.name))
    else:
        checks = all_checks()
    chosen: dict[str, Check] = {}
    for pat in patterns:
        hits = [c for c in checks if _matches(c, pat)]
        if not hits:
            hint = _did_you_mean(pat, [c.name for c in checks] + sorted({c.area for c in checks}))
            raise ValueError(f"unknown check {pat!r}: no check name, area or prefix matches it{hint} (`theorycheck list`)")
        for c in hits:
            chosen[c.name] = c
    return [c for c in checks if c.name in chosen]
