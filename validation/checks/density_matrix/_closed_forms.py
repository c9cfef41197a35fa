"""Closed forms and the Liouvillian spectrum against batched numerical evolution."""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy.optimize import linear_sum_assignment

from numerics.estimate import Estimate
from numerics.density_matrix import liouvillian_matrix, lindblad_evolve
from theory.derivation import cached_lambdify
from theory.density_matrix import (
    amplitude_damping_bloch,
    coherent_state,
    coherent_tail_mass,
    damped_coherent_amplitude,
    liouvillian_spectrum,
    pauli,
    rabi_dephasing_bloch,
)
from validation.check import Check, Prediction
from validation.checks.density_matrix._models import register as _register
from validation.checks.density_matrix._models import SM, SX, SZ, bloch, times, tol_stderr
from validation.stats import Comparison, compare_point

__all__: list[str] = []

_t = sp.Symbol("t", nonnegative=True)
_TOL = {"atol": 1e-10, "rtol": 1e-8}


def _compare_point(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


def _eval(exprs: tuple[sp.Expr, ...], t: np.ndarray) -> np.ndarray:
    return np.stack([np.broadcast_to(np.real(cached_lambdify([_t], e)(t)), t.shape) for e in exprs], -1)


def _solve(H: np.ndarray, Ls: list[np.ndarray], rho0: np.ndarray, p: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    return lindblad_evolve(H, Ls, rho0, times(p), atol=p["atol"], rtol=p["rtol"], method=p.get("method", "auto"),
                           return_info=True)


# ---- Rabi drive with dephasing -------------------------------------------------------------------
def _rabi_predict(p: Mapping[str, Any]) -> Prediction:
    W, g = sp.nsimplify(p["W"]), sp.nsimplify(p["g"])
    return Prediction(_eval(rabi_dephasing_bloch(W, g, _t), times(p)), 0.0, summary="Bloch vector (x, y, z)(t), closed form")


def _rabi_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    rho, info = _solve(p["W"] / 2 * SX, [np.sqrt(p["g"] / 2) * SZ], np.diag([1.0, 0.0]).astype(complex), p)
    r = bloch(rho)
    return Estimate(r, tol_stderr(r, p), 1, seed, time.perf_counter() - t0, "solver-tolerance", {"solver": info})


_register(Check(
    "density_matrix.rabi_dephasing", "density_matrix",
    "Driven dephased qubit: closed-form Bloch vector vs lindblad_evolve (to ~1e-8)",
    _rabi_predict, _rabi_measure, _compare_point,
    quick={"W": 2.0, "g": 0.5, "t_max": 10.0, "n_times": 101, **_TOL},
    full={"W": 1.0, "g": 3.0, "t_max": 20.0, "n_times": 401, "method": "taylor"},
))


# ---- amplitude damping + dephasing + precession --------------------------------------------------
def _ad_predict(p: Mapping[str, Any]) -> Prediction:
    w, gam, g = (sp.nsimplify(p[k]) for k in ("w", "gamma", "g"))
    r0 = [sp.nsimplify(v) for v in p["r0"]]
    return Prediction(_eval(amplitude_damping_bloch(w, gam, g, r0, _t), times(p)), 0.0, summary="Bloch vector (x, y, z)(t)")


def _ad_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    x, y, z = p["r0"]
    rho0 = 0.5 * (np.eye(2) + x * SX + y * np.array([[0, -1j], [1j, 0]]) + z * SZ)
    Ls = [np.sqrt(p["gamma"]) * SM, np.sqrt(p["g"] / 2) * SZ]
    rho, info = _solve(p["w"] / 2 * SZ, Ls, rho0, p)
    r = bloch(rho)
    return Estimate(r, tol_stderr(r, p), 1, seed, time.perf_counter() - t0, "solver-tolerance", {"solver": info})


_register(Check(
    "density_matrix.amplitude_damping", "density_matrix",
    "Amplitude damping + dephasing + precession: closed-form Bloch vector vs lindblad_evolve",
    _ad_predict, _ad_measure, _compare_point,
    quick={"w": 3.0, "gamma": 0.4, "g": 0.3, "r0": [0.6, 0.0, 0.8], "t_max": 10.0, "n_times": 101, **_TOL},
    full={"r0": [0.0, 0.6, -0.8], "t_max": 30.0, "n_times": 601, "method": "taylor"},
))


# ---- damped oscillator: coherent states stay coherent --------------------------------------------
def _osc_predict(p: Mapping[str, Any]) -> Prediction:
    a0 = sp.nsimplify(p["alpha0_re"]) + sp.I * sp.nsimplify(p["alpha0_im"])
    d = int(p["dim"])
    alpha = cached_lambdify([_t], damped_coherent_amplitude(a0, sp.nsimplify(p["w"]), sp.nsimplify(p["kappa"]), _t))
    psi = cached_lambdify([sp.Symbol("alpha")], coherent_state(sp.Symbol("alpha"), d).T)
    mats = []
    for tt in times(p):
        v = np.asarray(psi(complex(alpha(tt))), dtype=complex).ravel()
        mats.append(np.outer(v, v.conj()))
    R = np.array(mats)
    eps = float(sp.N(coherent_tail_mass(a0, d), 30))
    # truncated dynamics = exact dynamics of P rho0 P; ||rho0 - P rho0 P||_1 <= 2 sqrt(eps) + eps, contracted by the flow
    budget = 2 * np.sqrt(eps) + eps
    return Prediction(np.concatenate([R.real.ravel(), R.imag.ravel()]), budget,
                      summary=f"|alpha(t)><alpha(t)| in {d} Fock levels (tail mass {eps:.2g})")


def _osc_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    d = int(p["dim"])
    a = np.diag(np.sqrt(np.arange(1, d)), 1).astype(complex)
    a0 = complex(p["alpha0_re"], p["alpha0_im"])
    n = np.arange(d)
    from scipy.special import gammaln

    psi = np.exp(-abs(a0) ** 2 / 2 + n * np.log(abs(a0)) - 0.5 * gammaln(n + 1)) * np.exp(1j * n * np.angle(a0))
    rho0 = np.outer(psi, psi.conj())
    rho0 = rho0 / np.trace(rho0).real
    rho, info = _solve(p["w"] * a.conj().T @ a, [np.sqrt(p["kappa"]) * a], rho0, p)
    v = np.concatenate([rho.real.ravel(), rho.imag.ravel()])
    return Estimate(v, tol_stderr(v, p), 1, seed, time.perf_counter() - t0, "solver-tolerance", {"solver": info})


_register(Check(
    "density_matrix.damped_oscillator", "density_matrix",
    "Damped oscillator: coherent state |alpha0 e^{-iwt-kt/2}> vs lindblad_evolve in a truncated Fock space",
    _osc_predict, _osc_measure, _compare_point,
    quick={"alpha0_re": 1.5, "alpha0_im": 0.5, "w": 1.0, "kappa": 0.5, "dim": 30, "t_max": 4.0, "n_times": 41, **_TOL},
    full={"dim": 40, "alpha0_re": 2.0, "n_times": 201, "t_max": 8.0},
))


# ---- Liouvillian spectrum: symbolic vs numeric ---------------------------------------------------
def _spec_model(p: Mapping[str, Any]) -> tuple[Any, list[Any]]:
    w, gam, g = (sp.nsimplify(p[k]) for k in ("w", "gamma", "g"))
    if p["model"] == "amplitude_damping":
        return w / 2 * pauli("z"), [sp.sqrt(gam) * pauli("-"), sp.sqrt(g / 2) * pauli("z")]
    if p["model"] == "rabi":
        return w / 2 * pauli("x"), [sp.sqrt(g / 2) * pauli("z")]
    raise ValueError(f"model must be 'amplitude_damping' or 'rabi', got {p['model']!r}")


def _spec_predict(p: Mapping[str, Any]) -> Prediction:
    H, Ls = _spec_model(p)
    ev = [complex(sp.N(k, 30)) for k, m in liouvillian_spectrum(H, Ls).items() for _ in range(m)]
    # eigenvalues as rows (Re, Im): real arrays for reports and plots
    return Prediction(np.array([[e.real, e.imag] for e in ev]), 0.0, summary=[str(e) for e in ev])


def _spec_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    H, Ls = _spec_model(p)
    L = liouvillian_matrix(np.array(H.evalf(), dtype=complex), [np.array(x.evalf(), dtype=complex) for x in Ls])
    ev, V = np.linalg.eig(L)
    # Bauer-Fike: |error| <= cond(V) * ||E||_2 with the QR algorithm's backward error ||E|| ~ n eps ||L||_2
    se = np.linalg.cond(V) * L.shape[0] * np.finfo(float).eps * np.linalg.norm(L, 2)
    return Estimate(np.column_stack([ev.real, ev.imag]), np.full((ev.size, 2), se), 1, seed, time.perf_counter() - t0,
                    "bauer-fike", {"cond_V": float(np.linalg.cond(V))})


def _spec_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    pa, pb = np.asarray(pred.value, float), np.asarray(est.value, float)
    a, b = pa[:, 0] + 1j * pa[:, 1], pb[:, 0] + 1j * pb[:, 1]
    if a.shape != b.shape:
        return Comparison("point-z", float("inf"), 0.0, alpha, False, {"reason": f"{a.size} vs {b.size} eigenvalues"})
    r, c = linear_sum_assignment(np.abs(a[:, None] - b[None, :]))
    a, b, se = a[r], b[c], np.asarray(est.stderr)[c, 0]  # eigenvalues matched by minimal total distance
    return compare_point(np.concatenate([a.real, a.imag]), np.concatenate([b.real, b.imag]), np.concatenate([se, se]), alpha=alpha)


_register(Check(
    "density_matrix.liouvillian_spectrum", "density_matrix",
    "Symbolic Liouvillian eigenvalues (sympy) vs numpy eigenvalues of the numeric superoperator",
    _spec_predict, _spec_measure, _spec_compare,
    quick={"model": "amplitude_damping", "w": 2.0, "gamma": 0.7, "g": 0.3},
    full={"model": "rabi", "w": 1.5, "g": 0.8},
))
