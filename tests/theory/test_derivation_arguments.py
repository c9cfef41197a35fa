"""Shared theory pieces (derivation objects, the validate helper): valid calls for the argument fuzzer."""

from __future__ import annotations

import sympy as sp

from tests.argfuzz import Call

_x = sp.Symbol("x")

CASES = {
    "theory.derivation.Step": Call(("a sentence", sp.Eq(_x, 1)), skip=("text",)),  # free text
    "theory.derivation.Derivation": Call(("cumulants-example", "An example"),
                                         {"summary": "s", "assumptions": ["a"], "references": ["r"], "truncation": ""},
                                         skip=("title", "summary", "truncation")),  # free text
    "theory.derivation.all_derivations": Call((["cumulants-moments"],)),
    "theory.derivation.derivation_names": Call(),
    "theory.derivation.register_derivation": Call(("cumulants-example-unused",)),
    "theory.derivation.cached_lambdify": Call(([_x], _x**2)),
}

_VALIDATORS = ("array", "boolean", "choice", "describe", "function", "integer", "integers", "real", "reals", "scalar",
               "seed")
EXEMPT = {
    f"theory.validate.{name}": "the validators themselves: every wrong type and range is tested directly in "
                               "tests/test_validate_helpers.py (their `name` argument is a message label, any object)"
    for name in _VALIDATORS
}
