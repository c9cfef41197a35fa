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
layer 2.  For two inputs all averages are two-dimensional Gaussian integrals: Gauss-Hermite for
smooth activations; for positively homogeneous ones (degree :math:`d \\in \\{0, 1\\}`: step, sign,
ReLU, leaky ReLU, absolute value, linear) exactly, in polar coordinates of the standardised pair,
where :math:`\\sigma(u)^p\\sigma(v)^q = r^{d(p+q)} g(\\varphi)` splits into the radial moment
:math:`\\int_0^\\infty r^{m+1}e^{-r^2/2}dr = 2^{m/2}\\Gamma(m/2+1)` and an angular integral of a
trigonometric polynomial on each arc between the zeros of :math:`u` and :math:`v` (Gauss-Legendre,
exact to rounding).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks._activations import Activation, ActivationSpec, _hermite, resolve_activation
from theory.wide_networks._kernels import _check_inputs, layer_variances

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


def _homogeneous_moments2(act: Activation, K: np.ndarray) -> dict[tuple[int, int], float]:
    """<sigma(u)^p sigma(v)^q>, p + q in {2, 4}, exactly for a positively homogeneous sigma (polar coordinates)."""
    hom = act.homogeneous
    assert hom is not None
    deg, (s_pos, s_neg) = hom
    q1, q2, k12 = K[0, 0], K[1, 1], K[0, 1]
    rho = float(np.clip(k12 / math.sqrt(q1 * q2), -1.0, 1.0))
    al, be = math.sqrt((1 + rho) / 2), math.sqrt((1 - rho) / 2)
    # u ~ al cos(phi) + be sin(phi), v ~ al cos(phi) - be sin(phi): zeros at phi = atan2(-+al, be) (+ pi)
    cuts = [math.atan2(-al, be), math.atan2(al, be)]
    cuts = sorted({c % (2 * math.pi) for c in cuts} | {(c + math.pi) % (2 * math.pi) for c in cuts} | {0.0})
    cuts.append(2 * math.pi)
    x, w = np.polynomial.legendre.leggauss(24)
    phis, ws = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b > a:
            phis.append((a + b) / 2 + (b - a) / 2 * x)
            ws.append((b - a) / 2 * w)
    phi, wt = np.concatenate(phis), np.concatenate(ws)
    cu = al * np.cos(phi) + be * np.sin(phi)
    cv = al * np.cos(phi) - be * np.sin(phi)

    def unit(c: np.ndarray) -> np.ndarray:  # sigma(c) / |c|^deg for a unit radius
        return np.where(c > 0, s_pos, np.where(c < 0, s_neg, 0.0)) * np.abs(c) ** deg

    gu, gv = q1 ** (deg / 2) * unit(cu), q2 ** (deg / 2) * unit(cv)
    out = {}
    for p in range(5):
        for q in range(5):
            if p + q in (2, 4):
                m = deg * (p + q)
                radial = 2 ** (m / 2) * math.gamma(m / 2 + 1)
                out[(p, q)] = float(radial / (2 * math.pi) * np.sum(gu ** p * gv ** q * wt))
    return out


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
        docstring) and the quadrature error estimate (difference to the 3/4-order rule for smooth
        activations; rounding for homogeneous ones, integrated exactly).

    Raises
    ------
    TypeError, ValueError
        Bad shapes or types, more than two inputs, not two layers of variances, a width < 1, an
        order < 8, a non-smooth activation without closed form, a zero first-layer kernel.

    References
    ----------
    Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), sec. 4.2-4.3.
    """
    A, _ = _check_inputs(X, X)
    P = A.shape[0]
    if P > 2:
        raise ValueError(f"X must hold one or two inputs (the vertex then needs only 2D integrals), got {P}")
    n = v.integer(width, "width", minimum=1)
    cw, cb = layer_variances(weight_variances, bias_variances)
    if cw.size != 2:
        raise ValueError(f"a one-hidden-layer network has 2 layers: weight_variances needs 2 entries, got {cw.size}")
    order = v.integer(quadrature_order, "quadrature_order", minimum=8)
    act = resolve_activation(activation)
    if act.homogeneous is None:
        act.require_quadrature("four_point_two_inputs")
    B = np.vstack([A, A]) if P == 1 else A
    K1 = cb[0] + cw[0] * B @ B.T / B.shape[1]
    if np.any(np.diag(K1) <= 0):
        raise ValueError("first-layer kernel has a zero diagonal (zero input and zero bias)")
    results = []
    for o in ((order,) if act.homogeneous is not None else (order, max(8, 3 * order // 4))):
        m = _homogeneous_moments2(act, K1) if act.homogeneous is not None else _moments2(act.fn, K1, o)

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
    if len(results) == 1:  # exact up to rounding: a few ulps of the largest term
        scale = cw[1] ** 2 / n * max(abs(x) for x in m.values())
        return results[0], np.full_like(results[0], 1e-13 * scale)
    return results[0], np.abs(results[0] - results[1])
