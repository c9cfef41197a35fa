"""Valid calls of every public callable of numerics.edgeworth, for the argument fuzzer (tests/test_arguments_coverage.py)."""

from __future__ import annotations

import numpy as np

from numerics.edgeworth import sum_law
from tests.argfuzz import Call

_X = np.array([-0.3, 1.2, 0.4, 2.5, -1.1, 0.0, 0.7, -2.2, 1.9, 0.1])
_EDGES = np.array([-1.0, 0.0, 1.0])
_COUNTS = np.array([3, 4, 2, 1])


def _draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.exponential(size=shape)


CASES = {
    "numerics.edgeworth.standardized_sums": Call(
        (_draw, 3, 50), {"mean": 1.0, "var": 1.0, "seed": 1, "chunk_draws": 64},
        extra={"var": (0.0, -1.0), "size": (0,), "n": (0,)}),
    "numerics.edgeworth.standardized_sum_counts": Call(
        (_draw, 3, 50, _EDGES), {"mean": 1.0, "var": 1.0, "seed": 1, "chunk_draws": 64},
        extra={"edges": (np.array([1.0, 0.0]), np.array([])), "seed": (-1,)}),
    "numerics.edgeworth.empirical_cdf": Call((_X, np.array([0.0, 1.0])), extra={"samples": (np.array([1.0]),)}),
    "numerics.edgeworth.empirical_density": Call((_X, _EDGES), extra={"edges": (np.array([0.0]), np.array([1.0, 0.0]))}),
    "numerics.edgeworth.empirical_quantiles": Call((_X, np.array([0.25, 0.5])), {"seed": 3, "method": "spacing"},
                                                   extra={"q": (np.array([0.0]), np.array([1.5]))}),
    "numerics.edgeworth.density_from_counts": Call((_COUNTS, _EDGES), extra={"counts": (np.array([1, -1, 2, 0]),
                                                                                         np.array([1.5, 1, 2, 0]))}),
    "numerics.edgeworth.cdf_from_counts": Call((_COUNTS, _EDGES), extra={"counts": (np.zeros(4), np.ones(3))}),
    "numerics.edgeworth.k_statistics": Call((_X, 4), {"jackknife_chunk": 4}, extra={"order": (0, 9), "x": (_X[:3],)}),
    "numerics.edgeworth.summand_law": Call(("gamma", {"shape": 0.5, "scale": 2.0}),
                                           extra={"params": ({"shape": -1.0}, {"rate": 1.0}, {"shape": "1"})}),
    "numerics.edgeworth.sum_law": Call(("gamma", 4, {"shape": 0.5}), extra={"n": (0,), "family": ("laplace",)}),
    "numerics.edgeworth.SumLaw.cdf": Call((sum_law("uniform", 3), np.array([0.0, 1.0])), skip=("self",)),
    "numerics.edgeworth.SumLaw.pdf": Call((sum_law("gamma", 3), np.array([0.0, 1.0])), skip=("self",)),
    "numerics.edgeworth.SumLaw.ppf": Call((sum_law("normal_mixture", 3, {"weights": (0.5, 0.5), "means": (0.0, 1.0),
                                                                          "variances": (1.0, 2.0)}), np.array([0.2])),
                                          skip=("self",), extra={"q": (np.array([1.0]),)}),
}

EXEMPT = {
    "numerics.edgeworth.SummandLaw": "a frozen data class returned by summand_law (fuzzed through summand_law)",
    "numerics.edgeworth.SumLaw": "a frozen data class returned by sum_law (fuzzed through sum_law; methods listed in CASES)",
}
