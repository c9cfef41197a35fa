r"""Hypothesis strategies for random walks and parameter trajectories.

A drawn trajectory is a random walk in the literal sense: the cumulative sum over time of
drawn increments (optionally plus a constant drift), so its PCA over time is that of
Antognini & Sohl-Dickstein (2018, arXiv:1806.08805) for a walk of few dimensions.  Every
trajectory has non-zero variance over time (its PCA is defined).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

__all__ = ["walk_lengths", "trajectories", "trajectory_perturbations"]

_INCREMENT = st.floats(-4.0, 4.0, allow_nan=False, allow_subnormal=False)


def _check_range(lo: int, hi: int, name: str, floor: int) -> None:
    if not floor <= lo <= hi:
        raise ValueError(f"need {floor} <= min_{name} <= max_{name}; got {lo}, {hi}")


def walk_lengths(*, min_T: int = 2, max_T: int = 300) -> SearchStrategy[int]:
    """Numbers of time points ``T`` of a walk, in ``[min_T, max_T]`` (``min_T >= 2``).

    Parameters
    ----------
    min_T : int, default 2
        Fewest time points (>= 2).
    max_T : int, default 300
        Most time points (>= ``min_T``).

    Returns
    -------
    SearchStrategy[int]
        Integers ``T`` in ``[min_T, max_T]``.

    Raises
    ------
    ValueError
        Not ``2 <= min_T <= max_T``.
    """
    _check_range(min_T, max_T, "T", 2)
    return st.integers(min_T, max_T)


def trajectories(*, min_T: int = 3, max_T: int = 24, min_params: int = 1, max_params: int = 16,
                 min_batch: int = 1, max_batch: int = 3, drift: bool = False) -> SearchStrategy[np.ndarray]:
    r"""Trajectories of shape ``(batch, T, P)``: :math:`x_t = \sum_{s\le t}(\xi_s + \mu)`.

    Increments :math:`\xi_s` have entries in ``[-4, 4]``; with ``drift=True`` each trajectory gets
    a drawn constant drift :math:`\mu` (entries in ``[-2, 2]``), otherwise :math:`\mu = 0`.
    ``T`` in ``[min_T, max_T]`` (``min_T >= 2``), ``P`` in ``[min_params, max_params]``, ``batch``
    in ``[min_batch, max_batch]``.  Every trajectory varies over time.

    Parameters
    ----------
    min_T, max_T : int, default 3 and 24
        Range of the number of time points ``T`` (``min_T >= 2``).
    min_params, max_params : int, default 1 and 16
        Range of the number of parameters ``P`` (``min_params >= 1``).
    min_batch, max_batch : int, default 1 and 3
        Range of the number of trajectories ``batch`` (``min_batch >= 1``).
    drift : bool, default False
        Add a drawn constant drift :math:`\mu` to each trajectory's increments.

    Returns
    -------
    SearchStrategy[numpy.ndarray]
        Float64 arrays of shape ``(batch, T, P)``, each trajectory with non-zero variance over time.

    Raises
    ------
    ValueError
        A range with ``min > max`` or a minimum below its floor.
    """
    _check_range(min_T, max_T, "T", 2)
    _check_range(min_params, max_params, "params", 1)
    _check_range(min_batch, max_batch, "batch", 1)

    @st.composite
    def _draw(draw: Any) -> np.ndarray:
        R = draw(st.integers(min_batch, max_batch))
        T = draw(st.integers(min_T, max_T))
        P = draw(st.integers(min_params, max_params))
        xi = draw(hnp.arrays(np.float64, (R, T, P), elements=_INCREMENT))
        if drift:
            xi = xi + draw(hnp.arrays(np.float64, (R, 1, P), elements=st.floats(-2.0, 2.0, allow_nan=False,
                                                                                 allow_subnormal=False)))
        X = np.cumsum(xi, axis=1)
        spread = np.abs(X - X.mean(axis=1, keepdims=True)).max(axis=(1, 2))
        assume(bool(np.all(spread > 1e-6)))
        return X

    return _draw()


def trajectory_perturbations(*, max_T: int = 16, max_params: int = 12,
                             max_relative: float = 0.5) -> SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    r"""Pairs ``(X, D)`` of a trajectory ``X`` of shape ``(T, P)`` and a perturbation ``D`` of the same shape.

    ``X`` is drawn as by :func:`trajectories` (one trajectory, no drift, ``T >= 3``); ``D`` has
    entries of any sign, rescaled so that :math:`0 < \|D\|_F/\|X\|_F \le` ``max_relative``.

    Parameters
    ----------
    max_T : int, default 16
        Most time points (>= 3).
    max_params : int, default 12
        Most parameters (>= 1).
    max_relative : float, default 0.5
        Largest relative Frobenius size of ``D``, in ``(0, 1)``.

    Returns
    -------
    SearchStrategy[tuple[numpy.ndarray, numpy.ndarray]]
        Pairs of float64 arrays ``(X, D)``, both of shape ``(T, P)``.

    Raises
    ------
    ValueError
        ``max_relative`` outside ``(0, 1)``; ``max_T < 3`` or ``max_params < 1`` when drawing.
    """
    if not 0.0 < max_relative < 1.0:
        raise ValueError(f"max_relative must lie in (0, 1); got {max_relative}")

    @st.composite
    def _draw(draw: Any) -> tuple[np.ndarray, np.ndarray]:
        X = draw(trajectories(max_T=max_T, max_params=max_params, max_batch=1))[0]
        D = draw(hnp.arrays(np.float64, X.shape, elements=st.floats(-1.0, 1.0, allow_nan=False,
                                                                       allow_subnormal=False)))
        nd = float(np.linalg.norm(D))
        assume(nd > 1e-9)
        rel = draw(st.floats(1e-6, max_relative))
        return X, D * (rel * float(np.linalg.norm(X)) / nd)

    return _draw()
