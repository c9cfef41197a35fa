"""Hypothesis strategies for singular learning theory: network shapes with true ranks, normal-crossing models."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["deep_linear_shapes", "normal_crossing_models"]


def deep_linear_shapes(
    *, min_layers: int = 1, max_layers: int = 5, max_width: int = 8
) -> SearchStrategy[tuple[tuple[int, ...], int]]:
    """``(widths, rank)`` of a bias-free deep linear network and a valid true rank.

    ``widths = (input, hidden..., output)`` has ``layers + 1`` entries in ``[1, max_width]``
    with ``min_layers <= layers <= max_layers``; ``0 <= rank <= min(widths)`` (the setting of
    Aoyagi's learning coefficient of deep linear networks: M. Aoyagi, Neural Networks 172 (2024)
    106132, Thm 1).

    Parameters
    ----------
    min_layers, max_layers : int, default 1 and 5
        Range of the number of weight layers (``1 <= min_layers <= max_layers``).
    max_width : int, default 8
        Largest width (>= 1).

    Returns
    -------
    SearchStrategy[tuple[tuple[int, ...], int]]
        Pairs ``(widths, rank)``.

    Raises
    ------
    ValueError
        An empty layer range, a minimum below 1 or ``max_width < 1``.
    """
    if not 1 <= min_layers <= max_layers:
        raise ValueError(f"need 1 <= min_layers <= max_layers, got {min_layers}, {max_layers}")
    if max_width < 1:
        raise ValueError(f"max_width must be >= 1, got {max_width}")

    @st.composite
    def _draw(draw: Any) -> tuple[tuple[int, ...], int]:
        layers = draw(st.integers(min_layers, max_layers))
        widths = tuple(draw(st.lists(st.integers(1, max_width), min_size=layers + 1, max_size=layers + 1)))
        return widths, draw(st.integers(0, min(widths)))

    return _draw()


def normal_crossing_models(
    *, max_dim: int = 4, max_power: int = 4, with_prior: bool = False
) -> SearchStrategy[tuple[tuple[int, ...], tuple[int, ...] | None]]:
    """``(powers, prior_powers)`` of a normal-crossing model ``K = prod w_j^(2 k_j)``.

    ``1 <= len(powers) <= max_dim``, each ``k_j`` in ``[0, max_power]`` with at least one
    positive; ``prior_powers`` (``h_j`` in ``[0, 3]``, the prior :math:`\\prod_j |w_j|^{h_j}`) when
    ``with_prior`` else ``None`` (Watanabe, *Algebraic Geometry and Statistical Learning Theory*,
    2009, sec. 2.4).

    Parameters
    ----------
    max_dim : int, default 4
        Most coordinates ``d`` (>= 1).
    max_power : int, default 4
        Largest ``k_j`` (>= 1).
    with_prior : bool, default False
        Also draw the prior's powers.

    Returns
    -------
    SearchStrategy[tuple[tuple[int, ...], tuple[int, ...] | None]]
        Pairs ``(powers, prior_powers)`` of equal length ``d``.

    Raises
    ------
    ValueError
        ``max_dim`` or ``max_power`` below 1.
    """
    if max_dim < 1 or max_power < 1:
        raise ValueError("max_dim and max_power must be >= 1")

    @st.composite
    def _draw(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
        d = draw(st.integers(1, max_dim))
        ks = draw(st.lists(st.integers(0, max_power), min_size=d, max_size=d).filter(lambda v: max(v) > 0))
        hs = tuple(draw(st.lists(st.integers(0, 3), min_size=d, max_size=d))) if with_prior else None
        return tuple(ks), hs

    return _draw()
