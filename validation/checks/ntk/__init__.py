"""Checks of the neural tangent kernel theory against real torch networks (area ``ntk``).

* ``ntk.init_mean`` -- ensemble-mean empirical NTK = analytic NTK (exact; ``_init``);
* ``ntk.init_fluctuations`` -- the empirical NTK's deviation falls like width^(-1/2) (``_init``);
* ``ntk.trained_scaling`` -- GD-trained ensembles approach ``theory.ntk.ntk_predict`` like 1/width
  (``_trained``).

Every check builds one :class:`validation.systems.MLP` from its parameters (``_common``) and reads
both the theory's arguments and the torch architecture off it.  Exponents are fitted on the measured
quantity itself with its variance (``_fit``).  Each module's docstring states the check's power.
"""

from validation.checks.ntk import _init, _trained  # noqa: F401  (register the checks)

__all__: list[str] = []
