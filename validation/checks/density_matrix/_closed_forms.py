r"""Closed-form Lindblad solutions against the batched solver: Rabi + dephasing, amplitude damping, damped oscillator.

All three are deterministic (``deterministic=True``): the solver's rigorous error bound plus the
model's entry rounding plus the 30-digit closed form's final rounding make the tolerance
(:mod:`validation.checks.density_matrix._common`), about 1e-13 to 1e-12 for the propagator route and
``atol + rtol`` (plus rounding) for the Taylor route.  The damped oscillator adds the Fock-truncation
budget :math:`2\sqrt\varepsilon + \varepsilon` of the theory (tail mass :math:`\varepsilon`; gentle-measurement lemma).

Power: a twin fails when its trajectory differs from the true one by more than the tolerance at
some time; the stated twins (a rate 3% off, a frequency 2% off) differ by 1e-3 to 1e-2, i.e. by
9 or more orders of magnitude more than the tolerance.  Any error in a rate or frequency above
about 1e-9 relative is detected.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import sympy as sp

from numerics.density_matrix import lindblad_evolve
from numerics.estimate import Estimate
from theory.density_matrix import (
    amplitude_damping_bloch,
    coherent_state,
    coherent_tail_mass,
    damped_coherent_amplitude,
    rabi_dephasing_bloch,
)
from validation.check import Check, Display, Prediction, Twin
from validation.checks.density_matrix._common import (
    SOLVER_PARAMS,
    SOLVER_SOURCE,
    TIME_PARAMS,
    U,
    bloch,
    cached,
    eval30,
    register,
    scaled,
    solver_tolerance,
    times,
    tolerance_compare,
)
from validation.checks.density_matrix._plots import plot_oscillator, plot_trajectory
from validation.params import Param
from validation.systems._lindblad import (
    amplitude_damping,
    damped_oscillator,
    rabi_dephasing,
)

__all__: list[str] = []

_t = sp.Symbol("t", nonnegative=True)
_a = sp.Symbol("alpha")
_TOL = {"atol": 1e-10, "rtol": 1e-8, "method": "auto"}
_BLOCH = Display("Bloch vector", kind="trajectory", unit="dimensionless", axis="t", axis_unit="1/rate (hbar = 1)",
                 series=("x", "y", "z"))


def _bloch_prediction(exprs: tuple[sp.Expr, sp.Expr, sp.Expr], p: Mapping[str, Any], summary: str) -> Prediction:
    t = times(p)
    val = eval30(sp.Matrix(exprs), [_t], [[x] for x in t])[:, :, 0]
    return Prediction(val, U * np.abs(val) + 1e-29, summary=summary)


def _bloch_measure(model: Any, p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    t = times(p)
    H, Ls, rho0 = model.numeric()
    rho, info = lindblad_evolve(H, Ls, rho0, t, atol=p["atol"], rtol=p["rtol"], method=p["method"], return_info=True)
    r = bloch(rho)
    tol = solver_tolerance(model, t, info, extra=4 * U)  # extraction: one rounding of a sum of two entries
    return Estimate(r, 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"axis": t, "tolerance": tol, "tolerance_source": SOLVER_SOURCE, "solver": info["method"]})


# ---- Rabi drive with dephasing -------------------------------------------------------------------
@cached
def _rabi_predict(p: Mapping[str, Any]) -> Prediction:
    m = rabi_dephasing(p["W"], p["g"])
    return _bloch_prediction(rabi_dephasing_bloch(m.param("W"), m.param("g"), _t), p,
                             "Bloch vector (x, y, z)(t), closed form (Allen & Eberly)")


def _rabi_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    return _bloch_measure(rabi_dephasing(p["W"], p["g"]), p, seed)


register(Check(
    "density_matrix.rabi_dephasing", "density_matrix",
    "Driven dephased qubit: closed-form Bloch vector vs lindblad_evolve (deterministic, derived tolerance)",
    _rabi_predict, _rabi_measure, tolerance_compare,
    quick={"W": 2.0, "g": 0.5, "t_max": 10.0, "n_times": 101, **_TOL},
    full={"W": 1.0, "g": 3.0, "t_max": 20.0, "n_times": 401, "method": "taylor"},
    schema={"W": Param("float", "Rabi frequency W (H = W/2 sigma_x)"),
            "g": Param("float", "dephasing rate g (L = sqrt(g/2) sigma_z)", minimum=0.0),
            **TIME_PARAMS, **SOLVER_PARAMS},
    twins=(Twin("g_x1.03", "dephasing rate g 3% too large", lambda p: _rabi_predict(scaled(p, "g", 1.03))),
           Twin("W_x1.02", "Rabi frequency W 2% too large", lambda p: _rabi_predict(scaled(p, "W", 1.02)))),
    display=_BLOCH, deterministic=True, plot=plot_trajectory,
))


# ---- amplitude damping + dephasing + precession --------------------------------------------------
def _ad_model(p: Mapping[str, Any]) -> Any:
    return amplitude_damping(p["w"], p["gamma"], p["g"], p["r0"])


@cached
def _ad_predict(p: Mapping[str, Any]) -> Prediction:
    m = _ad_model(p)
    return _bloch_prediction(amplitude_damping_bloch(m.param("w"), m.param("gamma"), m.param("g"), m.param("r0"), _t),
                             p, "Bloch vector (x, y, z)(t), closed form (Breuer & Petruccione 3.4.1)")


def _ad_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    return _bloch_measure(_ad_model(p), p, seed)


register(Check(
    "density_matrix.amplitude_damping", "density_matrix",
    "Amplitude damping + dephasing + precession: closed-form Bloch vector vs lindblad_evolve (deterministic)",
    _ad_predict, _ad_measure, tolerance_compare,
    quick={"w": 3.0, "gamma": 0.4, "g": 0.3, "r0": (0.6, 0.0, 0.8), "t_max": 10.0, "n_times": 101, **_TOL},
    full={"r0": (0.0, 0.6, -0.8), "t_max": 30.0, "n_times": 601, "method": "taylor"},
    schema={"w": Param("float", "precession frequency (H = w/2 sigma_z)"),
            "gamma": Param("float", "amplitude-damping rate (L1 = sqrt(gamma) sigma_-)", minimum=0.0),
            "g": Param("float", "dephasing rate (L2 = sqrt(g/2) sigma_z)", minimum=0.0),
            "r0": Param("floats", "initial Bloch vector (x0, y0, z0), length <= 1", minimum=-1.0, maximum=1.0, length=3),
            **TIME_PARAMS, **SOLVER_PARAMS},
    twins=(Twin("gamma_x1.03", "amplitude-damping rate gamma 3% too large",
                lambda p: _ad_predict(scaled(p, "gamma", 1.03))),
           Twin("w_x1.02", "precession frequency w 2% too large", lambda p: _ad_predict(scaled(p, "w", 1.02)))),
    display=_BLOCH, deterministic=True, plot=plot_trajectory,
))


# ---- damped oscillator: coherent states stay coherent --------------------------------------------
def _osc_model(p: Mapping[str, Any]) -> Any:
    return damped_oscillator(complex(p["alpha0_re"], p["alpha0_im"]), p["w"], p["kappa"], p["dim"])


@cached
def _osc_predict(p: Mapping[str, Any]) -> Prediction:
    m = _osc_model(p)
    d = m.param("dim")
    alpha = damped_coherent_amplitude(m.param("alpha0"), m.param("w"), m.param("kappa"), _t)
    a_t = eval30(alpha, [_t], [[x] for x in times(p)], raw=True)  # alpha(t) kept at 30 digits
    psi = eval30(coherent_state(_a, d), [_a], [[a] for a in a_t])[:, :, 0]  # (T, d), rounded once
    R = psi[:, :, None] * psi[:, None, :].conj()  # one more rounding per entry: <= 4u |R| in all
    eps = float(sp.N(coherent_tail_mass(m.param("alpha0"), d), 30))
    # the truncated dynamics is the exact dynamics of P rho0 P / tr: within 2 sqrt(eps) + eps of
    # P |alpha(t)><alpha(t)| P in trace norm (gentle measurement; Winter 1999), contracted by the flow
    budget = 2 * np.sqrt(eps) + eps
    val = np.stack([R.real, R.imag], -1)
    return Prediction(val, budget + 5 * U * np.abs(val) + 1e-29,
                      summary=f"P|alpha(t)><alpha(t)|P in {d} Fock levels (tail mass {eps:.2g})",
                      extra={"fock_budget": budget})


def _osc_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    m = _osc_model(p)
    t = times(p)
    H, Ls, rho0 = m.numeric()
    rho, info = lindblad_evolve(H, Ls, rho0, t, atol=p["atol"], rtol=p["rtol"], method=p["method"], return_info=True)
    tol = solver_tolerance(m, t, info)
    return Estimate(np.stack([rho.real, rho.imag], -1), 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"axis": t, "tolerance": tol, "tolerance_source": SOLVER_SOURCE + " + Fock truncation budget",
                     "solver": info["method"]})


register(Check(
    "density_matrix.damped_oscillator", "density_matrix",
    "Damped oscillator: coherent state |alpha0 e^{-iwt-kt/2}> vs lindblad_evolve in a truncated Fock space",
    _osc_predict, _osc_measure, tolerance_compare,
    quick={"alpha0_re": 1.5, "alpha0_im": 0.5, "w": 1.0, "kappa": 0.5, "dim": 30, "t_max": 4.0, "n_times": 41, **_TOL},
    full={"dim": 40, "alpha0_re": 2.0, "n_times": 201, "t_max": 8.0},
    schema={"alpha0_re": Param("float", "real part of the initial coherent amplitude alpha0"),
            "alpha0_im": Param("float", "imaginary part of alpha0"),
            "w": Param("float", "oscillator frequency (H = w a^dagger a)"),
            "kappa": Param("float", "damping rate (L = sqrt(kappa) a)", minimum=0.0),
            "dim": Param("int", "Fock levels kept", minimum=2),
            **TIME_PARAMS, **SOLVER_PARAMS},
    twins=(Twin("kappa_x1.03", "damping rate kappa 3% too large", lambda p: _osc_predict(scaled(p, "kappa", 1.03))),
           Twin("w_x1.02", "oscillator frequency w 2% too large", lambda p: _osc_predict(scaled(p, "w", 1.02)))),
    display=Display("density matrix rho_nm(t) in the Fock basis", kind="trajectory", unit="dimensionless", axis="t",
                    axis_unit="1/w (hbar = 1)", series=("Re rho_nm", "Im rho_nm")),
    deterministic=True, plot=plot_oscillator,
))
