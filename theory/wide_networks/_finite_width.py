"""1/width corrections for a single input: four-point vertex, variance correction, excess kurtosis.

Single input, hidden widths :math:`n_1, \\dots, n_{L-1}`, first-layer preactivation
:math:`z_1 = \\sqrt{K_1}\\,w` (variance :math:`K_1`), later layers :math:`z^{(l+1)} = b + W\\sigma(z^{(l)})`
with iid :math:`W_{ij} = \\sqrt{C_W^{(l+1)}/n_l}\\,w_{ij}`, :math:`b = \\sqrt{C_b^{(l+1)}}\\,\\beta`, the standardised
:math:`w, \\beta` of any law with excess kurtoses :math:`k_w, k_b` (Gaussian: 0).  Given layer :math:`l` a
neuron of layer :math:`l+1` is a sum of :math:`n_l` independent terms, so its conditional fourth cumulant is
:math:`Q = k_w C_W^2 n_l^{-2}\\sum_j\\sigma_j^4 + k_bC_b^2` and one neuron's fourth cumulant is
:math:`3v + e`, :math:`e = E\\,Q`.  With :math:`\\langle\\cdot\\rangle_K` the average over
:math:`z \\sim N(0, K)` (Roberts, Yaida & Hanin 2022, ch. 4-5; Yaida arXiv:1910.00019, for the Gaussian terms):

.. math::

    K_{l+1} &= C_b + C_W \\langle\\sigma^2\\rangle_{K_l}, \\qquad
    \\chi_\\parallel = \\frac{C_W}{2K_l^2}\\langle\\sigma^2 (z^2 - K_l)\\rangle_{K_l},\\\\
    v_{l+1} &= \\frac{C_W^2}{n_l}\\big(\\langle\\sigma^4\\rangle - \\langle\\sigma^2\\rangle^2\\big) + \\chi_\\parallel^2 v_l,
    \\qquad e_{l+1} = k_w\\frac{C_W^2}{n_l}\\langle\\sigma^4\\rangle + k_bC_b^2,\\\\
    G_{l+1} &= \\chi_\\parallel G_l + \\frac{C_W}{24K_l^4}\\langle\\sigma^2(z^4 - 6K_lz^2 + 3K_l^2)\\rangle_{K_l}\\,(3v_l + e_l),
    \\qquad v_1 = e_1 = G_1 = 0,

where :math:`v_l = \\mathrm{Cov}(z_i^2, z_j^2)` (:math:`i\\ne j`, the four-point vertex including its
:math:`1/n`), :math:`G_{l+1}` is the Edgeworth correction of :math:`E\\sigma^2` for one neuron's fourth cumulant
:math:`3v_l + e_l`, :math:`E z^2 = K_L + G_L + O(1/n^2)` and the output excess kurtosis is
:math:`(3 v_L + e_L) / K_L^2 + O(1/n^2)`.  The first transition averages over the first layer's own law
(exact), not the Gaussian.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks._activations import (
    Activation,
    ActivationSpec,
    gauss_expect_1d,
    resolve_activation,
)
from theory.wide_networks._laws import LawSpec, law_list

__all__ = ["FiniteWidthResult", "finite_width", "gaussian_moments", "check_widths", "default_weight_variance"]


@dataclass(frozen=True)
class FiniteWidthResult:
    """Output statistics of a finite-width MLP to first order in 1/width (single input).

    Parameters
    ----------
    kernel : float
        Infinite-width output variance :math:`K_L`.
    variance : float
        :math:`K_L + G_L` (to :math:`O(1/n)`).
    variance_correction : float
        :math:`G_L`.
    four_point : float
        :math:`v_L = \\mathrm{Cov}(z_i^2, z_j^2)`.
    excess_kurtosis : float
        :math:`(3 v_L + e_L) / K_L^2` (to :math:`O(1/n)`), :math:`e_L` (``extra["e"]``) the contribution of
        non-Gaussian weight and bias laws (0 for Gaussian laws).
    kernels, four_points, corrections : tuple of float
        Per-layer :math:`K_l`, :math:`v_l`, :math:`G_l` (layer 1 ... L).
    chi_parallel : tuple of float
        The parallel susceptibility :math:`\\chi_\\parallel` of each layer-to-layer transition (L - 1 values).
    variance_truncation, kurtosis_truncation : float
        Size of the omitted :math:`O(1/n^2)` terms: 0 for one hidden layer (the 1/n results are
        exact there: given the hidden layer :math:`E z^2 = S` and :math:`E z^4 = 3S^2 + Q` with iid means
        :math:`S, Q`); for scale-invariant activations the exact remainders against
        :func:`~theory.wide_networks.exact_fourth_moment` (any bias, any symmetric laws; 0 for the variance);
        otherwise :math:`K_L\\kappa_+^2` and :math:`\\kappa_+^2\\max(1, \\kappa_+)`, :math:`\\kappa_+` the excess kurtosis
        of the majorant recursion (every 1/n contribution in absolute value; :math:`\\kappa_+ = \\kappa_{1/n}` for
        Gaussian laws).  Checked against the exact recursion: remainder :math:`\\le 0.55\\,\\kappa_+^2` wherever
        :math:`\\kappa_+ \\le 1` (widths 2-128, depths 1-6, Gaussian / uniform / Rademacher / Student-t laws).
    quadrature_error : float, default 0.0
        Estimated absolute error of the Gaussian averages (0 for piecewise-linear activations).
    extra : dict, optional
        The inputs as used (``activation``, ``hidden_widths``, ``C_W``, ``C_b``, ``K1``, ``weight_laws``,
        ``bias_laws``), ``e`` and ``excess_kurtosis_majorant`` :math:`\\kappa_+`.
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
                 C_b: Sequence[float] | float = 0.0, K1: float = 1.0, *, weight_laws: LawSpec = "gaussian",
                 bias_laws: LawSpec = "gaussian") -> FiniteWidthResult:
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
    weight_laws, bias_laws
        Standardised laws of the weights and biases (:func:`~theory.wide_networks.resolve_law` specs), one for
        every layer or a list of :math:`L`, layer 1 first: the first layer is :math:`z_1 = \\sqrt{K_1}\\,w`
        with :math:`w` of ``weight_laws[0]`` (averages over its exact law; its bias law is unused), the later
        layers enter through their excess kurtoses :math:`k_w, k_b` (module docstring).

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
    The recursions are in the module docstring.  For piecewise-linear activations
    :math:`G_L = 0` for any bias and law; with Gaussian laws at zero bias the kurtosis is
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
    wl, bl = law_list(weight_laws, L1 + 1, "weight_laws"), law_list(bias_laws, L1 + 1, "bias_laws")
    K, v4, G, e4, qerr = K1, 0.0, 0.0, 0.0, 0.0
    vp, ep, Gp = 0.0, 0.0, 0.0  # the majorant recursion (every 1/n contribution in absolute value)
    Ks, vs, Gs, chis = [K], [v4], [G], []
    for i, (n, c_w, c_b) in enumerate(zip(ws, cw, cb)):
        if i == 0 and not wl[0].is_gaussian:  # z_1 = sqrt(K1) w: averages over the first layer's own law
            m, e = _first_layer_moments(act, K1, wl[0])
        else:
            m, e = gaussian_moments(act, K)
        qerr = max(qerr, e * c_w)
        chi = c_w / (2 * K * K) * (m["s2z2"] - K * m["s2"])
        h4 = m["s2z4"] - 6 * K * m["s2z2"] + 3 * K * K * m["s2"]
        G = chi * G + c_w / 24 * h4 * (3 * v4 + e4) / K ** 4
        Gp = abs(chi) * Gp + abs(c_w / 24 * h4) * (3 * vp + ep) / K ** 4
        fresh = c_w * c_w / n * (m["s4"] - m["s2"] ** 2)
        v4, vp = fresh + chi * chi * v4, abs(fresh) + chi * chi * vp
        kw, kb = wl[i + 1].kurtosis, bl[i + 1].kurtosis
        e4 = kw * c_w * c_w / n * m["s4"] + kb * c_b * c_b
        ep = abs(kw) * c_w * c_w / n * abs(m["s4"]) + abs(kb) * c_b * c_b
        K = c_b + c_w * m["s2"]
        if K <= 0:
            raise ValueError("the kernel vanished (activation identically zero on the data?)")
        Ks.append(K)
        vs.append(v4)
        Gs.append(G)
        chis.append(chi)
    kurt = (3 * v4 + e4) / (K * K)
    kplus = (3 * vp + ep) / (K * K)
    if len(ws) == 1:
        # one hidden layer: given layer 1, E z^2 = S and E z^4 = 3 S^2 + Q with S, Q iid means: exact
        var_tr, kurt_tr = 0.0, 0.0
    elif act.slopes is not None:
        # scale-invariant: the fourth moment obeys a closed exact recursion (symmetric laws, any bias)
        from theory.wide_networks._exact import exact_fourth_moment

        q, kx = exact_fourth_moment(act, ws, cw, cb, K1, weight_laws=list(wl), bias_laws=list(bl))
        var_tr, kurt_tr = abs(q - (K + G)), abs(kx - kurt)
    else:
        var_tr, kurt_tr = K * kplus * kplus, kplus * kplus * max(1.0, kplus)
    return FiniteWidthResult(
        kernel=float(K), variance=float(K + G), variance_correction=float(G), four_point=float(v4),
        excess_kurtosis=float(kurt), kernels=tuple(map(float, Ks)), four_points=tuple(map(float, vs)),
        corrections=tuple(map(float, Gs)), chi_parallel=tuple(map(float, chis)),
        variance_truncation=float(var_tr), kurtosis_truncation=float(kurt_tr), quadrature_error=float(qerr),
        extra={"activation": act.name, "hidden_widths": ws, "C_W": cw.tolist(), "C_b": cb.tolist(), "K1": K1,
               "weight_laws": [x.label for x in wl], "bias_laws": [x.label for x in bl], "e": float(e4),
               "excess_kurtosis_majorant": float(kplus)},
    )


def _first_layer_moments(act: Activation, K1: float, law: Any) -> tuple[dict[str, float], float]:
    """<sigma^2>, <sigma^4> over z = sqrt(K1) w with w of the given law (the other averages: unused at layer 1)."""
    from theory.wide_networks._first_layer import first_layer_expectations

    terms = [((2,), (0,)), ((4,), (0,))]
    vals, errs, _ = first_layer_expectations(np.ones((1, 1)), act, K1, 0.0, law, law, [((0,), terms)])
    g, _ = gaussian_moments(act, K1)  # chi at layer 1 multiplies v_1 = e_1 = G_1 = 0: reported only
    return {"s2": float(vals[0][0]), "s4": float(vals[0][1]), "s2z2": g["s2z2"], "s2z4": g["s2z4"]}, float(np.max(errs[0]))
