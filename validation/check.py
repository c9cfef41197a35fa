"""Checks: a named, parameterised pairing of a prediction with a measurement.

A :class:`Check` is three functions and three declarations:

``predict(params) -> Prediction``
    evaluates the theory (``theory/`` only);
``measure(params, seed) -> Estimate``
    runs the experiment (``numerics/`` only; it never calls theory, so a wrong
    theory cannot leak into the measurement);
``compare(prediction, estimate, params, alpha) -> Comparison``
    applies one of the rules in :mod:`validation.stats`;
``schema``
    the parameters it accepts (:class:`~validation.params.Param`): an unknown key
    or a value of the wrong type is an error, never silently ignored;
``twins``
    its falsification twins (:class:`Twin`): deliberately wrong predictions, each
    stated as how wrong it is, that the check must reject at the alpha the default
    suite uses;
``display``
    how its quantities are named and drawn (:class:`Display`).

Because predict and measure are separate, :meth:`Check.evaluate` measures once
and judges the correct prediction and every twin against the same measurement.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from numerics import validate as v
from numerics.estimate import Estimate
from validation.declarations import DISPLAY_KINDS, Display, PredictFn, Prediction, Twin  # noqa: F401
from validation.params import Param, infer_schema, unknown_key_message, validate_params
from validation.outcome import CheckResult, Evaluation, jsonable
from validation.stats import DEFAULT_ALPHA, Comparison

__all__ = [
    "Prediction",
    "Twin",
    "Display",
    "Check",
    "CheckResult",
    "Evaluation",
    "register_check",
    "unregister_check",
    "all_checks",
    "get_check",
    "select_checks",
    "jsonable",
    "infer_schema",
]

MODES = ("quick", "full")


def _truncation_summary(t: Any) -> Any:
    if callable(t):
        return "pointwise"
    a = np.asarray(t, dtype=float)
    return float(a.max()) if a.size else 0.0


PlotFn = Callable[[CheckResult, str], None]


@dataclass(frozen=True)
class Check:
    """A registered theory-vs-measurement check.

    Parameters
    ----------
    name : str
        Dotted unique name, ``"<area>.<what>"`` (e.g. ``"edgeworth.density.exp"``).
    area : str
        The theory area (``"edgeworth"``, ``"wide_networks"``...); the name starts with it.
    description : str
        One line.
    predict, measure, compare : callable
        ``predict(params) -> Prediction``, ``measure(params, seed) -> Estimate`` and
        ``compare(prediction, estimate, params, alpha) -> Comparison``; see the module docstring.
    quick, full : Mapping of str to object
        Parameter sets for quick runs (the default suite) and ``--full`` runs; the
        full set overrides the quick one key by key.
    schema : Mapping of str to Param, optional
        The accepted parameters; ``None`` infers one from the quick set's values.
    twins : tuple of Twin, default ()
        Falsification twins; every built-in check declares at least one.
    display : Display, optional
        How the compared quantity is named and drawn.
    deterministic : bool, default False
        ``True`` when the measurement has no random error (a solver against a closed
        form): its comparison is a stated numerical tolerance, not a p-value, and it
        is not counted in the suite's family of statistical tests.
    plot : callable, optional
        Optional ``plot(result, path)`` writing a PNG; the default plot for the
        display kind is used when ``None``.

    Raises
    ------
    TypeError
        If a field has the wrong type (names, functions, twins, display, schema entries).
    ValueError
        If the name does not start with the area, twin names repeat, the quick set misses a
        declared parameter, or a parameter set fails the schema.
    """

    name: str
    area: str
    description: str
    predict: PredictFn
    measure: Callable[[Mapping[str, Any], int], Estimate]
    compare: Callable[[Prediction, Estimate, Mapping[str, Any], float], Comparison]
    quick: Mapping[str, Any] = field(default_factory=dict)
    full: Mapping[str, Any] = field(default_factory=dict)
    schema: Mapping[str, Param] | None = None
    twins: tuple[Twin, ...] = ()
    display: Display | None = None
    deterministic: bool = False
    plot: PlotFn | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.area, str) or not self.area:
            raise TypeError("check name and area must be strings")
        if not self.name.startswith(self.area + ".") or len(self.name) <= len(self.area) + 1:
            raise ValueError(f"check name {self.name!r} must be '<area>.<what>' with area {self.area!r}")
        for fn in ("predict", "measure", "compare"):
            v.function(getattr(self, fn), f"check {self.name!r}: {fn}")
        twins = tuple(self.twins)
        if any(not isinstance(t, Twin) for t in twins):
            raise TypeError(f"check {self.name!r}: twins must be Twin objects")
        names = [t.name for t in twins]
        if len(set(names)) != len(names):
            raise ValueError(f"check {self.name!r}: twin names must be unique; got {names}")
        object.__setattr__(self, "twins", twins)
        if self.display is not None and not isinstance(self.display, Display):
            raise TypeError(f"check {self.name!r}: display must be a Display")
        if self.schema is None:
            object.__setattr__(self, "schema", infer_schema({**self.full, **self.quick}))
            object.__setattr__(self, "_schema_declared", False)
        else:
            for k, p in self.schema.items():
                if not isinstance(p, Param):
                    raise TypeError(f"check {self.name!r}: schema[{k!r}] must be a Param")
            object.__setattr__(self, "_schema_declared", True)
            missing = [k for k in self.schema if k not in self.quick]
            if missing:
                raise ValueError(f"check {self.name!r}: the quick set gives no value for {missing}")
        # both parameter sets must be valid against the schema
        object.__setattr__(self, "quick", validate_params(self.schema, self.quick, owner=self.name))
        validate_params(self.schema, {**self.quick, **self.full}, owner=self.name)

    @property
    def schema_declared(self) -> bool:
        """Whether the schema was declared (``False``: inferred from the quick set)."""
        return bool(getattr(self, "_schema_declared", False))

    def twin(self, name: str) -> Twin:
        """The twin called ``name``.

        Parameters
        ----------
        name : str
            The twin's name.

        Returns
        -------
        Twin
            The falsification twin.

        Raises
        ------
        ValueError
            If the check has no twin of that name (the message lists the known ones).
        """
        for t in self.twins:
            if t.name == name:
                return t
        raise ValueError(f"check {self.name!r}: {unknown_key_message(name, [t.name for t in self.twins], 'twin')}")

    def params(self, mode: str = "quick", overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The validated parameter set of ``mode`` with ``overrides`` applied.

        Parameters
        ----------
        mode : {"quick", "full"}, default "quick"
            The quick set, or the quick set updated by the full one.
        overrides : Mapping of str to object, optional
            Values replacing those of the set.

        Returns
        -------
        dict of str to object
            The parameters, validated against the schema.

        Raises
        ------
        TypeError
            If ``overrides`` is not a mapping or a value has the wrong type.
        ValueError
            If ``mode`` or a key is unknown, or a value is out of range.
        """
        v.choice(mode, "mode", MODES)
        p = dict(self.quick if mode == "quick" else {**self.quick, **self.full})
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise TypeError(f"{self.name}: params must be a mapping; got {v.describe(overrides)}")
            p.update(overrides)
        return validate_params(self.schema, p, owner=self.name)

    # ------------------------------------------------------------------ running
    def _judge(self, pred: Prediction, est: Estimate, p: dict[str, Any], alpha: float, seed: int, mode: str,
               seconds: float, twin: str | None = None) -> CheckResult:
        cmp = self.compare(pred, est, p, alpha)
        kind = getattr(cmp, "kind", "statistical")
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
            seconds=seconds,
            seed=int(seed),
            details=dict(cmp.details),
            raw={"prediction": pred, "estimate": est, "comparison": cmp},
            mode=mode,
            kind=kind,
            tolerance=getattr(cmp, "tolerance", None),
            twin=twin,
        )

    def _error(self, p: dict[str, Any], alpha: float, seed: int, mode: str, t0: float, exc: BaseException,
               twin: str | None = None) -> CheckResult:
        return CheckResult(
            self.name, self.area, p, None, None, None, "error", None, None, alpha, False,
            time.perf_counter() - t0, int(seed), {}, f"{type(exc).__name__}: {exc}",
            {"traceback": traceback.format_exc()}, mode, "deterministic" if self.deterministic else "statistical",
            None, twin,
        )

    def run(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        mode: str = "quick",
        seed: int = 0,
        alpha: float = DEFAULT_ALPHA,
        predict: PredictFn | None = None,
        catch: bool = True,
    ) -> CheckResult:
        """Run the check once.

        ``params`` override the ``mode``'s parameter set (validated against the schema);
        ``predict`` replaces the theory (a falsification test feeds a wrong one).  With
        ``catch=True`` an exception in predict, measure or compare becomes an ``ERROR``
        result; bad arguments to ``run`` itself always raise.

        Parameters
        ----------
        params : Mapping of str to object, optional
            Overrides of the mode's parameter set.
        mode : {"quick", "full"}, default "quick"
            Which parameter set to start from.
        seed : int, default 0
            Seed of the measurement.
        alpha : float, default DEFAULT_ALPHA
            Significance level of the verdict, in (0, 1].
        predict : callable, optional
            A theory replacing the check's own ``predict``.
        catch : bool, default True
            Turn an exception in predict, measure or compare into an ``ERROR`` result.

        Returns
        -------
        CheckResult
            The verdict with the prediction, the estimate and the comparison.

        Raises
        ------
        TypeError, ValueError
            If an argument of ``run`` is invalid; with ``catch=False`` also what predict,
            measure or compare raise.
        """
        seed = v.seed(seed)
        alpha = v.real(alpha, "alpha", minimum=0.0, maximum=1.0, open_min=True)
        p = self.params(mode, params)
        t0 = time.perf_counter()
        try:
            pred = (predict or self.predict)(p)
            est = self.measure(p, seed)
            return self._judge(pred, est, p, alpha, seed, mode, time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            if not catch:
                raise
            return self._error(p, alpha, seed, mode, t0, exc)

    def evaluate(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        mode: str = "quick",
        seed: int = 0,
        alpha: float = DEFAULT_ALPHA,
        twins: bool | Sequence[str] = True,
        catch: bool = True,
    ) -> Evaluation:
        """Measure once; judge the correct prediction and the twins against that one measurement.

        ``twins=True`` judges every twin, a sequence of names judges those, ``False`` none.
        This is what calibration runs: the false-fail rate of the correct theory and the
        power against each twin come from the same measurements.

        Parameters
        ----------
        params : Mapping of str to object, optional
            Overrides of the mode's parameter set.
        mode : {"quick", "full"}, default "quick"
            Which parameter set to start from.
        seed : int, default 0
            Seed of the one measurement.
        alpha : float, default DEFAULT_ALPHA
            Significance level of the verdicts, in (0, 1].
        twins : bool or sequence of str, default True
            Which twins to judge.
        catch : bool, default True
            Turn an exception into ``ERROR`` results.

        Returns
        -------
        Evaluation
            The correct prediction's result and one result per twin, by name.

        Raises
        ------
        TypeError, ValueError
            If an argument is invalid or a twin name unknown; with ``catch=False`` also what
            predict, measure or compare raise.
        """
        seed = v.seed(seed)
        alpha = v.real(alpha, "alpha", minimum=0.0, maximum=1.0, open_min=True)
        p = self.params(mode, params)
        chosen = list(self.twins) if twins is True else [] if twins is False else [self.twin(n) for n in twins]
        t0 = time.perf_counter()
        try:
            pred = self.predict(p)
            est = self.measure(p, seed)
            seconds = time.perf_counter() - t0
            result = self._judge(pred, est, p, alpha, seed, mode, seconds)
        except Exception as exc:  # noqa: BLE001
            if not catch:
                raise
            err = self._error(p, alpha, seed, mode, t0, exc)
            return Evaluation(err, {t.name: self._error(p, alpha, seed, mode, t0, exc, t.name) for t in chosen})
        out: dict[str, CheckResult] = {}
        for t in chosen:
            t1 = time.perf_counter()
            try:
                out[t.name] = self._judge(t.predict(p), est, p, alpha, seed, mode, seconds, twin=t.name)
            except Exception as exc:  # noqa: BLE001
                if not catch:
                    raise
                out[t.name] = self._error(p, alpha, seed, mode, t1, exc, t.name)
        return Evaluation(result, out)


# the registry lives in validation.registry; its functions are part of this module's API
from validation.registry import (  # noqa: E402, F401
    _CHECKS,
    all_checks,
    get_check,
    register_check,
    select_checks,
    unregister_check,
)
