"""Valid calls of every public callable of ``numerics.ntk`` for the argument fuzzer (tests/argfuzz.py)."""

from __future__ import annotations

import numpy as np
import torch

from numerics.ntk import MLPSpec
from tests.argfuzz import Call

_rng = np.random.default_rng(0)
X, Y, XT = _rng.normal(size=(3, 2)), _rng.normal(size=3), _rng.normal(size=(2, 2))
SPEC = MLPSpec(2, (6,), "erf", (1.0, 2.0), 0.1)
PARAMS = SPEC.init(2, seed=0, dtype=torch.float64)


def _callback(step: int, params: list) -> None:
    return None


CASES = {
    "numerics.ntk.MLPSpec": Call((2, (6, 5), "tanh", (1.0, 1.5, 1.5), 0.1), {"parameterization": "ntk"}),
    "numerics.ntk.MLPSpec.init": Call((SPEC, 2), {"seed": 0, "device": "cpu", "dtype": torch.float64}),
    "numerics.ntk.MLPSpec.apply": Call((SPEC, PARAMS, torch.tensor(X))),
    "numerics.ntk.train_ensemble": Call(
        (SPEC, X, Y),
        {"members": 3, "steps": 2, "lr": 0.05, "seed": 1, "X_eval": XT, "record_steps": (0, 2), "batch_size": 2,
         "member_chunk": 8, "callback": _callback, "return_params": True, "residual_targets": False,
         "work_chunk": 2, "record_init_kernel": True, "device": "cpu"},
    ),
    "numerics.ntk.flatten_params": Call((PARAMS,)),
    "numerics.ntk.empirical_ntk": Call((SPEC, PARAMS, X, XT), {"member_chunk": 2}),
    "numerics.ntk.ensemble_ntk": Call((SPEC, X), {"members": 2, "seed": 0, "member_chunk": 2, "device": "cpu"}),
    "numerics.ntk.trained_moments": Call(
        (SPEC, X, Y, XT),
        {"steps": (1, 2), "lr": 0.05, "members": 4, "seed": 0, "pilot_members": 4, "member_chunk": 8},
    ),
    "numerics.ntk.ensemble_mean_cov": Call((_rng.normal(size=(5, 2)),)),
}

EXEMPT = {
    "numerics.ntk.TrainResult": "a result container filled by train_ensemble, not an entry point for user input",
}
