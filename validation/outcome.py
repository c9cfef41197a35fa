"""The outcome of running a check: :class:`CheckResult`, :class:`Evaluation`, and JSON conversion.

Re-exported by :mod:`validation.results` and :mod:`validation.check`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

__all__ = ["CheckResult", "Evaluation", "jsonable"]


def jsonable(obj: Any, *, max_items: int | None = 64) -> Any:
    """Convert numpy scalars/arrays and tuples to JSON-friendly values.

    With ``max_items=None`` nothing is shortened; otherwise longer arrays and lists are
    summarised by their shape and first values.

    Parameters
    ----------
    obj : object
        The value: numbers, arrays, mappings, sequences and dataclasses are converted
        recursively; a non-finite float becomes its ``repr``, anything else its ``repr``.
    max_items : int or None, default 64
        Arrays and lists longer than this are summarised by their shape (or length) and
        first eight values.

    Returns
    -------
    object
        A value made of ``None``, bools, ints, floats, strings, lists and dicts.
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else repr(f)
    if isinstance(obj, (complex, np.complexfloating)):
        return {"re": jsonable(float(np.real(obj))), "im": jsonable(float(np.imag(obj)))}
    if isinstance(obj, np.ndarray):
        if max_items is not None and obj.size > max_items:
            return {"shape": list(obj.shape), "head": jsonable(obj.ravel()[:8])}
        return [jsonable(x, max_items=max_items) for x in obj.tolist()] if obj.ndim else jsonable(obj.item())
    if isinstance(obj, Mapping):
        return {str(k): jsonable(x, max_items=max_items) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        if max_items is not None and len(obj) > max_items:
            return {"length": len(obj), "head": [jsonable(x, max_items=max_items) for x in list(obj)[:8]]}
        return [jsonable(x, max_items=max_items) for x in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: jsonable(getattr(obj, k), max_items=max_items) for k in obj.__dataclass_fields__}
    return repr(obj)


@dataclass
class CheckResult:
    """Everything one run of a check records.

    Parameters
    ----------
    name, area : str
        The check's name and area.
    params : dict of str to object
        The parameters the run used.
    prediction : object
        The prediction as reports show it (``None`` after an error).
    estimate : dict or None
        The measurement's summary (``None`` after an error).
    truncation : object
        The truncation budget's summary: its largest value, or ``"pointwise"``.
    rule : str
        The comparison rule (``"error"`` after an error).
    statistic, p_value : float or None
        The test statistic and p-value (``p_value`` is ``None`` for deterministic checks).
    alpha : float
        The significance level of the verdict.
    passed : bool
        The verdict.
    seconds : float
        Wall time of the run.
    seed : int
        Seed of the measurement.
    details : dict, default {}
        The comparison's further quantities.
    error : str, optional
        ``"ExceptionType: message"`` when the run raised.
    raw : dict, default {}
        The prediction, estimate and comparison objects (not stored in results files).
    mode : {"quick", "full"}, default "quick"
        The parameter set run.
    kind : {"statistical", "deterministic"}, default "statistical"
        Whether the comparison is a statistical test.
    tolerance : float, optional
        The allowed discrepancy of a deterministic comparison.
    twin : str, optional
        The falsification twin judged, or ``None`` for the correct prediction.
    """

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
    mode: str = "quick"
    kind: str = "statistical"
    tolerance: float | None = None
    twin: str | None = None

    @property
    def verdict(self) -> str:
        """``"ERROR"`` when the run raised, else ``"PASS"`` or ``"FAIL"``."""
        if self.error is not None:
            return "ERROR"
        return "PASS" if self.passed else "FAIL"

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-friendly record (without ``raw``).

        Returns
        -------
        dict of str to object
            The fields and the verdict, converted with :func:`jsonable`.
        """
        return {
            "name": self.name,
            "area": self.area,
            "mode": self.mode,
            "params": jsonable(self.params),
            "prediction": jsonable(self.prediction),
            "estimate": jsonable(self.estimate),
            "truncation": jsonable(self.truncation),
            "rule": self.rule,
            "kind": self.kind,
            "statistic": jsonable(self.statistic),
            "p_value": jsonable(self.p_value),
            "alpha": self.alpha,
            "tolerance": jsonable(self.tolerance),
            "passed": bool(self.passed),
            "verdict": self.verdict,
            "seconds": float(self.seconds),
            "seed": int(self.seed),
            "details": jsonable({k: x for k, x in self.details.items() if k not in ("fit",)}),
            "error": self.error,
        }


@dataclass
class Evaluation:
    """One measurement judged against the correct prediction and against every twin.

    Parameters
    ----------
    result : CheckResult
        The correct prediction's result.
    twins : dict of str to CheckResult
        Each judged twin's result, by twin name.
    """

    result: CheckResult
    twins: dict[str, CheckResult]
