"""Invariants of the exact learning coefficients (fuzzed by ``theorycheck fuzz``)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from theory.singular_learning import (
    normal_crossing_llc,
    parameter_count,
    rlct_deep_linear,
    rlct_normal_crossing,
    rlct_reduced_rank,
)
from validation.fuzz import invariant
from validation.strategies import deep_linear_shapes, normal_crossing_models

__all__: list[str] = []


@invariant("singular_learning.lambda_at_most_half_dimension")
@given(deep_linear_shapes())
def lambda_at_most_half_dimension(shape: tuple[tuple[int, ...], int]) -> None:
    """0 <= lambda <= d/2 (Watanabe 2009, Thm 7.2), with equality for a network without hidden layer (regular)."""
    widths, r = shape
    lam, m = rlct_deep_linear(widths, r)
    d = parameter_count(widths)
    assert 0 <= lam <= Fraction(d, 2)
    assert m >= 1
    if len(widths) == 2:
        assert lam == Fraction(d, 2) and m == 1


@invariant("singular_learning.reversal_symmetry")
@given(deep_linear_shapes())
def reversal_symmetry(shape: tuple[tuple[int, ...], int]) -> None:
    """Transposing the network (reversing the widths) leaves (lambda, m) unchanged."""
    widths, r = shape
    assert rlct_deep_linear(widths, r) == rlct_deep_linear(tuple(reversed(widths)), r)


@invariant("singular_learning.one_hidden_layer_is_reduced_rank")
@given(deep_linear_shapes(min_layers=2, max_layers=2, max_width=12))
def one_hidden_layer_is_reduced_rank(shape: tuple[tuple[int, ...], int]) -> None:
    """One hidden layer: Aoyagi (2024) equals Aoyagi-Watanabe (2005); bottleneck = rank is r(M+N-r)/2."""
    (M, H, N), r = shape
    assert rlct_deep_linear((M, H, N), r) == rlct_reduced_rank(M, N, H, r)
    if H == r:
        assert rlct_deep_linear((M, H, N), r)[0] == Fraction(r * (M + N - r), 2)


@invariant("singular_learning.normal_crossing_bounds")
@given(normal_crossing_models(with_prior=True))
def normal_crossing_bounds(model: tuple[tuple[int, ...], tuple[int, ...] | None]) -> None:
    """lambda <= (h_j + 1)/(2 k_j) for every j, 1 <= m <= d; all-ones powers without prior are regular-like (1/2, d)."""
    ks, hs = model
    lam, m = rlct_normal_crossing(ks, hs)
    hs2 = hs or (0,) * len(ks)
    assert all(lam <= Fraction(h + 1, 2 * k) for k, h in zip(ks, hs2) if k > 0)
    assert 1 <= m <= len(ks)
    assert rlct_normal_crossing([1] * len(ks)) == (Fraction(1, 2), len(ks))


@invariant("singular_learning.gaussian_tempered_loss_is_exact")
@given(st.integers(0, 20), st.floats(-2.0, 14.0), st.floats(0.1, 10.0))
def gaussian_tempered_loss_is_exact(h: int, log10_n_beta: float, gamma: float) -> None:
    """K = w^2 with prior |w|^h: w^2 ~ Gamma((h+1)/2, rate n beta + gamma/2), so n beta E[K] = (h+1) n beta/(2 n beta + gamma)
    exactly, at every temperature (the quadrature once returned 10.5 for 4.5 at n beta = 1e5, h = 8)."""
    s = 10.0**log10_n_beta
    got = float(normal_crossing_llc([1], s, gamma=gamma, prior_powers=[h]))
    assert abs(got - (h + 1) * s / (2 * s + gamma)) <= 1e-10 * (h + 1)


@invariant("singular_learning.stacked_vjp_matches_autograd")
@given(deep_linear_shapes(max_layers=4, max_width=6), st.integers(1, 4), st.integers(1, 6), st.booleans(),
       st.integers(0, 2**20))
def stacked_vjp_matches_autograd(shape: tuple[tuple[int, ...], int], chains: int, batch: int, shared: bool, seed: int) -> None:
    """The hand-written pullback of ``DeepLinearNetwork.forward_stacked_vjp`` with
    ``mse.batched_value_and_grad`` equals autograd of each chain's own loss through the plain
    per-chain forward ``x W_1^T ... W_L^T`` (float64): the manual reverse mode of the SGLD sampler."""
    import torch

    from numerics.singular_learning import DeepLinearNetwork, mse

    widths, _ = shape
    net = DeepLinearNetwork(widths, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    d = parameter_count(widths)
    w = torch.randn(chains, d, generator=g, dtype=torch.float64)
    x = torch.randn(*(() if shared else (chains,)), batch, widths[0], generator=g, dtype=torch.float64)
    y = torch.randn(chains, batch, widths[-1], generator=g, dtype=torch.float64)
    pred, pullback = net.forward_stacked_vjp(w, x)
    L, gpred = mse.batched_value_and_grad(pred, y)
    grad = pullback(gpred)
    assert grad.shape == (chains, d)
    sizes = [a * b for a, b in zip(widths[:-1], widths[1:])]
    for c in range(chains):
        wc = w[c].clone().requires_grad_(True)
        h = x if shared else x[c]
        for (a, b), Wf in zip(zip(widths[:-1], widths[1:]), torch.split(wc, sizes)):
            h = h @ Wf.reshape(b, a).T
        Lc = mse(h, y[c])
        (gc,) = torch.autograd.grad(Lc, wc)
        scale = max(1.0, float(gc.abs().max()))
        assert torch.allclose(L[c], Lc.detach(), rtol=1e-12, atol=1e-12 * max(1.0, float(Lc.detach())))
        assert torch.allclose(grad[c], gc, rtol=1e-10, atol=1e-12 * scale)
