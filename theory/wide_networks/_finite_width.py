"""1/width corrections for a single input: four-point vertex, variance correction, excess kurtosis.

Single input, hidden widths :math:`n_1, \\dots, n_{L-1}`, first-layer
preactivation variance :math:`K_1`, later layers
:math:`z^{(l+1)} = b + W\\sigma(z^{(l)})`, :math:`W_{ij} \\sim N(0, C_W^{(l+1)}/n_l)`,
:math:`b \\sim N(0, C_b^{(l+1)})`.  With :math:`\\langle\\cdot\\rangle_K` the average over
:math:`z \\sim N(0, K)` (Roberts, Yaida & Hanin 2022, ch. 4-5; Yaida arXiv:1910.00019):

.. math::

    K_{l+1} &= C_b + C_W \\langle\\sigma^2\\rangle_{K_l}, \\qquad
    \\chi_\\parallel = \\frac{C_W}{2K_l^2}\\langle\\sigma^2 (z^2 - K_l)\\rangle_{K_l},\\\\
    v_{l+1} &= \\frac{C_W^2}{n_l}\\big(\\langle\\sigma^4\\rangle - \\langle\\sigma^2\\rangle^2\\big) + \\chi_\\parallel^2 v_l,
    \\qquad v_1 = 0,\\\\
    G_{l+1} &= \\chi_\\parallel G_l + \\frac{C_W}{8K_l^4}\\langle\\sigma^2(z^4 - 6K_lz^2 + 3K_l^2)\\rangle_{K_l}\\, v_l,
    \\qquad G_1 = 0,

where :math:`v_l = \\mathrm{Cov}(z_i^2, z_j^2)` (:math:`i\\ne j`, the four-point vertex
including its :math:`1/n`), :math:`E z^2 = K_L + G_L + O(1/n^2)` and the output excess kurtosis
is :math:`3 v_L / K_L^2 + O(1/n^2)` (a single neuron's fourth cumulant is :math:`3 v`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks._activations import Activation, ActivationSpec, gauss_expect_1d, resolve_activation

__all__ = ["FiniteWidthResult", "finite_width", "gaussian_moments", "check_widths", "default_weight_variance"]


@dataclass(frozen=True)
class FiniteWidthResult:
    """Output statistics of a finite-width MLP to first order in 1/width (single input).

    Attributes
    ----------
    kernel
        Infinite-width output variance :math:`K_L`.
    variance
        :math:`K_L + G_L` (to :math:`O(1/n)`).
    variance_correction
        :math:`G_L`.
    four_point
        :math:`v_L = \\mathrm{Cov}(z_i^2, z_j^2)`.
    excess_kurtosis
        :math:`3 v_L / K_L^2` (to :math:`O(1/n)`).
    kernels, four_points, corrections, chi_parallel
        Per-layer values (layer 1 ... L; ``chi_parallel`` per transition).
    variance_truncation, kurtosis_truncation
        Size of the omitted :math:`O(1/n^2)` terms: 0 for one hidden layer (the 1/n results are
        exact there: the output is Gaussian given an iid mean of the hidden layer); the exact
        remainder :math:`|3\\prod_l(1+c/n_l) - 3 - \\kappa_{1/n}|` (and 0 for the variance) for
        scale-invariant activations at zero bias; otherwise the square of the relative first-order
        correction, :math:`K_L\\kappa_{1/n}^2` and :math:`\\kappa_{1/n}^2` (for scale-invariant
        activations the exact :math:`1/n^2` term :math:`3c^2\\sum_{i<j}1/(n_in_j)` is below
        :math:`\\kappa_{1/n}^2`).
    quadrature_error
        Estimated absolute error of the Gaussian averages (0 for piecewise-linear activations).
    """

    kernel: float
    variance: float
    variance_correction: float
    four_point: float
    excess_kurtosis: float
    kernels: tuple[float, ...]
    four_points: tuple[float, ...]
    corrections: tuple[float, ...]
    chi_parallel: tuple[float, ...]
    variance_truncation: float
    kurtosis_truncation: float
    quadrature_error: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def check_widths(hidden_widths: Any, name: str = "hidden_widths", *, allow_empty: bool = False) -> tuple[int, ...]:
    """Validate hidden widths: an int >= 1 (one hidden layer) or a sequence of ints >= 1 (no floats such as 2.0)."""
    if isinstance(hidden_widths, (int, np.integer)) and not isinstance(hidden_widths, (bool, np.bool_)):
        return (v.integer(hidden_widths, name, minimum=1),)
    return v.integers(hidden_widths, name, minimum=1, min_length=0 if allow_empty else 1)


def default_weight_variance(activation: ActivationSpec) -> float:
    r"""Criticality :math:`C_W = 1/A_2`, :math:`A_2 = (a_+^2+a_-^2)/2`, for piecewise-linear activations; 1 otherwise.

    Parameters
    ----------
    activation
        Any spec :func:`~theory.wide_networks.resolve_activation` accepts.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Both slopes 0 (the activation vanishes).

    References
    ----------
    Roberts, Yaida & Hanin (2022), sec. 5.2 (scale-invariant universality class).
    """
    act = resolve_activation(activation)
    if act.slopes is None:
        return 1.0
    a2 = (act.slopes[0] ** 2 + act.slopes[1] ** 2) / 2
    if a2 == 0:
        raise ValueError("activation with both slopes 0 is identically zero")
    return 1.0 / a2


def _dfact(m: int) -> float:
    return float(np.prod(np.arange(m, 0, -2))) if m > 0 else 1.0


def gaussian_moments(activation: ActivationSpec, K: float, *, order: int = 160) -> tuple[dict[str, float], float]:
    r"""The Gaussian averages the recursion needs, with their estimated error.

    Returns ``({"s2": <σ²>, "s4": <σ⁴>, "s2z2": <σ² z²>, "s2z4": <σ² z⁴>}, error)``.
    Piecewise-linear activations are exact:
    :math:`\langle\sigma^{2p} z^{2m}\rangle_K = \frac{a_+^{2p}+a_-^{2p}}{2}(2p+2m-1)!!\,K^{p+m}`;
    piecewise-constant ones too: :math:`\frac{b_+^{2p}+b_-^{2p}}{2}(2m-1)!!\,K^{m}`;
    otherwise Gauss-Hermite of ``order`` nodes (error: difference to the 2/3-order rule;
    non-smooth callables are refused).
    """
    act = resolve_activation(activation)
    K = v.real(K, "K", minimum=0.0, open_min=True)
    order = v.integer(order, "order", minimum=8)
    if act.levels is not None:
        bp, bm = act.levels

        def mc(p: int, q: int) -> float:
            return (bp ** (2 * p) + bm ** (2 * p)) / 2 * _dfact(2 * q - 1) * K ** q

        return {"s2": mc(1, 0), "s4": mc(2, 0), "s2z2": mc(1, 1), "s2z4": mc(1, 2)}, 0.0
    if act.slopes is not None:
        ap, am = act.slopes

        def m(p: int, q: int) -> float:
            return (ap ** (2 * p) + am ** (2 * p)) / 2 * _dfact(2 * p + 2 * q - 1) * K ** (p + q)

        return {"s2": m(1, 0), "s4": m(2, 0), "s2z2": m(1, 1), "s2z4": m(1, 2)}, 0.0
    act.require_quadrature("gaussian_moments")
    fs = {
        "s2": lambda z: act.fn(z) ** 2,
        "s4": lambda z: act.fn(z) ** 4,
        "s2z2": lambda z: act.fn(z) ** 2 * z * z,
        "s2z4": lambda z: act.fn(z) ** 2 * z ** 4,
    }
    out, err = {}, 0.0
    for k, f in fs.items():
        x, e = gauss_expect_1d(f, K, order=order)
        out[k] = float(x)
        err = max(err, float(e))
    return out, err


def _per_layer(value: Any, n: int, name: str, positive: bool) -> np.ndarray:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return np.full(n, v.real(value, name, minimum=0.0, open_min=positive))
    return np.array(v.reals(value, name, minimum=0.0, open_min=positive, length=n))


def finite_width(activation: ActivationSpec, hidden_widths: Sequence[int] | int, C_W: Sequence[float] | float | None = None,
                 C_b: Sequence[float] | float = 0.0, K1: float = 1.0) -> FiniteWidthResult:
    """Output variance and excess kurtosis of a finite-width MLP to first order in 1/width.

    Parameters
    ----------
    activation
        Any activation :func:`~theory.wide_networks.resolve_activation` accepts.
    hidden_widths
        :math:`n_1, \\dots, n_{L-1}` (ints >= 1).
    C_W
        Weight variance of layers 2..L (float or one per hidden layer, > 0); default
        :func:`default_weight_variance` (criticality for piecewise-linear activations).
    C_b
        Bias variance of layers 2..L (float or one per hidden layer, >= 0).
    K1
        First-layer preactivation variance :math:`C_W^{(1)}|x|^2/n_0 + C_b^{(1)} > 0`.

    Returns
    -------
    FiniteWidthResult
        ``.kernel``, ``.variance``, ``.excess_kurtosis`` and per-layer details.

    Raises
    ------
    TypeError
        A wrong type (a float width such as ``2.0``, a string, a bool).
    ValueError
        A width < 1, :math:`C_W \\le 0`, :math:`C_b < 0`, :math:`K_1 \\le 0`, a non-smooth activation
        without closed form.

    Notes
    -----
    The recursions are in the module docstring.  For piecewise-linear
    activations at zero bias :math:`G_L = 0` and the kurtosis is
    :math:`3 c \\sum_l 1/n_l`, the first-order expansion of the exact
    :math:`3\\prod_l (1 + c/n_l)` (Hanin & Nica 2020).

    References
    ----------
    Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4-5 (the
    four-point vertex recursion and the 1/n variance correction); Yaida, MSML 2020
    (arXiv:1910.00019); Hanin & Nica, Commun. Math. Phys. 376:287 (2020) (the exact product).
    """
    act = resolve_activation(activation)
    ws = check_widths(hidden_widths)
    L1 = len(ws)
    cw = _per_layer(default_weight_variance(act) if C_W is None else C_W, L1, "C_W", True)
    cb = _per_layer(C_b, L1, "C_b", False)
    K1 = v.real(K1, "K1", minimum=0.0, open_min=True)
    K, v4, G, qerr = K1, 0.0, 0.0, 0.0
    Ks, vs, Gs, chis = [K], [v4], [G], []
    for n, c_w, c_b in zip(ws, cw, cb):
        m, e = gaussian_moments(act, K)
        qerr = max(qerr, e * c_w)
        chi = c_w / (2 * K * K) * (m["s2z2"] - K * m["s2"])
        h4 = m["s2z4"] - 6 * K * m["s2z2"] + 3 * K * K * m["s2"]
        G = chi * G + c_w / 8 * h4 * v4 / K ** 4
        v4 = c_w * c_w / n * (m["s4"] - m["s2"] ** 2) + chi * chi * v4
        K = c_b + c_w * m["s2"]
        if K <= 0:
            raise ValueError("the kernel vanished (activation identically zero on the data?)")
        Ks.append(K)
        vs.append(v4)
        Gs.append(G)
        chis.append(chi)
    kurt = 3 * v4 / (K * K)
    if len(ws) == 1:
        # one hidden layer: z | layer 1 ~ N(0, S) with S an iid mean, so E z^2 = K_2 and 3 Var(S)/K_2^2 are exact
        var_tr, kurt_tr = 0.0, 0.0
    elif act.slopes is not None and not np.any(cb):
        # scale-invariant, zero bias: G = 0 exactly and the omitted kurtosis terms are known (Hanin & Nica 2020)
        a2 = (act.slopes[0] ** 2 + act.slopes[1] ** 2) / 2
        c = 3 * (act.slopes[0] ** 4 + act.slopes[1] ** 4) / 2 / a2 ** 2 - 1
        var_tr, kurt_tr = 0.0, abs(3 * math.prod(1 + c / n for n in ws) - 3 - kurt)
    else:
        var_tr, kurt_tr = K * kurt * kurt, kurt * kurt
    return FiniteWidthResult(
        kernel=float(K), variance=float(K + G), variance_correction=float(G), four_point=float(v4),
        excess_kurtosis=float(kurt), kernels=tuple(map(float, Ks)), four_points=tuple(map(float, vs)),
        corrections=tuple(map(float, Gs)), chi_parallel=tuple(map(float, chis)),
        variance_truncation=float(var_tr), kurtosis_truncation=float(kurt_tr), quadrature_error=float(qerr),
        extra={"activation": act.name, "hidden_widths": ws, "C_W": cw.tolist(), "C_b": cb.tolist(), "K1": K1},
    )
