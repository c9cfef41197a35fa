"""Argument fuzzing of theory.random_walk (see tests/argfuzz.py): one valid call per public callable."""

import numpy as np

from tests.argfuzz import Call

_rng = np.random.default_rng(0)
_X = _rng.normal(size=(40, 3))
_K = _X @ _X.T / 3 + np.eye(40)

CASES = {
    "theory.random_walk.random_walk_eigenvalues": Call((10, 3)),
    "theory.random_walk.random_walk_components": Call((10, 3)),
    "theory.random_walk.explained_variance_ratios": Call((10, 3)),
    "theory.random_walk.explained_variance_ratio_limit": Call((3,)),
    "theory.random_walk.eigenvalue_bias": Call((10, 50, 3)),
    "theory.random_walk.ratio_bias": Call((10, 50, 3)),
    "theory.random_walk.cosine_overlap": Call((10, 50, 3)),
    "theory.random_walk.ratio_remainder_bound": Call((10, 50, 3)),
    "theory.random_walk.overlap_remainder_bound": Call((10, 50, 3)),
    "theory.random_walk.drift_ratios": Call((10, 0.01, 3)),
    "theory.random_walk.drift_shift_bound": Call((10, 0.01, 3)),
    "theory.random_walk.ratio_perturbation_bound": Call((np.array([0.6, 0.15]), 0.01),
                                                        extra={"ratios": (np.array([1.5]), np.array([-0.1]))}),
    "theory.random_walk.erf_sgd_walk_bounds": Call(
        (_X, _K, (4.0, 1.0), (0.0, 0.0)),
        {"width": 8, "members": 4, "lr": 1e-10, "steps": 5, "batch_size": 1, "label_scale": 1.0,
         "failure_probability": 1e-3},
        extra={"kernel": (np.ones((40, 39)), np.triu(_K)), "batch_size": (41,), "failure_probability": (1.0, 0.0)},
    ),
}

EXEMPT = {
    "theory.random_walk.SGDWalkBounds": "frozen result container returned by erf_sgd_walk_bounds, not built by users",
}
