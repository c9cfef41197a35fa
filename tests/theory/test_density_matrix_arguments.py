"""theory.density_matrix: valid calls for the argument fuzzer, and the regression tests for strings reaching sympy.

Strings given as numbers or matrix entries used to be handed to ``sympy.sympify``, which evaluates
them: ``entanglement_entropy(["__import__('os').system(...)"])`` ran the command.  Every public
function now refuses them with ``TypeError`` before any sympy call.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np
import pytest
import sympy as sp

import theory.density_matrix as dm
from tests.argfuzz import Call

_H = np.array([[1.0, 0.5], [0.5, -1.0]])
_L = np.array([[0.0, 0.0], [0.6, 0.0]])
_RHO = np.array([[0.6, 0.2], [0.2, 0.4]])
_SIGMA = np.diag([0.7, 0.3])
_P = [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]
_KRAUS = [np.sqrt(0.75) * np.eye(2), 0.5 * np.diag([1.0, -1.0])]
_BELL = np.zeros((4, 4))
_BELL[np.ix_([0, 3], [0, 3])] = 0.5
_RATES = np.array([[0.0, 0.5, 0.25], [1.0, 0.0, 0.5], [0.25, 0.75, 0.0]])
_Q = np.array([[-1.25, 0.5, 0.25], [1.0, -1.25, 0.5], [0.25, 0.75, -0.75]])

P = "theory.density_matrix."
CASES = {
    P + "symbolic_density_matrix": Call((2,), {"name": "rho"}, skip=("name",)),  # any identifier is a valid prefix
    P + "pauli": Call(("x",)),
    P + "bloch_density_matrix": Call((0.3, 0.2, 0.6)),
    P + "commutator": Call((_H, _L)),
    P + "anticommutator": Call((_H, _L)),
    P + "dissipator": Call((_L, _RHO)),
    P + "lindblad_rhs": Call((_H, [_L], _RHO)),
    P + "vec": Call((_RHO,)),
    P + "unvec": Call((np.array([0.6, 0.2, 0.2, 0.4]), 2)),
    P + "liouvillian": Call((_H, [_L])),
    P + "liouvillian_spectrum": Call((np.diag([0.5, -0.5]), [_L])),
    P + "evolve_closed_form": Call((np.diag([0.5, -0.5]), [_L], _RHO, 0.5)),
    P + "bloch_equations": Call((_H, [_L])),
    P + "rabi_dephasing_bloch": Call((2.0, 0.5, 1.0)),
    P + "amplitude_damping_bloch": Call((3.0, 0.4, 0.3, [0.6, 0.0, 0.8], 1.0)),
    P + "amplitude_damping_spectrum": Call((2.0, 0.7, 0.3)),
    P + "coherent_state": Call((1.5, 5)),
    P + "damped_coherent_amplitude": Call((1.5, 1.0, 0.5, 1.0)),
    P + "coherent_tail_mass": Call((2.0, 10)),
    P + "partial_trace": Call((_BELL, [2, 2], [0])),
    P + "purity": Call((_RHO,)),
    P + "von_neumann_entropy": Call((_SIGMA,)),
    P + "fidelity": Call((_RHO, _SIGMA)),
    P + "apply_kraus": Call((_KRAUS, _RHO)),
    P + "choi_matrix": Call((_KRAUS,)),
    P + "projective_measurement": Call((_RHO, _P)),
    P + "povm_probabilities": Call((_RHO, _P)),
    P + "schmidt_state": Call(([0.5, 0.3, 0.2],)),
    P + "entanglement_entropy": Call(([0.5, 0.3, 0.2],)),
    P + "dephased_step_markov": Call((np.array([[0.6, 0.8], [-0.8, 0.6]]),)),
    P + "strong_dephasing_rates": Call((_H, 2.0)),
    P + "classical_generator": Call((_RATES,)),
    P + "classical_embedding_jump_ops": Call((_Q,)),
    P + "classical_populations": Call((_Q, [0.2, 0.5, 0.3], 1.0)),
    P + "two_site_exact_rates": Call((0.1, 2.0)),
    P + "two_site_rate_series": Call((3,)),
    P + "dimer_population_error": Call((0.03, 1.0)),
    P + "dimer_classical_error": Call((0.03, [0.5, 1.0])),
    P + "dimer_error_log_series": Call(([0.5, 1.0], 2)),
}

EXEMPT: dict[str, str] = {}


# ---- strings never reach sympy -------------------------------------------------------------------
def _payload(tmp: str) -> str:
    return f"__import__('pathlib').Path({os.path.join(tmp, 'ran')!r}).touch()"


STRING_CALLS: dict[str, Callable[[str], Any]] = {
    "entanglement_entropy": lambda s: dm.entanglement_entropy([s, 0.5]),
    "schmidt_state": lambda s: dm.schmidt_state([s]),
    "bloch_density_matrix": lambda s: dm.bloch_density_matrix(s, 0, 0),
    "rabi_dephasing_bloch": lambda s: dm.rabi_dephasing_bloch(s, 1),
    "amplitude_damping_bloch": lambda s: dm.amplitude_damping_bloch(1, 1, 1, [s, 0, 0]),
    "amplitude_damping_spectrum": lambda s: dm.amplitude_damping_spectrum(1, s, 1),
    "coherent_state": lambda s: dm.coherent_state(s, 3),
    "damped_coherent_amplitude": lambda s: dm.damped_coherent_amplitude(1, 1, 1, s),
    "coherent_tail_mass": lambda s: dm.coherent_tail_mass(s, 3),
    "evolve_closed_form": lambda s: dm.evolve_closed_form(np.eye(2), [], np.eye(2) / 2, s),
    "liouvillian (entry)": lambda s: dm.liouvillian([[s, 0], [0, 1]], []),
    "liouvillian (jump entry)": lambda s: dm.liouvillian(np.eye(2), [[[0, s], [0, 0]]]),
    "liouvillian_spectrum": lambda s: dm.liouvillian_spectrum([[1, 0], [0, s]], []),
    "lindblad_rhs": lambda s: dm.lindblad_rhs(np.eye(2), [], [[s, 0], [0, 1]]),
    "dissipator": lambda s: dm.dissipator([[s, 0], [0, 0]], np.eye(2)),
    "commutator": lambda s: dm.commutator([[s]], [[1]]),
    "anticommutator": lambda s: dm.anticommutator([[1]], [[s]]),
    "vec": lambda s: dm.vec([[s, 1]]),
    "unvec": lambda s: dm.unvec([s, 0, 0, 1]),
    "bloch_equations": lambda s: dm.bloch_equations([[s, 0], [0, 1]], []),
    "partial_trace": lambda s: dm.partial_trace([[s]], [1], [0]),
    "purity": lambda s: dm.purity([[s]]),
    "von_neumann_entropy": lambda s: dm.von_neumann_entropy([[s]]),
    "fidelity": lambda s: dm.fidelity([[1]], [[s]]),
    "apply_kraus": lambda s: dm.apply_kraus([[[s]]], [[1]]),
    "choi_matrix": lambda s: dm.choi_matrix([[[s]]]),
    "projective_measurement": lambda s: dm.projective_measurement([[1]], [[[s]]]),
    "povm_probabilities": lambda s: dm.povm_probabilities([[s]], [[[1]]]),
    "dephased_step_markov": lambda s: dm.dephased_step_markov([[s]]),
    "strong_dephasing_rates": lambda s: dm.strong_dephasing_rates(np.eye(2), s),
    "classical_generator": lambda s: dm.classical_generator([[0, s], [1, 0]]),
    "classical_embedding_jump_ops": lambda s: dm.classical_embedding_jump_ops([[0, s], [1, 0]]),
    "classical_populations": lambda s: dm.classical_populations(np.zeros((2, 2)), [s, 0], 1),
    "two_site_exact_rates": lambda s: dm.two_site_exact_rates(s, 1),
    "dimer_population_error": lambda s: dm.dimer_population_error(0.03, s),
    "dimer_classical_error": lambda s: dm.dimer_classical_error(0.03, [s]),
    "dimer_error_log_series": lambda s: dm.dimer_error_log_series([s], 1),
    "symbolic_density_matrix (name)": lambda s: dm.symbolic_density_matrix(2, s),
}


@pytest.mark.parametrize("name", sorted(STRING_CALLS))
def test_strings_are_refused_before_sympy(name: str, tmp_path: Any) -> None:
    """Regression: strings given as numbers or matrix entries used to be evaluated by sympy."""
    with pytest.raises((TypeError, ValueError)):
        STRING_CALLS[name](_payload(str(tmp_path)))
    assert not os.path.exists(os.path.join(str(tmp_path), "ran")), f"{name} evaluated the string"


def test_string_entries_raise_type_error_naming_the_argument() -> None:
    with pytest.raises(TypeError, match=r"coefficients\[0\]"):
        dm.entanglement_entropy(["0.5", 0.5])
    with pytest.raises(TypeError, match=r"H\[0\]\[1\]"):
        dm.liouvillian([[1, "x"], ["x", 1]], [])
    with pytest.raises(TypeError, match="W"):
        dm.rabi_dephasing_bloch("2", 1)
    with pytest.raises(ValueError, match="name"):
        dm.symbolic_density_matrix(2, "a, b")  # sympy.symbols would have made extra symbols


# ---- numeric non-states are refused, naming the property -------------------------------------------
def test_numeric_non_states_raise() -> None:
    with pytest.raises(ValueError, match="unit trace"):
        dm.fidelity(sp.eye(2), sp.eye(2) / 2)
    with pytest.raises(ValueError, match="positive semidefinite"):
        dm.povm_probabilities(sp.diag(sp.Rational(3, 2), -sp.Rational(1, 2)), [sp.diag(1, 0), sp.diag(0, 1)])
    with pytest.raises(ValueError, match="positive semidefinite"):
        dm.von_neumann_entropy(sp.diag(sp.Rational(3, 2), -sp.Rational(1, 2)))
    with pytest.raises(ValueError, match="Hermitian"):
        dm.purity(sp.Matrix([[sp.Rational(1, 2), 1], [0, sp.Rational(1, 2)]]))
    with pytest.raises(ValueError, match="effects.*positive semidefinite"):
        dm.povm_probabilities(sp.eye(2) / 2, [sp.diag(2, 0), sp.diag(-1, 1)])
    with pytest.raises(ValueError, match="sum to 1"):
        dm.entanglement_entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="Bloch vector"):
        dm.bloch_density_matrix(1, 1, 0)
    # symbolic states are the caller's assumption: no error
    dm.purity(dm.symbolic_density_matrix(2))

CASES.update({
    P + "matrix_exponential": Call((np.array([[0.0, 1.0], [-1.0, 0.0]]), 0.5)),
    P + "unitary_propagator": Call((_H, 0.5)),
})
