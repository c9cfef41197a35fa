"""Density-matrix numerics: batched Lindblad evolution with error bounds, channels, subsystems, entropies,
Born-rule sampling.

Everything accepts numpy arrays and torch tensors (CPU or CUDA; QuTiP ``Qobj`` where noted)
and returns the same kind it was given, as a new array.  Private modules: ``_evolve`` (the
public evolution entry points, cost estimates and caps), ``_propagator`` and ``_taylor`` (the
two routes with their running error bounds), ``_ops`` (channels and information quantities),
``_convert`` (input conversion and state checks).
"""

from __future__ import annotations

from numerics.density_matrix._evolve import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_WORK,
    lindblad_evolve,
    liouvillian_matrix,
)
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
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_MAX_WORK",
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
