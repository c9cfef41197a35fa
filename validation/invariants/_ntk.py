"""Fuzzed invariants of NTK training: the infinite-width prediction and the batched GD kernel."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from numerics.ntk import train_ensemble
from theory.ntk import ntk_predict, ntk_stability_limit
from theory.wide_networks import nngp_kernel
from validation.strategies._ntk import TrainingProblem, training_problems
from validation.fuzz import invariant


@invariant("ntk.predict_interpolates")
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 4),  # <= d + 1 so that even the linear NTK is full rank
    act=st.sampled_from(["relu", "erf", "linear"]),
    frac=st.floats(0.05, 0.95),
    t=st.floats(0.0, 50.0),
)
def predict_interpolates(seed: int, n: int, act: str, frac: float, t: float) -> None:
    """Covariance is PSD at any t; t = 0 gives the prior; the mean at t = inf interpolates the data."""
    rng = np.random.default_rng(seed)
    X, Y, Xt = rng.normal(size=(n, 3)), rng.normal(size=n), rng.normal(size=(2, 3))
    arch = (act, (1.0, 2.0, 1.5), 0.2)
    lr = frac * ntk_stability_limit(X, *arch)
    m, C = ntk_predict(X, Y, Xt, t, lr, *arch)
    assert np.linalg.eigvalsh(C).min() > -1e-8 * max(1.0, np.abs(C).max())
    m0, C0 = ntk_predict(X, Y, Xt, 0.0, lr, *arch)
    assert np.allclose(m0, 0.0) and np.allclose(C0, nngp_kernel(Xt, Xt, *arch), atol=1e-10)
    mi, _ = ntk_predict(X, Y, X, float("inf"), lr, *arch)
    assert np.allclose(mi, Y, atol=1e-6 * max(1.0, np.abs(Y).max()))


@invariant("ntk.batched_gd_matches_autograd")
@given(prob=training_problems(max_width=6), seed=st.integers(0, 2**20), steps=st.integers(0, 4))
def batched_gd_matches_autograd(prob: TrainingProblem, seed: int, steps: int) -> None:
    """The hand-written batched GD of ``train_ensemble`` equals per-member autograd GD (float64)."""
    spec = prob.spec
    res = train_ensemble(spec, prob.X, prob.Y, members=3, steps=steps, lr=prob.lr, seed=seed,
                         dtype=torch.float64, record_steps=[0, steps])
    init = spec.init(3, seed=seed * 7919, dtype=torch.float64)
    sizes = spec.layer_sizes
    rates = [prob.lr / (sizes[i // 2] if (spec.parameterization == "standard" and i % 2 == 0) else 1)
             for i in range(len(init))]
    X, Y = torch.tensor(prob.X), torch.tensor(prob.Y)
    for e in range(3):
        ps = [p[e:e + 1].clone().requires_grad_(True) for p in init]
        for _ in range(steps):
            gs = torch.autograd.grad(0.5 * ((spec.apply(ps, X) - Y) ** 2).sum(), ps)
            with torch.no_grad():
                for p, g, r in zip(ps, gs, rates):
                    p -= r * g
        want = spec.apply(ps, X).detach().numpy()[0]
        scale = max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(res.outputs[-1, e], want, rtol=1e-9, atol=1e-11 * scale)


@invariant("ntk.predict_stable_rate_contracts")
@given(prob=training_problems(max_width=2), t=st.floats(1.0, 200.0))
def predict_stable_rate_contracts(prob: TrainingProblem, t: float) -> None:
    """Below the stability limit the discrete-GD training residual of the infinite-width mean,
    :math:`Y - \\mu_t(X) = (I - \\eta\\Theta)^t Y`, never grows: :math:`\\|Y - \\mu_t\\| \\le \\|Y\\|`,
    and is non-increasing in t."""
    s = prob.spec
    arch = (s.activation, s.weight_variances, s.bias_variances)
    kw = {"parameterization": s.parameterization, "discrete": True}
    r1 = prob.Y - ntk_predict(prob.X, prob.Y, prob.X, np.floor(t), prob.lr, *arch, **kw)[0]
    r2 = prob.Y - ntk_predict(prob.X, prob.Y, prob.X, np.floor(t) + 1, prob.lr, *arch, **kw)[0]
    tol = 1e-9 * max(1.0, float(np.linalg.norm(prob.Y)))
    assert np.linalg.norm(r1) <= np.linalg.norm(prob.Y) + tol
    assert np.linalg.norm(r2) <= np.linalg.norm(r1) + tol
