"""Density-matrix checks (theory/density_matrix x numerics/quantum); see THEORY.md section 3.

Closed forms and the Liouvillian spectrum (``_closed_forms``), classical limits
(``_classical``), subsystems and measurements (``_subsystems``).
"""

from validation.checks.density_matrix import _classical, _closed_forms, _subsystems  # noqa: F401  (register checks)

__all__: list[str] = []
