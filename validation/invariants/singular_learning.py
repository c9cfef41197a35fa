"""Invariants of the exact learning coefficients (fuzzed by ``theorycheck fuzz``)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given

from theory.singular_learning import (
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
