"""Singular learning theory: exact RLCTs, tempered posteriors and the SGLD step-size law.

Public API (re-exported from private modules):

* :func:`rlct_normal_crossing`, :func:`rlct_reduced_rank`, :func:`rlct_deep_linear`,
  :func:`parameter_count` -- exact learning coefficients (``fractions.Fraction``);
* :func:`normal_crossing_tempered_loss`, :func:`normal_crossing_llc` -- finite-:math:`n\\beta`
  values by quadrature;
* :func:`wbic_beta`, :func:`sgld_quadratic_llc`, :func:`sgld_step_size_bias`;
* :func:`rlct_tms_kgon` -- the local learning coefficient of the toy model of superposition's
  :math:`k`-gon critical points (Chen et al., arXiv:2310.06301);
* :func:`quadratic_behaviour_degradation`, :func:`quadratic_degradation_rate` -- how a behaviour
  with a quadratic loss degrades with temperature (natural degradation).

References: Watanabe (2009); Aoyagi & Watanabe, Neural Networks 18 (2005);
Aoyagi, Neural Networks 172 (2024); Lau et al., arXiv:2308.12108.
"""

from __future__ import annotations

from theory.singular_learning import _derivations  # noqa: F401  (registers the derivations)
from theory.singular_learning._derivations import (
    deep_linear_derivation,
    normal_crossing_derivation,
    quadratic_degradation_derivation,
    sgld_bias_derivation,
    tms_kgon_derivation,
    wbic_derivation,
)
from theory.singular_learning._behaviour import quadratic_behaviour_degradation, quadratic_degradation_rate
from theory.singular_learning._rlct import (
    parameter_count,
    rlct_deep_linear,
    rlct_normal_crossing,
    rlct_reduced_rank,
)
from theory.singular_learning._tms import TMS_KGONS, rlct_tms_kgon
from theory.singular_learning._tempered import (
    normal_crossing_llc,
    normal_crossing_tempered_loss,
    sgld_quadratic_llc,
    sgld_step_size_bias,
    wbic_beta,
)

__all__ = [
    "rlct_normal_crossing",
    "rlct_reduced_rank",
    "rlct_deep_linear",
    "parameter_count",
    "normal_crossing_tempered_loss",
    "normal_crossing_llc",
    "wbic_beta",
    "sgld_quadratic_llc",
    "sgld_step_size_bias",
    "normal_crossing_derivation",
    "deep_linear_derivation",
    "wbic_derivation",
    "sgld_bias_derivation",
    "quadratic_degradation_derivation",
    "quadratic_behaviour_degradation",
    "quadratic_degradation_rate",
    "rlct_tms_kgon",
    "TMS_KGONS",
    "tms_kgon_derivation",
]
