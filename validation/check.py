"""Checks: a named, parameterised pairing of a prediction with a measurement.

A :class:`Check` is three functions:

``predict(params) -> Prediction``
    evaluates the theory (theory/ only);
``measure(params, seed) -> Estimate``
    runs the experiment (numerics/ only; never sees the prediction);
``compare(prediction, estimate, params, alpha) -> Comparison``
    applies one of the rules in :mod:`validation.stats`.

Because the three are separate, a falsification test can hand the same check
a deliberately wrong ``predict`` (``check.run(..., predict=wrong)``) and show
that the verdict flips.
"""

from __future__ import annotations

import fnmatch
import importlib
import math
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from numerics.estimate import Estimate
from validation.stats import DEFAULT_ALPHA, Comparison

__all__ = [
    "Prediction",
    "Check",
    "CheckResult",
    "register_check",
    "all_checks",
    "get_check",
    "select_checks",
    "jsonable",
]


@dataclass(frozen=True)
class Prediction:
    """A theory's prediction.

    ``value`` is a number / array, or a callable (a CDF, a density) for
    distribution checks.  ``truncation`` is the size of the first omitted term
    of a truncated expansion (number, array or callable; 0 for exact results).
    ``summary`` is a short JSON-friendly description for reports (defaults to
    ``value`` when that is a number).
    """

    value: Any
    truncation: Any = 0.0
    summary: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def display(self) -> Any:
        if self.summary is not None:
            return self.summary
        if callable(self.value):
            return getattr(self.value, "__name__", "function")
        return self.value


