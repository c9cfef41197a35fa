"""Edgeworth checks: expansions of standardized sums (theory/edgeworth) against Monte Carlo sums and exact laws
(numerics/edgeworth), each summand law defined once in :mod:`validation.systems` (``Summand``).

* ``edgeworth.density.*`` -- distribution of sums vs Monte Carlo, per-bin budgets (``_density``);
* ``edgeworth.error_scaling.order*`` -- sup-error of the density vs the exact Gamma law, exponent by
  Richardson extrapolation, deterministic (``_scaling``);
* ``edgeworth.cornish_fisher.*`` -- quantiles vs empirical quantiles (``_cornish_fisher``);
* ``edgeworth.lattice.*`` -- lattice CDF with Esseen's terms vs Monte Carlo (``_lattice``);
* ``edgeworth.kstatistics.*`` -- k-statistics vs exact cumulants (``_kstatistics``).

``CHECKS`` maps their names to the :class:`~validation.check.Check` objects.
"""

from validation.checks.edgeworth import _cornish_fisher, _density, _kstatistics, _lattice, _scaling  # noqa: F401  (register)
from validation.checks.edgeworth._common import CHECKS

__all__ = ["CHECKS"]
