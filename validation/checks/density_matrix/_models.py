"""Model definitions shared by the predict and measure sides of the density-matrix checks.

One definition per model (as numpy arrays for numerics, sympy for theory), built from the
same parameter dict, so the theory and the simulation cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import sympy as sp

from validation.check import Check, register_check

#: every density-matrix check, in registration order (usable without discovering other areas)
CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Register ``check`` globally and in :data:`CHECKS`."""
    CHECKS[check.name] = register_check(check)
    return check

__all__ = ["CHECKS", "register", "SX", "SY", "SZ", "SM", "bloch", "times", "tol_stderr", "dimer", "rates_matrix", "trine_effects"]

SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
SZ = np.array([[1, 0], [0, -1]], dtype=complex)
SM = np.array([[0, 0], [1, 0]], dtype=complex)  # sigma_- = |1><0|, |0> = sigma_z = +1


def bloch(rho: np.ndarray) -> np.ndarray:
    """Bloch components (x, y, z) of qubit states ``(..., 2, 2)`` -> ``(..., 3)``."""
    return np.stack([np.einsum("ij,...ji->...", P, rho).real for P in (SX, SY, SZ)], -1)


def times(p: Mapping[str, Any]) -> np.ndarray:
    """The output grid ``linspace(0, t_max, n_times)``."""
    return np.linspace(0.0, float(p["t_max"]), int(p["n_times"]))


def tol_stderr(value: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """The solver's error scale ``atol + rtol*|value|`` used as the standard error of a deterministic solution.

    It is what :func:`numerics.quantum.lindblad_evolve` guarantees (Taylor) or far exceeds
    (propagator: rounding only), so it is a conservative one-sigma error.
    """
    return float(p["atol"]) + float(p["rtol"]) * np.abs(value)


def dimer(J: float, g: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dephased dimer: ``H = J sigma_x``, ``L_i = sqrt(g) |i><i|`` (coherences decay at rate ``g``)."""
    H = J * SX
    return H, [np.sqrt(g) * np.diag([1.0, 0.0]).astype(complex), np.sqrt(g) * np.diag([0.0, 1.0]).astype(complex)]


def rates_matrix(p: Mapping[str, Any]) -> sp.Matrix:
    """The classical rates ``w_ij`` (i <- j) as an exact sympy matrix (zero diagonal)."""
    return sp.Matrix([[sp.nsimplify(v) for v in row] for row in p["rates"]])


def trine_effects() -> list[np.ndarray]:
    """Trine POVM ``E_k = (2/3)|psi_k><psi_k|``, ``psi_k = cos(k pi/3)|0> + sin(k pi/3)|1>`` (Peres 1993 sec. 9.6)."""
    out = []
    for k in range(3):
        v = np.array([np.cos(k * np.pi / 3), np.sin(k * np.pi / 3)], dtype=complex)
        out.append(2.0 / 3.0 * np.outer(v, v.conj()))
    return out
