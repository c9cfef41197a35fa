"""Density-matrix checks (theory/density_matrix x numerics/density_matrix).

Closed-form solutions (``_closed_forms``), the Liouvillian spectrum (``_spectrum``), classical
limits (``_classical``, ``_scaling``), subsystems and measurements (``_subsystems``); shared pieces
in ``_common`` and the plots in ``_plots``.  Every model is defined once in
:mod:`validation.systems._lindblad`.  ``CHECKS`` maps the check names to the
:class:`~validation.check.Check` objects.
"""

from validation.checks.density_matrix import (  # noqa: F401
    _classical,
    _closed_forms,
    _scaling,
    _spectrum,
    _subsystems,
)
from validation.checks.density_matrix._common import CHECKS

__all__ = ["CHECKS"]
