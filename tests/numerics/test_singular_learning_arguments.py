"""Valid calls of every public callable of ``numerics.singular_learning`` for the argument fuzzer (tests/argfuzz.py)."""

from __future__ import annotations

import torch

from numerics.singular_learning import (
    DeepLinearNetwork,
    QuadraticModel,
    modular_addition_data,
    deep_linear_teacher_student,
    mse,
    quadratic_data,
)
from tests.argfuzz import Call

NET, DATA = deep_linear_teacher_student((3, 2, 3), 1, 12, seed=0, init_scale=0.0)
MA_TRAIN, _ = modular_addition_data(5, seed=0)


def _behaviour(m: torch.nn.Module) -> torch.Tensor:
    return m(QDATA[0]).pow(2).mean()

QDATA = quadratic_data([1.0, 2.0], 8, seed=0)
QMODEL = QuadraticModel(2)
SAMPLE = {"n_beta": 20.0, "gamma": 1.0, "step_size": 1e-3, "chains": 2, "draws": 2, "burn_in": 1, "seed": 0, "batch_size": 4,
          "sampler": "sgld", "rmsprop_alpha": 0.9, "rmsprop_eps": 1e-5, "model_vjp": True, "device": "cpu",
          "dtype": torch.float64}

CASES = {
    # diag_every: None is a valid value (the diagnostic off), so the fuzzer's None would be accepted;
    # its integer validation is tested in test_singular_learning_sampler.py::test_diag_every_none_and_validation
    "numerics.singular_learning.sample_local_posterior": Call((NET, mse, DATA), {**SAMPLE, "diag_every": 2},
                                                              skip=("diag_every",)),
    "numerics.singular_learning.estimate_llc": Call(
        (NET, mse, DATA),
        {**{k: x for k, x in SAMPLE.items() if k not in ("rmsprop_alpha", "rmsprop_eps")}, "bias_diagnostic": True,
         "diag_every": 2, "loss_form": "outputs", "compress": True, "step_check": True},
        skip=("diag_every",),
    ),
    "numerics.singular_learning.degradation_sweep": Call(
        (NET, mse, DATA, [10.0, 20.0]),
        {"gamma": 1.0, "step_size": 1e-3, "chains": 2, "draws": 2, "burn_in": 1, "seed": 0, "batch_size": 4, "sampler": "sgld",
         "diag_every": 2, "device": "cpu", "dtype": torch.float64},
        skip=("diag_every",),
    ),
    "numerics.singular_learning.hessian_max_eigenvalue": Call((NET, mse, DATA), {"iters": 3, "max_rows": 8, "seed": 0,
                                                                                "device": "cpu"}),
    "numerics.singular_learning.DeepLinearNetwork": Call(((3, 2, 3),), {"init_scale": 0.1, "seed": 0, "dtype": torch.float64}),
    "numerics.singular_learning.NormalCrossingModel": Call(((1, 2),), {"dtype": torch.float64}),
    "numerics.singular_learning.QuadraticModel": Call((3,), {"dtype": torch.float64}),
    "numerics.singular_learning.mse": Call((torch.zeros(4, 2), torch.ones(4, 2))),
    "numerics.singular_learning.deep_linear_teacher_student": Call(
        ((3, 2, 3), 1, 10), {"seed": 0, "singular_values": [1.5], "init_scale": 1e-3, "dtype": torch.float64}),
    "numerics.singular_learning.compress_linear_data": Call((DATA,)),
    "numerics.singular_learning.normal_crossing_data": Call((8,), {"seed": 0, "dtype": torch.float64}),
    "numerics.singular_learning.quadratic_data": Call(([1.0, 2.0], 8), {"seed": 0}),
    "numerics.singular_learning.train_to_minimum": Call(
        (DeepLinearNetwork((3, 2, 3), seed=1), mse, DATA),
        {"steps": 2, "lr": 1e-2, "restarts": 2, "init_scale": 0.1, "seed": 0}),
}

CASES.update({
    # behaviours: a mapping of callables, checked by name (tests/numerics/test_singular_learning_generic.py)
    "numerics.singular_learning.degradation_experiment": Call(
        (QMODEL, mse, QDATA, {"B": _behaviour}, [1.0, 2.0]),
        {"gamma": 1.0, "step_size": 1e-3, "chains": 2, "draws": 4, "burn_in": 1, "evaluations": 2, "threshold": 0.5, "seed": 0},
        skip=("behaviours",)),
    "numerics.singular_learning.ToyModelOfSuperposition": Call((6, 2), {"seed": 0, "dtype": torch.float64}),
    "numerics.singular_learning.tms_data": Call((6, 10), {"sparsity": 0.5, "seed": 0}),
    "numerics.singular_learning.tms_kgon": Call((5, 6), {"radius": 1.0, "bias": -0.1}),
    "numerics.singular_learning.modular_addition_mlp": Call((5, 8), {"seed": 0}),
    "numerics.singular_learning.modular_addition_data": Call((5,), {"train_fraction": 0.5, "seed": 0}),
    "numerics.singular_learning.train_classifier": Call(
        (torch.nn.Sequential(torch.nn.Linear(10, 5)), MA_TRAIN), {"steps": 2, "lr": 1e-2, "weight_decay": 0.0, "seed": 0}),
})

EXEMPT = {
    "numerics.singular_learning.DegradationResult": "a result container filled by degradation_experiment, not an entry point",
    "numerics.singular_learning.characteristic_temperature": "a helper of degradation_experiment on arrays it has validated "
    "(tested through it in test_singular_learning_generic.py)",
    "numerics.singular_learning.SamplerRun": "a result container filled by sample_local_posterior, not an entry point for user input",
}

