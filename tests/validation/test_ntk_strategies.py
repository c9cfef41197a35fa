"""The public training strategies draw valid problems and reject bad arguments."""

import numpy as np
import pytest
from hypothesis import given, settings

from numerics.ntk import MLPSpec
from theory.wide_networks import ntk_kernel
from validation.strategies import TrainingProblem, regression_datasets, training_problems, training_specs


@settings(max_examples=25, deadline=None)
@given(prob=training_problems())
def test_training_problems_are_below_the_stability_limit(prob: TrainingProblem) -> None:
    s = prob.spec
    assert isinstance(s, MLPSpec) and prob.X.shape == (prob.Y.size, s.in_dim)
    th = ntk_kernel(prob.X, prob.X, s.activation, s.weight_variances, s.bias_variances,
                    parameterization=s.parameterization)
    lam = np.linalg.eigvalsh(th)[-1]
    assert 0 < prob.lr * lam < 2.0 * 0.9 + 1e-9
    np.testing.assert_allclose(prob.stability_limit, 2.0 / lam, rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(data=regression_datasets(min_points=2, max_points=5, dim=2, min_separation=0.3))
def test_regression_datasets_are_separated(data: tuple) -> None:
    X, Y = data
    assert X.shape[1] == 2 and Y.shape == (X.shape[0],) and np.all(np.abs(X) <= 2)
    D = np.linalg.norm(X[:, None] - X[None], axis=-1) + 1e9 * np.eye(len(X))
    assert D.min() >= 0.3 and np.linalg.norm(X, axis=1).min() >= 0.3


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="min_points"):
        regression_datasets(min_points=3, max_points=2)
    with pytest.raises(ValueError, match="max_width"):
        training_specs(in_dim=2, min_width=4, max_width=2)
    with pytest.raises(ValueError, match="fraction"):
        training_problems(max_fraction=1.0)
    with pytest.raises(ValueError, match="activations"):
        training_problems(activations=("tanh",))
