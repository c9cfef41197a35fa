"""Multi-input four-point vertex of a one-hidden-layer network (exact at any width).

With one hidden layer the output given the hidden layer is Gaussian with covariance
:math:`\\Sigma_{ab} = C_b + \\frac{C_W}{n}\\sum_{i=1}^n \\sigma(z_i(x_a))\\sigma(z_i(x_b))`, where the
first-layer preactivations :math:`z_i` are iid Gaussian processes with kernel
:math:`K^{(1)}`.  Hence the connected four-point function of the scalar output is

.. math::

    \\kappa_{abcd} = E[z_az_bz_cz_d] - (K_{ab}K_{cd} + K_{ac}K_{bd} + K_{ad}K_{bc})
    = V_{(ab)(cd)} + V_{(ac)(bd)} + V_{(ad)(bc)},\\qquad
    V_{(ab)(cd)} = \\frac{C_W^2}{n}\\big(\\langle\\sigma_a\\sigma_b\\sigma_c\\sigma_d\\rangle
    - \\langle\\sigma_a\\sigma_b\\rangle\\langle\\sigma_c\\sigma_d\\rangle\\big),

the multi-input four-point vertex of Roberts, Yaida & Hanin (2022), eq. (4.36)-(4.40), at
layer 2.  For two inputs all averages are two-dimensional Gaussian integrals (Gauss-Hermite).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

import numpy as np

from theory.wide_networks.activations import ActivationSpec, _hermite, resolve_activation
from theory.wide_networks.finite_width import check_widths
from theory.wide_networks.kernels import _check_inputs, layer_variances

__all__ = ["four_point_two_inputs"]


def _moments2(fn: Any, K: np.ndarray, order: int) -> dict[tuple[int, int], float]:
    """<sigma(u)^p sigma(v)^q> for p + q in {2, 4} under (u, v) ~ N(0, K), symmetric Gauss-Hermite rule."""
    x, w = _hermite(order)
    q1, q2, k12 = K[0, 0], K[1, 1], K[0, 1]
    rho = float(np.clip(k12 / math.sqrt(q1 * q2), -1.0, 1.0))
    al, be = math.sqrt((1 + rho) / 2), math.sqrt((1 - rho) / 2)
    u = math.sqrt(q1) * (al * x[:, None] + be * x[None, :])
    v = math.sqrt(q2) * (al * x[:, None] - be * x[None, :])
    su, sv, ww = fn(u), fn(v), w[:, None] * w[None, :]
    return {(p, q): float(np.sum(su ** p * sv ** q * ww)) for p in range(5) for q in range(5) if p + q in (2, 4)}


def four_point_two_inputs(X: Any, activation: ActivationSpec, width: int, weight_variances: Sequence[float],
                          bias_variances: Sequence[float] | float, *, quadrature_order: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Connected four-point function :math:`\\kappa_{abcd}` of a one-hidden-layer network on two inputs.

    Parameters
    ----------
    X
        Two inputs, shape ``(2, d)`` (one input, shape ``(1, d)``, is accepted too).
    activation
        Any activation :func:`~theory.wide_networks.resolve_activation` accepts.
    width
        Hidden width :math:`n \\ge 1`.
    weight_variances, bias_variances
        ``(C_W^{(1)}, C_W^{(2)})`` and ``(C_b^{(1)}, C_b^{(2)})`` (a float broadcasts), as in
        :func:`~theory.wide_networks.nngp_kernel`.
    quadrature_order
        Gauss-Hermite nodes per axis.

    Returns
    -------
    kappa, error
        Arrays of shape ``(P, P, P, P)``: :math:`\\kappa_{abcd}` (exact at every width, module
        docstring) and the quadrature error estimate (difference to the 3/4-order rule;
        slow convergence for kinked activations such as ReLU is reported there).

    References
    ----------
    Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), sec. 4.2-4.3.
    """
    A, _ = _check_inputs(X, X)
    P = A.shape[0]
    if P > 2:
        raise ValueError(f"X must hold one or two inputs (the vertex then needs only 2D integrals), got {P}")
    (n,) = check_widths((width,))
    cw, cb = layer_variances(weight_variances, bias_variances)
    if cw.size != 2:
        raise ValueError(f"a one-hidden-layer network has 2 layers: weight_variances needs 2 entries, got {cw.size}")
    act = resolve_activation(activation)
    B = np.vstack([A, A]) if P == 1 else A
    K1 = cb[0] + cw[0] * B @ B.T / B.shape[1]
    if np.any(np.diag(K1) <= 0):
        raise ValueError("first-layer kernel has a zero diagonal (zero input and zero bias)")
    results = []
    for order in (int(quadrature_order), max(8, 3 * int(quadrature_order) // 4)):
        m = _moments2(act.fn, K1, order)

        def avg(idx: tuple[int, ...]) -> float:
            p = sum(1 for i in idx if i == 0)
            return m[(p, len(idx) - p)]

        kap = np.zeros((P,) * 4)
        for a, b, c, d in itertools.product(range(P), repeat=4):
            V = 0.0
            for (i, j), (k, l) in (((a, b), (c, d)), ((a, c), (b, d)), ((a, d), (b, c))):
                V += avg((i, j, k, l)) - avg((i, j)) * avg((k, l))
            kap[a, b, c, d] = cw[1] ** 2 / n * V
        results.append(kap)
    return results[0], np.abs(results[0] - results[1])
