"""Quantum numerics: batched Lindblad evolution, channels, subsystems, entropies, Born-rule sampling.

Everything accepts numpy arrays and torch tensors (CPU or CUDA; QuTiP ``Qobj`` where noted)
and returns the same kind it was given.  Private modules: ``_evolve`` (evolution,
superoperators), ``_ops`` (channels and information quantities), ``_convert`` (input checks).
"""

from __future__ import annotations

from numerics.density_matrix._evolve import PROPAGATOR_MAX_N, liouvillian_matrix, lindblad_evolve
from numerics.density_matrix._ops import (
    apply_kraus,
    born_probabilities,
    choi_matrix,
    fidelity,
    partial_trace,
    purity,
    sample_measurement,
    trace_distance,
    von_neumann_entropy,
)

__all__ = [
    "PROPAGATOR_MAX_N",
    "apply_kraus",
    "born_probabilities",
    "choi_matrix",
    "fidelity",
    "liouvillian_matrix",
    "lindblad_evolve",
    "partial_trace",
    "purity",
    "sample_measurement",
    "trace_distance",
    "von_neumann_entropy",
]
