r"""Classical limits of density-matrix dynamics: a dephased unitary step, and the exact embedding of a Markov chain.

Both deterministic, with the solver tolerance of :mod:`validation.checks.density_matrix._common`.

* ``dephased_step_markov``: a closed hopping chain evolved from every site state, then fully
  dephased (Kraus projectors, exact in floating point: the products are with 0 and 1), gives
  :math:`T_{ij} = |U_{ij}|^2` (Nielsen & Chuang 2000, sec. 8.3.6).  Power: the twin (hopping 3% too
  large) moves :math:`T` by about 1e-2 against a tolerance of about 1e-13.
* ``classical_embedding``: jump operators :math:`\sqrt{w_{ij}}|i\rangle\langle j|` on a diagonal state reproduce
  :math:`p(t) = e^{Qt}p_0` (Breuer & Petruccione 2002, sec. 3.2).  Power: the twin (one rate 3% too large)
  moves the populations by about 1e-3 against a tolerance of about 1e-13.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import sympy as sp

from numerics.density_matrix import apply_kraus, lindblad_evolve
from numerics.estimate import Estimate
from theory.density_matrix import (
    classical_generator,
    classical_populations,
    dephased_step_markov,
    unitary_propagator,
)
from validation.check import Check, Display, Prediction, Twin
from validation.checks.density_matrix._common import (
    SOLVER_PARAMS,
    SOLVER_SOURCE,
    TIME_PARAMS,
    U,
    cached,
    eval30,
    register,
    scaled,
    solver_tolerance,
    times,
    tolerance_compare,
)
from validation.checks.density_matrix._plots import plot_matrix, plot_trajectory
from validation.params import Param
from validation.systems._lindblad import classical_chain, hopping_chain

__all__: list[str] = []

_TOL = {"atol": 1e-10, "rtol": 1e-8, "method": "auto"}


# ---- unitary step + full dephasing = Markov chain T_ij = |U_ij|^2 --------------------------------
@cached
def _markov_predict(p: Mapping[str, Any]) -> Prediction:
    m = hopping_chain(p["n"], p["J"])
    t = sp.Rational(repr(float(p["t"])))
    U_t = unitary_propagator(m.H, t)
    T = eval30(dephased_step_markov(U_t), [], [[]])[0].real
    return Prediction(T, U * np.abs(T) + 1e-29, summary="T_ij = |U_ij|^2, U = exp(-i H t) (sympy)")


def _markov_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    m = hopping_chain(p["n"], p["J"])
    H, _, basis = m.numeric()  # the n site states |j><j| as a batch
    n = m.dim
    grid = np.array([0.0, float(p["t"])])
    rho, info = lindblad_evolve(np.broadcast_to(H, (n, n, n)), [], basis, grid, atol=p["atol"], rtol=p["rtol"],
                                method=p["method"], return_info=True)
    projectors = [np.diag(np.eye(n)[i]).astype(complex) for i in range(n)]
    deph = apply_kraus(projectors, rho[:, -1])  # full dephasing, batched over j: exact (products with 0 and 1)
    T = np.einsum("jii->ij", deph).real
    tol = solver_tolerance(m, grid, info)[-1]
    return Estimate(T, 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"tolerance": np.full(T.shape, tol), "tolerance_source": SOLVER_SOURCE})


register(Check(
    "density_matrix.dephased_step_markov", "density_matrix",
    "Unitary step then full dephasing: transition matrix vs |U_ij|^2 (deterministic)",
    _markov_predict, _markov_measure, tolerance_compare,
    quick={"n": 3, "J": 1.0, "t": 0.7, **_TOL},
    full={"t": 2.3},
    schema={"n": Param("int", "sites of the hopping chain", minimum=2),
            "J": Param("float", "hopping amplitude (H = J sum |i><i+1| + h.c.)"),
            "t": Param("float", "duration of the unitary step", minimum=0.0, open_min=True),
            **SOLVER_PARAMS},
    twins=(Twin("J_x1.03", "hopping amplitude J 3% too large", lambda p: _markov_predict(scaled(p, "J", 1.03))),),
    display=Display("transition matrix T_ij = P(i <- j)", kind="matrix", unit="probability",
                    labels=lambda p: [f"T_{i}{j}" for i in range(p["n"]) for j in range(p["n"])]),
    deterministic=True, plot=plot_matrix,
))


# ---- exact embedding of a classical generator ----------------------------------------------------
_s = sp.Symbol("s", nonnegative=True)


@cached
def _embed_predict(p: Mapping[str, Any]) -> Prediction:
    m = classical_chain(p["rates"], p["p0"])
    Q = classical_generator(m.param("rates"))
    pt = classical_populations(Q, list(m.param("p0")), _s)
    val = eval30(pt, [_s], [[x] for x in times(p)])[:, :, 0].real
    return Prediction(val, U * np.abs(val) + 1e-29, summary="p(t) = exp(Qt) p0")


def _embed_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    m = classical_chain(p["rates"], p["p0"])
    H, Ls, rho0 = m.numeric()
    t = times(p)
    rho, info = lindblad_evolve(H, Ls, rho0, t, atol=p["atol"], rtol=p["rtol"], method=p["method"], return_info=True)
    pops = np.einsum("tii->ti", rho).real
    n = m.dim
    offdiag = float(np.abs(rho - pops[:, :, None] * np.eye(n)).max())
    return Estimate(pops, 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"axis": t, "tolerance": solver_tolerance(m, t, info), "tolerance_source": SOLVER_SOURCE,
                     "max_offdiagonal": offdiag, "n_jump_ops": len(Ls)})


def _rates(value: Any, name: str) -> tuple[tuple[float, ...], ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a square matrix (tuple of rows); got {value!r}")
    rows = tuple(tuple(float(x) for x in _row(r, f"{name}[{i}]")) for i, r in enumerate(value))
    if any(len(r) != len(rows) for r in rows) or len(rows) < 2:
        raise ValueError(f"{name} must be a square matrix of size >= 2")
    if any(x < 0 for r in rows for x in r):
        raise ValueError(f"{name} must be non-negative")
    return rows


def _row(r: Any, name: str) -> tuple[float, ...]:
    if isinstance(r, (str, bytes)) or not isinstance(r, (list, tuple)):
        raise TypeError(f"{name} must be a row of numbers; got {r!r}")
    for x in r:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"{name} must hold numbers; got {x!r}")
    return tuple(r)


def _wrong_rate(p: Mapping[str, Any]) -> Prediction:
    rates = [list(r) for r in p["rates"]]
    rates[0][1] *= 1.03
    return _embed_predict({**p, "rates": tuple(tuple(r) for r in rates)})


register(Check(
    "density_matrix.classical_embedding", "density_matrix",
    "Jump operators sqrt(w_ij)|i><j| on diagonal rho reproduce dp/dt = Q p (exp(Qt) p0, sympy; deterministic)",
    _embed_predict, _embed_measure, tolerance_compare,
    quick={"rates": ((0, 0.5, 0.2), (1.0, 0, 0.3), (0.25, 0.75, 0)), "p0": (0.2, 0.5, 0.3), "t_max": 5.0,
           "n_times": 51, **_TOL},
    full={"t_max": 20.0, "n_times": 401},
    schema={"rates": Param("any", "classical rates w_ij (i <- j) as a square tuple of rows; diagonal ignored",
                           check=_rates),
            "p0": Param("floats", "initial distribution (sums to 1)", minimum=0.0, maximum=1.0),
            **TIME_PARAMS, **SOLVER_PARAMS},
    twins=(Twin("w01_x1.03", "the rate w_01 3% too large", _wrong_rate),),
    display=Display("populations p_i(t)", kind="trajectory", unit="probability", axis="t", axis_unit="1/rate",
                    series=("p_0", "p_1", "p_2")),
    deterministic=True, plot=plot_trajectory,
))
