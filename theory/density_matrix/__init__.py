"""Density-matrix dynamics, symbolically: Lindblad theory, closed forms, channels, classical limits.

The public names are re-exported from private modules:
``_core`` (states, commutators, dissipator, Liouvillian), ``_evolution`` (closed-form
evolution, Bloch solutions, coherent states), ``_states`` (partial trace, entropy,
fidelity, Kraus/Choi, measurements), ``_classical`` (classical limits), ``_dimer`` (the error
of the classical rate law for a dephased dimer), ``_validate`` (argument checks: no string
ever reaches sympy).  The derivations in ``_derivations`` are registered for ``theorycheck docs``.

References: Lindblad, Commun. Math. Phys. 48 (1976) 119; Gorini, Kossakowski & Sudarshan,
J. Math. Phys. 17 (1976) 821; Breuer & Petruccione, *The Theory of Open Quantum Systems*
(2002); Nielsen & Chuang, *Quantum Computation and Quantum Information* (2000).
"""

from __future__ import annotations

from theory.density_matrix import _derivations  # noqa: F401  (registers the derivations)
from theory.density_matrix._classical import (
    classical_embedding_jump_ops,
    classical_generator,
    classical_populations,
    dephased_step_markov,
    strong_dephasing_rates,
    two_site_exact_rates,
    two_site_rate_series,
)
from theory.density_matrix._core import (
    anticommutator,
    bloch_density_matrix,
    commutator,
    dissipator,
    lindblad_rhs,
    liouvillian,
    liouvillian_spectrum,
    matrix_exponential,
    pauli,
    symbolic_density_matrix,
    unitary_propagator,
    unvec,
    vec,
)
from theory.density_matrix._dimer import (
    dimer_classical_error,
    dimer_error_log_series,
    dimer_population_error,
)
from theory.density_matrix._evolution import (
    amplitude_damping_bloch,
    amplitude_damping_spectrum,
    bloch_equations,
    coherent_state,
    coherent_tail_mass,
    damped_coherent_amplitude,
    evolve_closed_form,
    rabi_dephasing_bloch,
)
from theory.density_matrix._states import (
    apply_kraus,
    choi_matrix,
    entanglement_entropy,
    fidelity,
    partial_trace,
    povm_probabilities,
    projective_measurement,
    purity,
    schmidt_state,
    von_neumann_entropy,
)

__all__ = [
    "amplitude_damping_bloch", "amplitude_damping_spectrum", "anticommutator", "apply_kraus", "bloch_density_matrix",
    "bloch_equations", "choi_matrix", "classical_embedding_jump_ops", "classical_generator", "classical_populations",
    "coherent_state", "coherent_tail_mass", "commutator", "damped_coherent_amplitude", "dephased_step_markov",
    "dimer_classical_error", "dimer_error_log_series", "dimer_population_error", "dissipator", "entanglement_entropy", "evolve_closed_form", "fidelity", "lindblad_rhs", "liouvillian",
    "liouvillian_spectrum", "matrix_exponential", "partial_trace", "pauli", "povm_probabilities", "projective_measurement", "purity",
    "rabi_dephasing_bloch", "schmidt_state", "strong_dephasing_rates", "symbolic_density_matrix",
    "two_site_exact_rates", "two_site_rate_series", "unitary_propagator", "unvec", "vec", "von_neumann_entropy",
]
