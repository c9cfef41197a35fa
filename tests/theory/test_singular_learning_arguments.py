"""Valid calls of every public callable of ``theory.singular_learning`` for the argument fuzzer (tests/argfuzz.py)."""

from __future__ import annotations

from tests.argfuzz import Call

CASES = {
    "theory.singular_learning.rlct_normal_crossing": Call(([1, 2, 0],), {"prior_powers": [0, 1, 2]}),
    "theory.singular_learning.rlct_reduced_rank": Call((4, 3, 2, 1)),
    "theory.singular_learning.rlct_deep_linear": Call(((4, 3, 2, 5), 1)),
    "theory.singular_learning.parameter_count": Call(((4, 3, 2),)),
    "theory.singular_learning.normal_crossing_tempered_loss": Call(
        ([1, 2], 30.0), {"gamma": 1.5, "prior_powers": [0, 1], "grid_step": 0.008}),
    "theory.singular_learning.normal_crossing_llc": Call(([1, 1], [30.0, 300.0]), {"gamma": 1.0, "prior_powers": [1, 0]}),
    "theory.singular_learning.wbic_beta": Call((100,)),
    "theory.singular_learning.sgld_quadratic_llc": Call(([1.0, 2.0], 50.0, 1.0, 0.01), {"burn_in": 5, "draws": 20}),
    "theory.singular_learning.sgld_step_size_bias": Call((2.0, 100.0, 1.0, 1e-3)),
    "theory.singular_learning.normal_crossing_derivation": Call(),
    "theory.singular_learning.deep_linear_derivation": Call(),
    "theory.singular_learning.wbic_derivation": Call(),
    "theory.singular_learning.sgld_bias_derivation": Call(),
    "theory.singular_learning.quadratic_degradation_derivation": Call(),
    "theory.singular_learning.tms_kgon_derivation": Call(),
    "theory.singular_learning.rlct_tms_kgon": Call((5, 6), {"positive_biases": 1}),
    "theory.singular_learning.quadratic_behaviour_degradation": Call(
        ([1.0, 4.0], [[2.0, 0.5], [0.5, 1.0]], 50.0, 1.0, 0.004), {"times": [0, 10, 20]}),
    "theory.singular_learning.quadratic_degradation_rate": Call(([1.0, 4.0], [2.0, 1.0])),
}

EXEMPT: dict[str, str] = {}
