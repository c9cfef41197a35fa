"""Valid calls of every public callable of numerics.density_matrix, for the argument fuzzer (tests/argfuzz.py)."""

from __future__ import annotations

import numpy as np

from tests.argfuzz import Call

_RHO = np.array([[0.6, 0.2 - 0.1j], [0.2 + 0.1j, 0.4]])
_SIGMA = np.diag([0.7, 0.3]).astype(complex)
_H = np.array([[1.0, 0.5], [0.5, -1.0]], dtype=complex)
_L = np.array([[0.0, 0.0], [0.6, 0.0]], dtype=complex)
_EFFECTS = [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]
_KRAUS = [np.sqrt(0.7) * np.eye(2), np.sqrt(0.3) * np.diag([1.0, -1.0])]
_BELL = np.full((4, 4), 0.0, dtype=complex)
_BELL[np.ix_([0, 3], [0, 3])] = 0.5

CASES = {
    "numerics.density_matrix.apply_kraus": Call((_KRAUS, _RHO)),
    "numerics.density_matrix.choi_matrix": Call((_KRAUS,)),
    "numerics.density_matrix.partial_trace": Call((_BELL, [2, 2], [0])),
    "numerics.density_matrix.purity": Call((_RHO,), {"tol": 1e-8}),
    "numerics.density_matrix.von_neumann_entropy": Call((_RHO,), {"cutoff": 1e-12, "tol": 1e-8}),
    "numerics.density_matrix.trace_distance": Call((_RHO, _SIGMA), {"tol": 1e-8}),
    "numerics.density_matrix.fidelity": Call((_RHO, _SIGMA), {"tol": 1e-8}),
    "numerics.density_matrix.born_probabilities": Call((_RHO, _EFFECTS), {"tol": 1e-8}),
    "numerics.density_matrix.sample_measurement": Call((_RHO, _EFFECTS, 100), {"seed": 0, "tol": 1e-8}),
    "numerics.density_matrix.liouvillian_matrix": Call((_H, [_L]), {"hermitian_tol": 1e-10}),
    "numerics.density_matrix.lindblad_evolve": Call(
        (_H, [_L], _RHO, np.linspace(0.0, 1.0, 5)),
        {"atol": 1e-10, "rtol": 1e-8, "method": "auto", "hermitian_tol": 1e-10, "state_tol": 1e-8,
         "max_work": 1e12, "max_memory": 4e9, "return_info": False},
        extra={"max_work": (-1.0, 0.0), "max_memory": (0.0,), "times": (np.array([0.0, 1.0, 1.0]),),
               "rho0": (2 * _RHO, np.diag([1.5, -0.5]))},
    ),
}

EXEMPT: dict[str, str] = {}
