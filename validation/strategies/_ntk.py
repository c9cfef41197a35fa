r"""Hypothesis strategies for training networks: small regression data sets, MLP specs, stable rates.

A drawn :class:`TrainingProblem` bundles an :class:`numerics.ntk.MLPSpec`, data ``(X, Y)`` and
a learning rate ``lr = fraction * 2/lambda_max(Theta_XX)`` strictly below the infinite-width GD
stability limit of the analytic NTK (Lee et al. 2019, arXiv:1902.06720, sec. 2.3), computed by
:func:`theory.ntk.ntk_stability_limit` from the same parameter values, so the
theory and the torch networks see one problem.

Activations are restricted to ``linear``, ``relu`` and ``erf`` (:data:`THEORY_ACTIVATIONS`): their
NNGP and NTK recursions are closed forms (Cho & Saul 2009; Williams 1997), so the stability limit and
the predictions that the invariants compare with exact GD are exact to rounding.  The other
activations of the shared table go through Gauss-Hermite quadrature, whose error (though small)
would have to be budgeted in every invariant's tolerance; :class:`numerics.ntk.MLPSpec` itself
accepts them all (and leaky ReLU and callables), and they are tested against autograd in
``tests/numerics/test_ntk_training.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

from numerics.ntk import MLPSpec
from theory.ntk import ntk_stability_limit

__all__ = ["TrainingProblem", "regression_datasets", "training_specs", "training_problems"]

#: activations with closed-form kernels (see the module docstring)
THEORY_ACTIVATIONS = ("linear", "relu", "erf")


@dataclass(frozen=True)
class TrainingProblem:
    """One drawn training problem: ``spec``, data ``X`` (N, d) and ``Y`` (N,), rate ``lr`` and
    ``stability_limit`` (``lr / stability_limit = fraction < 1``)."""

    spec: MLPSpec
    X: np.ndarray
    Y: np.ndarray
    lr: float
    stability_limit: float


def regression_datasets(*, min_points: int = 1, max_points: int = 6, dim: int | None = None, max_dim: int = 4,
                        min_separation: float = 0.2) -> SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """``(X, Y)``: inputs in ``[-2, 2]^d`` with pairwise distances and norms >= ``min_separation`` (so
    kernel matrices are non-zero and better conditioned) and targets in ``[-2, 2]``; ``d = dim`` or drawn in
    ``[1, max_dim]``."""
    if not 1 <= min_points <= max_points:
        raise ValueError(f"need 1 <= min_points <= max_points, got {min_points}, {max_points}")
    if (dim is not None and dim < 1) or max_dim < 1:
        raise ValueError(f"dim and max_dim must be >= 1, got {dim}, {max_dim}")
    if not min_separation >= 0:
        raise ValueError(f"min_separation must be >= 0, got {min_separation}")
    el = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)

    @st.composite
    def _draw(draw: Any) -> tuple[np.ndarray, np.ndarray]:
        n = draw(st.integers(min_points, max_points))
        d = dim if dim is not None else draw(st.integers(1, max_dim))
        X = draw(hnp.arrays(float, (n, d), elements=el))
        D = np.linalg.norm(X[:, None] - X[None], axis=-1) + np.eye(n) * 1e9
        assume(D.min() >= min_separation and np.linalg.norm(X, axis=1).min() >= min_separation)
        return X, draw(hnp.arrays(float, (n,), elements=el))

    return _draw()


def training_specs(*, in_dim: int, max_depth: int = 2, min_width: int = 1, max_width: int = 8,
                   activations: Sequence[str] = THEORY_ACTIVATIONS,
                   parameterizations: Sequence[str] = ("ntk", "standard")) -> SearchStrategy[MLPSpec]:
    """An :class:`MLPSpec` with ``in_dim`` inputs, 1..``max_depth`` hidden layers of widths in
    ``[min_width, max_width]``, an activation from ``activations``, :math:`C_W^{(l)} \\in [0.5, 2]`,
    :math:`C_b^{(l)} \\in \\{0\\} \\cup [0.05, 0.5]`."""
    if in_dim < 1 or max_depth < 1 or not 1 <= min_width <= max_width:
        raise ValueError(f"need in_dim >= 1, max_depth >= 1, 1 <= min_width <= max_width; got "
                         f"{in_dim}, {max_depth}, {min_width}, {max_width}")
    if not activations or not parameterizations:
        raise ValueError("activations and parameterizations must be non-empty")

    @st.composite
    def _draw(draw: Any) -> MLPSpec:
        depth = draw(st.integers(1, max_depth))
        widths = tuple(draw(st.lists(st.integers(min_width, max_width), min_size=depth, max_size=depth)))
        cw = tuple(draw(st.lists(st.floats(0.5, 2.0), min_size=depth + 1, max_size=depth + 1)))
        cb = tuple(draw(st.lists(st.one_of(st.just(0.0), st.floats(0.05, 0.5)), min_size=depth + 1,
                                 max_size=depth + 1)))
        return MLPSpec(in_dim, widths, draw(st.sampled_from(list(activations))), cw, cb,
                       draw(st.sampled_from(list(parameterizations))))

    return _draw()


def training_problems(*, max_points: int = 5, max_dim: int = 3, max_depth: int = 2, max_width: int = 8,
                      min_fraction: float = 0.05, max_fraction: float = 0.9,
                      activations: Sequence[str] = THEORY_ACTIVATIONS) -> SearchStrategy[TrainingProblem]:
    r"""A :class:`TrainingProblem` with ``lr = fraction * 2/lambda_max(Theta_XX)``,
    ``fraction`` in ``[min_fraction, max_fraction]`` (< 1: below the infinite-width stability limit).
    Activations must have an analytic NTK (``linear``, ``relu``, ``erf``)."""
    if not 0 < min_fraction <= max_fraction < 1:
        raise ValueError(f"need 0 < min_fraction <= max_fraction < 1, got {min_fraction}, {max_fraction}")
    if not set(activations) <= set(THEORY_ACTIVATIONS):
        raise ValueError(f"activations must be among {THEORY_ACTIVATIONS}, got {activations}")

    @st.composite
    def _draw(draw: Any) -> TrainingProblem:
        X, Y = draw(regression_datasets(max_points=max_points, max_dim=max_dim))
        spec = draw(training_specs(in_dim=X.shape[1], max_depth=max_depth, max_width=max_width,
                                   activations=activations))
        lim = ntk_stability_limit(X, spec.activation, spec.weight_variances, spec.bias_variances,
                                  parameterization=spec.parameterization)
        assume(np.isfinite(lim))  # inf only for Theta_XX = 0, excluded by the inputs' separation from 0
        frac = draw(st.floats(min_fraction, max_fraction))
        return TrainingProblem(spec, X, Y, frac * lim, lim)

    return _draw()
