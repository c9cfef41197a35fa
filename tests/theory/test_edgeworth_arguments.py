"""Valid calls of every public callable of theory.edgeworth, for the argument fuzzer (tests/test_arguments_coverage.py)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.argfuzz import Call
from theory.edgeworth import Edgeworth

_E = Edgeworth([0.5, 1.0, 0.8, 0.3, -0.2, 0.1, 0.05, 0.02, 0.01])
_L = Edgeworth([0.3, 0.21, 0.084, -0.0546, -0.00672, 0.03361, -0.0227, -0.0415, 0.0689], lattice=(1.0, 0.0))
_X = np.array([-1.0, 0.0, 1.5])
_Q = np.array([0.1, 0.5, 0.9])
_SELF = ("self",)  # the instance is not an argument to fuzz

CASES = {
    "theory.edgeworth.Edgeworth": Call(([0.0, 1.0, 0.5, 0.1],), {"lattice": (1.0, 0.0)},
                                       extra={"cumulants": ([0.0, -1.0], [0.0], [0.0, 1.0, "0.5"], [0.0, 1.0, 1j]),
                                              "lattice": ((0.0, 0.0), (1.0,), (1.0, True))}),
    "theory.edgeworth.Edgeworth.pdf": Call((_E, _X, 10.0, 2), {"warn": False}, skip=_SELF, extra={"order": (-1, 8)}),
    "theory.edgeworth.Edgeworth.cdf": Call((_L, _X, 10.0, 2), {"warn": False}, skip=_SELF, extra={"n": (0.5,)}),
    "theory.edgeworth.Edgeworth.ppf": Call((_E, _Q, 10.0, 2), {"warn": False}, skip=_SELF, extra={"q": (np.array([0.0, 0.5]),)}),
    "theory.edgeworth.Edgeworth.pdf_truncation": Call((_E, _X, 10.0, 2), {"terms": 2}, skip=_SELF, extra={"terms": (0,)}),
    "theory.edgeworth.Edgeworth.cdf_truncation": Call((_L, _X, 10.0, 2), {"terms": 2}, skip=_SELF),
    "theory.edgeworth.Edgeworth.ppf_truncation": Call((_E, _Q, 10.0, 2), {"terms": 2}, skip=_SELF),
    "theory.edgeworth.Edgeworth.pdf_budget": Call((_E, _X, 10.0, 2), skip=_SELF, extra={"order": (5,)}),
    "theory.edgeworth.Edgeworth.cdf_budget": Call((_E, _X, 10.0, 2), skip=_SELF),
    "theory.edgeworth.Edgeworth.ppf_budget": Call((_E, _Q, 10.0, 2), skip=_SELF),
    "theory.edgeworth.Edgeworth.density_expr": Call((Edgeworth([0, 4, 1, 2]), 2), skip=_SELF),
    "theory.edgeworth.Edgeworth.cdf_expr": Call((Edgeworth([0, 4, 1, 2]), 2), skip=_SELF),
    "theory.edgeworth.term_coefficients": Call((3, [0.5, 0.1, 0.2]), extra={"lam": ([0.5],)}),
    "theory.edgeworth.cornish_fisher_polynomials": Call((2,), extra={"order": (-1,)}),
    "theory.edgeworth.hermite_poly": Call((3, sp.Symbol("x")), extra={"k": (-2,)}),
    "theory.edgeworth.symbolic_lambdas": Call((3,), extra={"order": (-1,)}),
    "theory.edgeworth.naive_series_terms": Call((2,), extra={"order": (0,)}),
}

EXEMPT = {
    "theory.edgeworth.x_sym": "a sympy Symbol (the variable of density_expr / cdf_expr), not a function",
    "theory.edgeworth.n_sym": "a sympy Symbol (the variable of density_expr / cdf_expr), not a function",
}
