"""Singular learning theory checks: exact learning coefficients against sampled local posteriors.

Importing this package registers the checks (one private module per experiment):

* ``singular_learning.normal_crossing`` -- MALA against the exact finite-n beta quadrature;
* ``singular_learning.sgld_step_bias`` -- SGLD on a quadratic loss against the exact step-size law;
* ``singular_learning.deep_linear`` -- SGLD on trained deep linear networks against Aoyagi's lambda;
* ``singular_learning.degradation`` -- slope of the degradation curve equals lambda;
* ``singular_learning.degradation_exponent`` -- the degradation curve has exponent 1;
* ``singular_learning.tms_kgon`` -- the LLC of the toy model of superposition's k-gon critical points
  against Chen et al. (arXiv:2310.06301);
* ``singular_learning.quadratic_degradation`` -- a quadratic behaviour degrades at its predicted rate
  (natural degradation, :func:`numerics.singular_learning.degradation_experiment`).

Every estimate is a mean over independent chains judged with Student t on chains - 1 dof.
"""

from __future__ import annotations

from validation.checks.singular_learning import (  # noqa: F401  (registration)
    _deep_linear,
    _degradation,
    _normal_crossing,
    _quadratic_degradation,
    _step_bias,
    _tms_kgon,
)

__all__: list[str] = []
