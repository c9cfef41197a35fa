"""Valid calls of every public callable of theory.cumulants (the shared cumulant algebra), for the argument fuzzer."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from tests.argfuzz import Call

_C = [[2.0, 0.5], [0.5, 1.0]]

CASES = {
    "theory.cumulants.moments_from_cumulants": Call(([0.5, 1.0, 0.3],), extra={"cumulants": ([], [0.5, "1"], [0.5, True])}),
    "theory.cumulants.cumulants_from_moments": Call(([0.5, 1.25, 0.3],), extra={"moments": ([], [np.nan])}),
    "theory.cumulants.central_moments_from_cumulants": Call(([0.5, 1.0, 0.3],), extra={"cumulants": ({"a": 1},)}),
    "theory.cumulants.cumulants_from_central_moments": Call(([0.0, 1.0, 0.3],), {"mean": 0.5},
                                                             extra={"central_moments": ([1.0, 1.0],)}),
    "theory.cumulants.set_partitions": Call((["a", "b", "c"],), extra={"items": (5, {"a": 1})}),
    "theory.cumulants.perfect_matchings": Call((["a", "b", "c", "d"],), extra={"items": (5,)}),
    "theory.cumulants.joint_cumulant": Call(({(0,): 0.0, (0, 0): 1.0, (0, 1): 0.3, (1,): 0.0, (1, 1): 2.0}, [0, 1]),
                                            extra={"indices": ([],)}),
    "theory.cumulants.joint_moment": Call(({(0,): 0.0, (0, 0): 1.0, (0, 1): 0.3, (1,): 0.0, (1, 1): 2.0}, [0, 1]),
                                          extra={"indices": ([],)}),
    "theory.cumulants.wick_moment": Call((_C, [0, 1, 1, 0]), extra={"indices": ([0, 2], [0.0, 1]), "cov": ([[1.0, 2.0], [0.0, 1.0]],)}),
    "theory.cumulants.wick_count": Call((4,), extra={"k": (-2,)}),
    "theory.cumulants.family_cumulants": Call(("gamma", 4), {"shape": 0.5, "scale": Fraction(1, 2)},
                                              extra={"order": (0,), "family": ("cauchy",)}),
    "theory.cumulants.standardized_cumulants": Call(([0.5, 2.0, 0.3],), extra={"cumulants": ([0.5, -1.0], [0.5])}),
}

EXEMPT: dict[str, str] = {}
