"""Density-matrix checks (theory/density_matrix x numerics/density_matrix); see THEORY.md section 3.

Closed forms and the Liouvillian spectrum (``_closed_forms``), classical limits
(``_classical``), subsystems and measurements (``_subsystems``).  ``CHECKS`` maps
their names to the :class:`~validation.check.Check` objects.
"""

from validation.checks.density_matrix import _classical, _closed_forms, _subsystems  # noqa: F401  (register checks)
from validation.checks.density_matrix._models import CHECKS

__all__ = ["CHECKS"]
