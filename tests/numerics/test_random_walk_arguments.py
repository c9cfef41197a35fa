"""Argument fuzzing of numerics.random_walk (see tests/argfuzz.py): one valid call per public callable."""

import numpy as np

from tests.argfuzz import Call

_X = np.cumsum(np.random.default_rng(0).normal(size=(3, 5, 4)), axis=1)

CASES = {
    "numerics.random_walk.random_walks": Call((5, 3, 2), {"seed": 0, "sigma": 1.0, "device": "cpu"},
                                              extra={"dtype": ("float64", np.float64)}),
    "numerics.random_walk.walk_covariance": Call((5,)),
    "numerics.random_walk.time_gram": Call((_X,), {"center": True, "chunk": 2},
                                           extra={"X": (np.ones(5), np.ones((3, 1, 4)), np.ones((5, 4), dtype=bool))}),
    "numerics.random_walk.trajectory_pca": Call((_X, 2), {"center": True, "method": "gram", "chunk": 2,
                                                          "oversample": 2, "n_iter": 1, "seed": 0},
                                                extra={"n_components": (5, 0)}),
    "numerics.random_walk.pooled_pca": Call((_X, 2), {"chunk": 2}, extra={"X": (_X[:2], _X[0])}),
    "numerics.random_walk.TrajectoryRecorder": Call((3, 4), {"batch": 1, "mode": "store", "sketch_dim": 4,
                                                             "seed": 0, "chunk": 2}),
}

EXEMPT = {
    "numerics.random_walk.TrajectoryPCA": "frozen result container returned by trajectory_pca, not built by users",
    "numerics.random_walk.PooledPCA": "frozen result container returned by pooled_pca, not built by users",
}