def jsonable(obj: Any, *, max_items: int = 64) -> Any:
    """Convert numpy scalars/arrays (small ones) and tuples to JSON-friendly values."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else repr(f)
    if isinstance(obj, (complex, np.complexfloating)):
        return {"re": float(np.real(obj)), "im": float(np.imag(obj))}
    if isinstance(obj, np.ndarray):
        if obj.size > max_items:
            return {"shape": list(obj.shape), "head": jsonable(obj.ravel()[:8])}
        return [jsonable(v) for v in obj.tolist()] if obj.ndim else jsonable(obj.item())
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if len(obj) > max_items:
            return {"length": len(obj), "head": [jsonable(v) for v in list(obj)[:8]]}
        return [jsonable(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__}
    return repr(obj)


def _truncation_summary(t: Any) -> Any:
    if callable(t):
        return "pointwise"
    a = np.asarray(t, dtype=float)
    return float(a.max()) if a.size else 0.0


@dataclass
class CheckResult:
    """Everything a check run records (see DESIGN.md)."""

    name: str
    area: str
    params: dict[str, Any]
    prediction: Any
    estimate: dict[str, Any] | None
    truncation: Any
    rule: str
    statistic: float | None
    p_value: float | None
    alpha: float
    passed: bool
    seconds: float
    seed: int
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        return "PASS" if self.passed else "FAIL"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "area": self.area,
            "params": jsonable(self.params),
            "prediction": jsonable(self.prediction),
            "estimate": jsonable(self.estimate),
            "truncation": jsonable(self.truncation),
            "rule": self.rule,
            "statistic": jsonable(self.statistic),
            "p_value": jsonable(self.p_value),
            "alpha": self.alpha,
            "passed": bool(self.passed),
            "verdict": self.verdict,
            "seconds": round(float(self.seconds), 4),
            "seed": int(self.seed),
            "details": jsonable({k: v for k, v in self.details.items() if k not in ("fit",)}),
            "error": self.error,
        }


PlotFn = Callable[[CheckResult, str], None]


@dataclass(frozen=True)
class Check:
    """A registered theory-vs-measurement check.

    Parameters
    ----------
    name
        Dotted unique name, ``"<area>.<what>"`` (e.g. ``"edgeworth.density.exp"``).
    area
        The theory area (``"edgeworth"``, ``"wide_networks"``...).
    description
        One line.
    predict, measure, compare
        See the module docstring.
    quick, full
        Parameter sets for ``--quick`` (the default suite) and ``--full`` runs.
    plot
        Optional ``plot(result, path)`` writing a PNG; the default plot for the
        comparison rule is used when ``None``.
    """

    name: str
    area: str
    description: str
    predict: Callable[[Mapping[str, Any]], Prediction]
    measure: Callable[[Mapping[str, Any], int], Estimate]
    compare: Callable[[Prediction, Estimate, Mapping[str, Any], float], Comparison]
    quick: Mapping[str, Any] = field(default_factory=dict)
    full: Mapping[str, Any] = field(default_factory=dict)
    plot: PlotFn | None = None

    def params(self, mode: str = "quick", overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if mode not in ("quick", "full"):
            raise ValueError(f"mode must be 'quick' or 'full', got {mode!r}")
        p = dict(self.quick if mode == "quick" else {**self.quick, **self.full})
        if overrides:
            p.update(overrides)
        return p

    def run(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        mode: str = "quick",
        seed: int = 0,
        alpha: float = DEFAULT_ALPHA,
        predict: Callable[[Mapping[str, Any]], Prediction] | None = None,
        catch: bool = True,
    ) -> CheckResult:
        """Run the check once.

        ``params`` override the ``mode``'s parameter set; ``predict`` replaces the
        theory (falsification tests feed a deliberately wrong one).  With
        ``catch=True`` an exception becomes an ``ERROR`` result (which fails).
        """
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TypeError(f"seed must be a non-negative int, got {seed!r}")
        p = self.params(mode, params)
        t0 = time.perf_counter()
        try:
            pred = (predict or self.predict)(p)
            est = self.measure(p, int(seed))
            cmp = self.compare(pred, est, p, alpha)
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            if not catch:
                raise
            return CheckResult(
                self.name, self.area, p, None, None, None, "error", None, None, alpha, False,
                time.perf_counter() - t0, int(seed), {}, f"{type(exc).__name__}: {exc}",
                {"traceback": traceback.format_exc()},
            )
        return CheckResult(
            name=self.name,
            area=self.area,
            params=p,
            prediction=pred.display(),
            estimate=est.summary(),
            truncation=_truncation_summary(pred.truncation),
            rule=cmp.rule,
            statistic=cmp.statistic,
            p_value=cmp.p_value,
            alpha=alpha,
            passed=bool(cmp.passed),
            seconds=time.perf_counter() - t0,
            seed=int(seed),
            details=dict(cmp.details),
            raw={"prediction": pred, "estimate": est, "comparison": cmp},
        )


_CHECKS: dict[str, Check] = {}


def register_check(check: Check) -> Check:
    """Add a check to the registry (names are unique)."""
    if not isinstance(check, Check):
        raise TypeError(f"expected a Check, got {type(check).__name__}")
    if check.name in _CHECKS and _CHECKS[check.name] is not check:
        raise ValueError(f"check {check.name!r} registered twice")
    _CHECKS[check.name] = check
    return check


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
    """Every registered check, sorted by area then name."""
    _discover()
    return sorted(_CHECKS.values(), key=lambda c: (c.area, c.name))


def get_check(name: str) -> Check:
    """The check called ``name`` (imports only its area's module when that suffices)."""
    if name not in _CHECKS:
        _discover(name.split(".", 1)[0])
    if name not in _CHECKS:
        _discover()
    try:
        return _CHECKS[name]
    except KeyError:
        raise ValueError(f"unknown check {name!r}; `theorycheck list` shows the known ones") from None


def select_checks(patterns: list[str] | None) -> list[Check]:
    """Checks whose names match any of ``patterns`` (exact names or shell globs).

    A pattern that matches nothing raises ``ValueError`` naming it.
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
        hits = [c for c in checks if fnmatch.fnmatchcase(c.name, pat) or c.name == pat or c.area == pat]
        if not hits:
            raise ValueError(f"unknown check {pat!r}: no check name or area matches it (`theorycheck list`)")
        for c in hits:
            chosen[c.name] = c
    return [c for c in checks if c.name in chosen]
