"""Shared numerics pieces (estimates, the validate helper): valid calls for the argument fuzzer."""

from __future__ import annotations

import numpy as np

from tests.argfuzz import Call

_X = np.random.default_rng(0).normal(size=(50, 2))

CASES = {
    "numerics.estimate.Estimate": Call((np.array([1.0, 2.0]), np.array([0.1, 0.2]), 50),
                                       {"seed": 3, "seconds": 0.5, "method": "analytic"},
                                       skip=("method",)),  # free text: how the standard error was obtained
    "numerics.estimate.mean_estimate": Call((_X,), {"axis": 0, "seed": 1, "seconds": 0.0}),
    "numerics.estimate.bootstrap_stderr": Call((_X, lambda a: a.mean(0)), {"resamples": 20, "seed": 0}),
    "numerics.estimate.as_generator": Call((7,)),
}

_VALIDATORS = ("array", "boolean", "choice", "describe", "function", "integer", "integers", "real", "reals", "scalar",
               "seed")
EXEMPT = {
    f"numerics.validate.{name}": "the validators themselves: every wrong type and range is tested directly in "
                                 "tests/test_validate_helpers.py (their `name` argument is a message label, any object)"
    for name in _VALIDATORS
}
