r"""Calibration: a check's false-fail rate with the correct theory, and its power against its twins.

For seeds :math:`s_1, \dots, s_N` (the seeds the suite would give the check under suite
seeds ``0 .. N-1``), each seed is measured once and judged against the correct prediction
and against every declared twin (:meth:`validation.check.Check.evaluate`).

* The **false-fail rate** at level :math:`\alpha` is the fraction of seeds where the
  correct theory fails; its 95% Clopper-Pearson interval (Clopper & Pearson 1934,
  Biometrika 26:404) says whether it is compatible with :math:`\alpha`.  The rate is
  also reported at reference levels (0.05, 0.01, 0.001), where far fewer seeds resolve a
  miscalibration than at the suite's level: a check whose p-values are valid fails at
  most at rate :math:`\alpha` at every level.
* The **power** of a twin is the fraction of seeds where it fails at the suite's level.
* ERRORs (exceptions) are counted separately: they are defects, not statistics.

Deterministic checks have no false-fail rate: a verdict cannot vary from random error.  A
measurement may still use its seed (random unitaries, random inputs), so their first 20 seeds
are run (``DETERMINISTIC_SEEDS``) and any failure is a defect.
"""

from __future__ import annotations

from ._counts import REFERENCE_LEVELS, Calibration, TwinPower, calibration_table, clopper_pearson
from ._run import calibrate, calibration_from_outcomes, outcome

__all__ = ["clopper_pearson", "TwinPower", "Calibration", "calibrate", "REFERENCE_LEVELS", "outcome",
           "calibration_from_outcomes", "calibration_table"]
