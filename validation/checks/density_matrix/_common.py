r"""Shared pieces of the density-matrix checks: the registry, 30-digit evaluation of closed forms,
and the deterministic tolerance of a solver-against-closed-form comparison.

Deterministic tolerance (a solver against a closed form; Higham, *Accuracy and Stability of
Numerical Algorithms*, 2002, ch. 3): at each output time the computed state is within

* the solver's running trace-norm error bound (``lindblad_evolve``'s ``info["error_bound"]``:
  propagator rounding, or the Taylor route's truncation control plus rounding, plus the time grid),
* plus the effect of rounding the model's entries to double precision
  (:meth:`validation.systems.LindbladModel.input_error`),

of the exact state of the model.  Every compared component (a matrix element, a Bloch component
:math:`\mathrm{tr}(\sigma\rho)`, a population) moves by at most the trace norm of the error, since
:math:`|\mathrm{tr}(O\Delta)| \le \|O\|\,\|\Delta\|_{\rm tr}` and :math:`\|\sigma_a\| = 1`.  The closed form is evaluated
at 30 significant digits and rounded once (error :math:`\le u|y|`, :math:`u = 2^{-53}`), its share of the budget.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from numerics.estimate import Estimate
from validation.check import Check, Prediction, register_check
from validation.params import Param
from validation.stats import Comparison, compare_tolerance

__all__ = ["CHECKS", "register", "cached", "times", "eval30", "U", "bloch", "tolerance_compare", "SOLVER_SOURCE",
           "TIME_PARAMS", "SOLVER_PARAMS", "solver_tolerance", "scaled"]

#: every density-matrix check, in registration order (usable without discovering other areas)
CHECKS: dict[str, Check] = {}

#: unit roundoff of double precision
U = 2.0**-53

SOLVER_SOURCE = ("lindblad_evolve's rigorous trace-norm error bound (propagator rounding, or Taylor truncation "
                 "control + rounding, + time grid) + the model's entry rounding (Duhamel) + closed form evaluated at "
                 "30 digits and rounded once (u|y|); each compared component moves by at most the trace-norm error")

TIME_PARAMS = {
    "t_max": Param("float", "last output time (units of 1/rate, hbar = 1)", minimum=0.0, open_min=True),
    "n_times": Param("int", "number of output times on linspace(0, t_max, n_times)", minimum=2),
}
SOLVER_PARAMS = {
    "atol": Param("float", "Taylor route: absolute trace-norm truncation tolerance of the whole run", minimum=0.0,
                  open_min=True),
    "rtol": Param("float", "Taylor route: relative truncation tolerance (times sqrt(N) max ||rho||_F)", minimum=0.0,
                  open_min=True),
    "method": Param("str", "lindblad_evolve route", choices=("auto", "propagator", "taylor")),
}


def _key(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _key(x)) for k, x in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_key(x) for x in value)
    return (type(value).__name__, value)


def cached(predict: Callable[[Mapping[str, Any]], Prediction]) -> Callable[[Mapping[str, Any]], Prediction]:
    """Memoise a ``predict(params)`` on the parameter values (a prediction is a function of them alone).

    Symbolic predictions cost seconds; the contract test, calibration and the twins call them
    repeatedly with the same parameters.  At most 64 parameter sets are kept.
    """
    store: dict[Any, Prediction] = {}

    @functools.wraps(predict)
    def wrapper(p: Mapping[str, Any]) -> Prediction:
        key = _key(p)
        if key not in store:
            if len(store) >= 64:
                store.pop(next(iter(store)))
            store[key] = predict(p)
        return store[key]

    return wrapper


def register(check: Check) -> Check:
    """Register ``check`` globally and in :data:`CHECKS`."""
    CHECKS[check.name] = register_check(check)
    return check


def times(p: Mapping[str, Any]) -> np.ndarray:
    """The output grid ``linspace(0, t_max, n_times)``."""
    return np.linspace(0.0, float(p["t_max"]), int(p["n_times"]))


def _mp(x: Any) -> Any:
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return x
    if isinstance(x, complex):
        return mpmath.mpc(x)
    return mpmath.mpf(float(x))


def eval30(expr: Any, symbols: Sequence[sp.Symbol], points: Sequence[Sequence[Any]], *, raw: bool = False) -> Any:
    """``expr`` (a scalar or a matrix) at each point, evaluated at 30 significant digits and rounded once.

    Points may hold floats (taken at their exact binary value), complex numbers or mpmath numbers.  Returns an
    array of shape ``(len(points), *shape)`` (complex when any value has an imaginary part), or with ``raw=True``
    the list of unrounded mpmath values (to feed a second evaluation without an intermediate rounding).
    """
    f = sp.lambdify(list(symbols), expr, modules="mpmath")
    out = []
    with mpmath.workdps(30):
        for pt in points:
            val = f(*[_mp(x) for x in pt])
            if raw:
                out.append(val)
            elif isinstance(val, mpmath.matrix) or hasattr(val, "tolist"):
                m = mpmath.matrix(val)
                out.append([[complex(m[i, j]) for j in range(m.cols)] for i in range(m.rows)])
            else:
                out.append(complex(val))
    if raw:
        return out
    arr = np.array(out, dtype=complex)
    return arr.real.copy() if np.all(arr.imag == 0) else arr


def bloch(rho: np.ndarray) -> np.ndarray:
    """Bloch components ``(x, y, z) = (2 Re rho_01, -2 Im rho_01, rho_00 - rho_11)`` of qubit states ``(..., 2, 2)``."""
    return np.stack([(rho[..., 0, 1] + rho[..., 1, 0]).real, (1j * (rho[..., 0, 1] - rho[..., 1, 0])).real,
                     (rho[..., 0, 0] - rho[..., 1, 1]).real], -1)


def solver_tolerance(model: Any, t: np.ndarray, info: Mapping[str, Any], extra: float = 0.0) -> np.ndarray:
    """Trace-norm error bound per output time: the solver's bound + the model's entry rounding + ``extra``
    (the rounding of extracting the compared components, a few u)."""
    return np.asarray(info["error_bound"], float) + model.input_error(t - t[0]) + extra


def scaled(p: Mapping[str, Any], key: str, factor: float) -> dict[str, Any]:
    """``p`` with ``p[key]`` multiplied by ``factor`` (for twins)."""
    q = dict(p)
    q[key] = q[key] * factor
    return q


def tolerance_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    """:func:`validation.stats.compare_tolerance` with the estimate's tolerance (broadcast along the components)."""
    tol = np.asarray(est.diagnostics["tolerance"], float)
    val = np.asarray(est.value, float)
    tol = tol.reshape(tol.shape + (1,) * (val.ndim - tol.ndim))
    return compare_tolerance(pred.value, val, np.broadcast_to(tol, val.shape), truncation=pred.truncation, alpha=alpha,
                             source=est.diagnostics["tolerance_source"])
