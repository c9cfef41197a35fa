"""Hypothesis strategies for MLP architectures at initialisation (widths, depth, activation, C_W, C_b).

Architectures are plain dicts with the keys of
:func:`theory.wide_networks.finite_width` (``activation``, ``hidden_widths``,
``C_W``, ``C_b``, ``K1``), so a drawn architecture can be handed to the theory
and, through :mod:`numerics.wide_networks`, to a real ensemble.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

__all__ = ["activation_specs", "scale_invariant_activations", "mlp_architectures", "kernel_inputs"]

_SMOOTH = ("erf", "tanh", "gelu", "silu")


def scale_invariant_activations(*, max_abs_slope: float = 2.0) -> SearchStrategy[Any]:
    r"""Scale-invariant activation specs: ``"linear"``, ``"relu"`` or ``("leaky_relu", a)``.

    Piecewise linear through the origin, so :math:`\sigma(\lambda z) = \lambda\sigma(z)` for
    :math:`\lambda \ge 0` (the scale-invariant class of Roberts, Yaida & Hanin, *The Principles of
    Deep Learning Theory*, 2022, sec. 5.2).

    Parameters
    ----------
    max_abs_slope : float, default 2.0
        Bound on ``|a|`` of the leaky ReLU's negative slope (> 0); slopes with ``0 < |a| <= 1e-3``
        are not drawn.

    Returns
    -------
    SearchStrategy[Any]
        ``"linear"``, ``"relu"`` or tuples ``("leaky_relu", a)``.

    Raises
    ------
    ValueError
        ``max_abs_slope <= 0``.
    """
    if not max_abs_slope > 0:
        raise ValueError(f"max_abs_slope must be > 0, got {max_abs_slope}")
    slope = st.floats(-max_abs_slope, max_abs_slope, allow_nan=False).filter(lambda a: abs(a) > 1e-3 or a == 0.0)
    return st.one_of(st.sampled_from(["linear", "relu"]), st.tuples(st.just("leaky_relu"), slope))


def activation_specs(*, smooth: bool = True, scale_invariant: bool = True) -> SearchStrategy[Any]:
    """Activation specs the kernels accept: smooth names (erf, tanh, gelu, silu) and/or scale-invariant ones.

    Parameters
    ----------
    smooth : bool, default True
        Include ``"erf"``, ``"tanh"``, ``"gelu"`` and ``"silu"``.
    scale_invariant : bool, default True
        Include :func:`scale_invariant_activations` (default slope bound).

    Returns
    -------
    SearchStrategy[Any]
        Activation names or ``("leaky_relu", a)`` tuples.

    Raises
    ------
    ValueError
        Both flags are False.
    """
    parts: list[SearchStrategy[Any]] = []
    if smooth:
        parts.append(st.sampled_from(_SMOOTH))
    if scale_invariant:
        parts.append(scale_invariant_activations())
    if not parts:
        raise ValueError("at least one of smooth, scale_invariant must be True")
    return st.one_of(*parts)


@st.composite
def _arch(draw: Any, min_depth: int, max_depth: int, min_width: int, max_width: int, activations: Any,
          bias: bool) -> dict[str, Any]:
    act = draw(activations)
    depth = draw(st.integers(min_depth, max_depth))
    widths = tuple(draw(st.lists(st.integers(min_width, max_width), min_size=depth, max_size=depth)))
    cw = draw(st.floats(0.25, 3.0))
    cb = draw(st.floats(0.0, 0.5)) if bias else 0.0
    return {"activation": act, "hidden_widths": widths, "C_W": cw, "C_b": cb, "K1": draw(st.floats(0.1, 3.0))}


def mlp_architectures(*, min_depth: int = 1, max_depth: int = 4, min_width: int = 1, max_width: int = 64,
                      activations: SearchStrategy[Any] | None = None, bias: bool = True) -> SearchStrategy[dict[str, Any]]:
    """MLP architectures as dicts ``{activation, hidden_widths, C_W, C_b, K1}``.

    ``min_depth..max_depth`` hidden layers of widths in ``[min_width, max_width]``, C_W in [0.25, 3],
    C_b in [0, 0.5] (0 when ``bias=False``), K1 (the first-layer input kernel) in [0.1, 3]; the keys are
    the arguments of :func:`theory.wide_networks.finite_width`.

    Parameters
    ----------
    min_depth, max_depth : int, default 1 and 4
        Range of the number of hidden layers (``1 <= min_depth <= max_depth``).
    min_width, max_width : int, default 1 and 64
        Range of each hidden width (``1 <= min_width <= max_width``).
    activations : SearchStrategy, optional
        Strategy of activation specs (default :func:`activation_specs`).
    bias : bool, default True
        Draw ``C_b``; with False it is 0.

    Returns
    -------
    SearchStrategy[dict[str, Any]]
        Architecture dicts.

    Raises
    ------
    ValueError
        A depth or width range that is empty or starts below 1.
    """
    if not 1 <= min_depth <= max_depth:
        raise ValueError(f"need 1 <= min_depth <= max_depth, got {min_depth}, {max_depth}")
    if not 1 <= min_width <= max_width:
        raise ValueError(f"need 1 <= min_width <= max_width, got {min_width}, {max_width}")
    return _arch(min_depth, max_depth, min_width, max_width, activations or activation_specs(), bias)


def kernel_inputs(*, max_points: int = 5, max_dim: int = 4) -> SearchStrategy[np.ndarray]:
    """Input matrices ``(points, d)`` with entries in [-3, 3], 1 <= points <= max_points, 1 <= d <= max_dim.

    Parameters
    ----------
    max_points : int, default 5
        Most rows (>= 1).
    max_dim : int, default 4
        Most columns (>= 1).

    Returns
    -------
    SearchStrategy[numpy.ndarray]
        Float64 arrays of shape ``(points, d)``.

    Raises
    ------
    ValueError
        ``max_points`` or ``max_dim`` below 1.
    """
    if max_points < 1 or max_dim < 1:
        raise ValueError("max_points and max_dim must be >= 1")
    shape = st.tuples(st.integers(1, max_points), st.integers(1, max_dim))
    return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=st.floats(-3, 3, allow_nan=False)))
