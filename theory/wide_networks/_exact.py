"""Exact finite-width output moments of zero-bias networks with scale-invariant activations.

For :math:`\\sigma(z) = a_+ z 1[z>0] + a_- z 1[z<0]`, Gaussian weights and zero
bias, the output for a single input is a Gaussian scale mixture
(Hanin & Nica, Commun. Math. Phys. 376:287, 2020):

.. math::

    z^{(L)} \\overset{d}{=} \\sqrt{K_1 \\textstyle\\prod_{l=1}^{L-1} Y_l}\\; g,\\qquad
    Y_l = \\frac{C_W}{n_l}\\sum_{i=1}^{n_l} \\sigma(g_{li})^2,

with all :math:`g, g_{li}` iid standard normal, because
:math:`\\sigma(\\lambda z) = \\lambda\\sigma(z)` for :math:`\\lambda > 0` lets every layer's
norm factor out.  Hence for even :math:`k = 2m`

.. math::

    \\frac{E z^{2m}}{(E z^2)^m} = (2m-1)!!\\prod_{l} \\frac{E Y_l^m}{(E Y_l)^m},

and the moments of :math:`Y_l` follow from the cumulants of one summand
:math:`X = \\sigma(g)^2`, :math:`E X^j = A_{2j}(2j-1)!!`, :math:`A_{p} = (a_+^{p} + a_-^{p})/2`,
which add over the :math:`n_l` iid summands.  For :math:`m = 2` this is
:math:`3\\prod_l(1 + c/n_l)`, :math:`c = 3A_4/A_2^2 - 1` (2 linear, 5 ReLU).  Odd moments vanish.
Zero-bias ReLU networks put an atom at :math:`z = 0` of mass
:math:`1 - \\prod_l (1 - 2^{-n_l})` (some hidden layer entirely inactive).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks._activations import ActivationSpec, resolve_activation
from theory.wide_networks._finite_width import _per_layer, check_widths
from theory.wide_networks._laws import LawSpec, law_list

__all__ = ["exact_moment_ratio", "exact_fourth_moment", "layer_factor_moments", "relu_zero_atom",
           "scale_invariant_slopes"]


def scale_invariant_slopes(activation: ActivationSpec) -> tuple[float, float]:
    """Slopes :math:`(a_+, a_-)` of a scale-invariant activation; ``ValueError`` otherwise (pointing to ``finite_width``)."""
    act = resolve_activation(activation)
    if act.slopes is None:
        raise ValueError(f"activation: exact_moment_ratio needs a scale-invariant activation ('linear', 'relu', 'abs', ('leaky_relu', a)); "
                         f"{act.name!r} is not: use theory.wide_networks.finite_width for its 1/width expansion")
    if act.slopes == (0.0, 0.0) or (act.slopes[0] == 0 and act.slopes[1] == 0):
        raise ValueError("activation with both slopes 0 is identically zero")
    return act.slopes


def _moments_from_cumulants(kappa: list[Any], m: int) -> list[Any]:
    """Raw moments mu_0..mu_m from cumulants kappa_1..kappa_m (mu_j = sum_i C(j-1,i-1) kappa_i mu_{j-i})."""
    mu = [kappa[0] * 0 + 1]
    for j in range(1, m + 1):
        mu.append(sum(math.comb(j - 1, i - 1) * kappa[i - 1] * mu[j - i] for i in range(1, j + 1)))
    return mu


def _cumulants_from_moments(mu: list[Any], m: int) -> list[Any]:
    kappa: list[Any] = []
    for j in range(1, m + 1):
        kappa.append(mu[j] - sum(math.comb(j - 1, i - 1) * kappa[i - 1] * mu[j - i] for i in range(1, j)))
    return kappa


def layer_factor_moments(slopes: tuple[Any, Any], n: int, m: int) -> list[Any]:
    """Raw moments :math:`E Y^j`, :math:`j = 0..m`, of :math:`Y = \\frac1n \\sum_{i\\le n} \\sigma(g_i)^2` (:math:`C_W = 1`).

    Exact rational arithmetic (``Fraction``; a float slope is its exact binary value).  Cumulants of iid sums add:
    :math:`\\kappa_j(Y) = n^{1-j}\\kappa_j(\\sigma(g)^2)`.
    """
    ap, am = (Fraction(float(s)) for s in slopes)  # every float is an exact rational
    one = Fraction(1)
    x_mom = [one]
    for j in range(1, m + 1):
        a2j = (ap ** (2 * j) + am ** (2 * j)) * one / 2
        x_mom.append(a2j * math.prod(range(2 * j - 1, 0, -2)))
    kx = _cumulants_from_moments(x_mom, m)
    ky = [kx[j - 1] * (one * n) ** (1 - j) for j in range(1, m + 1)]
    return _moments_from_cumulants(ky, m)


def exact_moment_ratio(activation: ActivationSpec, hidden_widths: Sequence[int] | int, k: int = 4, *,
                       weight_laws: LawSpec = "gaussian") -> float:
    """Exact :math:`E[z^k]/E[z^2]^{k/2}` of the output of a zero-bias MLP with a scale-invariant activation.

    Parameters
    ----------
    activation
        ``"linear"``, ``"relu"``, ``"abs"`` or ``("leaky_relu", slope)`` (or a spec recognised as
        piecewise linear); anything else raises ``ValueError`` pointing to
        :func:`~theory.wide_networks.finite_width`.
    hidden_widths
        :math:`n_1, \\dots, n_{L-1}` (ints >= 1); ``()`` gives the Gaussian value.
    k
        Moment order, an int >= 2 (odd ``k`` gives 0).
    weight_laws
        Standardised weight laws (:func:`~theory.wide_networks.resolve_law` specs), one for every layer or a
        list of :math:`L`; layer 1 is :math:`z_1 = \\sqrt{K_1}\\,w` (input :math:`x = 1`).  Laws other than
        Gaussian need ``k = 4`` (:func:`exact_fourth_moment` with zero bias).

    Returns
    -------
    float
        :math:`(k-1)!!\\prod_l E[Y_l^{k/2}]/E[Y_l]^{k/2}` (module docstring); independent of
        :math:`C_W` and :math:`K_1` (scale invariance), exact at every width (single input, zero bias).  For
        ``k = 4``: :math:`3\\prod_l(1 + c/n_l)` (Gaussian weights).

    Raises
    ------
    TypeError
        A wrong type (a float ``k`` or width, a string, a bool).
    ValueError
        A non-scale-invariant activation, both slopes 0, a width < 1, ``k < 2``, a non-Gaussian law with
        ``k`` other than 4.

    References
    ----------
    Hanin & Nica, "Products of many large random matrices and gradients in deep neural networks",
    Commun. Math. Phys. 376:287 (2020); Roberts, Yaida & Hanin (2022), sec. 5.
    """
    slopes = scale_invariant_slopes(activation)
    ws = check_widths(hidden_widths, allow_empty=True)
    k = v.integer(k, "k", minimum=2)
    laws = law_list(weight_laws, len(ws) + 1, "weight_laws")
    if k % 2:
        return 0.0
    if any(not law.is_gaussian for law in laws):
        if k != 4:
            raise ValueError(f"k: with non-Gaussian weight laws only k = 4 is exact (exact_fourth_moment); got {k}")
        if not ws:
            return 3.0 + laws[0].kurtosis
        return 3.0 + exact_fourth_moment(activation, ws, 1.0, 0.0, 1.0, weight_laws=list(laws))[1]
    m = k // 2
    ratio: Any = Fraction(math.prod(range(k - 1, 0, -2)))
    for n in ws:
        mom = layer_factor_moments(slopes, n, m)
        ratio = ratio * (mom[m] / mom[1] ** m)
    return float(ratio)


def relu_zero_atom(hidden_widths: Sequence[int] | int) -> float:
    r"""Mass of the atom at 0 of a zero-bias ReLU network's output: :math:`1 - \\prod_l(1 - 2^{-n_l})`.

    The output vanishes exactly when some hidden layer has all preactivations
    negative; given the previous layer is not all-zero these are iid symmetric,
    so layer :math:`l` dies with probability :math:`2^{-n_l}` (Hanin & Nica 2020; Lu et al. 2020, "Dying ReLU").

    Parameters
    ----------
    hidden_widths
        :math:`n_1, \\dots, n_{L-1}` (an int or ints >= 1).

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        A width that is not an int >= 1.
    """
    ws = check_widths(hidden_widths)
    return float(1 - math.prod(1 - 0.5 ** n for n in ws))


def exact_fourth_moment(activation: ActivationSpec, hidden_widths: Sequence[int] | int, C_W: Sequence[float] | float,
                        C_b: Sequence[float] | float = 0.0, K1: float = 1.0, *, weight_laws: LawSpec = "gaussian",
                        bias_laws: LawSpec = "gaussian", first_layer_kurtosis: float | None = None) -> tuple[float, float]:
    r"""Exact output variance and excess kurtosis of a scale-invariant MLP with any symmetric parameter laws.

    For :math:`\sigma(z) = a_+z1[z>0] + a_-z1[z<0]` and a symmetric :math:`z`,
    :math:`E\sigma(z)^{2p} = A_{2p}Ez^{2p}`, :math:`A_p = (a_+^p + a_-^p)/2`.  Given layer :math:`l` the neurons of
    layer :math:`l+1` are independent and symmetric with conditional variance
    :math:`S = C_b + \frac{C_W}{n}\sum_j\sigma_j^2` and conditional fourth cumulant
    :math:`Q = k_w\frac{C_W^2}{n^2}\sum_j\sigma_j^4 + k_bC_b^2`, so :math:`q = Ez^2`, :math:`s = ES^2` and
    :math:`m = Ez^4` obey the closed recursion

    .. math::

        q' = C_b + C_WA_2q,\quad
        s' = C_b^2 + 2C_bC_WA_2q + \frac{C_W^2}{n}\big(A_4m + (n-1)A_2^2s\big),\quad
        m' = 3s' + k_w\frac{C_W^2}{n}A_4m + k_bC_b^2,

    from :math:`q = K_1`, :math:`s = K_1^2`, :math:`m = (3 + \gamma_1)K_1^2` (:math:`\gamma_1` the first layer's
    excess kurtosis).  For Gaussian laws and zero bias it is the product :math:`3\prod_l(1 + c/n_l)` of Hanin &
    Nica (2020); the variance is exactly the infinite-width kernel (no 1/n shift).

    Parameters
    ----------
    activation
        A piecewise-linear activation (``"linear"``, ``"relu"``, ``"abs"``, ``("leaky_relu", a)``).
    hidden_widths
        :math:`n_1, \dots, n_{L-1}` (ints >= 1).
    C_W, C_b
        Weight and bias variances of layers :math:`2..L` (a float or one per layer; :math:`C_W > 0`, :math:`C_b \ge 0`).
    K1
        The first layer's variance (> 0).
    weight_laws, bias_laws
        Standardised symmetric laws, one for every layer or a list of :math:`L` (layer 1 first; its bias law is
        unused: the first layer enters through ``K1`` and its kurtosis).
    first_layer_kurtosis
        :math:`\gamma_1`; default the first weight law's excess kurtosis (:math:`z_1 = \sqrt{K_1}w`).

    Returns
    -------
    (float, float)
        :math:`E z^2` and :math:`E z^4/(E z^2)^2 - 3`, exact at every width.

    Raises
    ------
    TypeError, ValueError
        A non-scale-invariant activation, bad widths, variances or laws, :math:`\gamma_1 < -2`.

    References
    ----------
    Hanin & Nica, Commun. Math. Phys. 376:287 (2020); Roberts, Yaida & Hanin (2022), sec. 5.
    """
    ap, am = scale_invariant_slopes(activation)
    ws = check_widths(hidden_widths)
    L = len(ws) + 1
    cw = _per_layer(C_W, L - 1, "C_W", True)
    cb = _per_layer(C_b, L - 1, "C_b", False)
    K1 = v.real(K1, "K1", minimum=0.0, open_min=True)
    wl, bl = law_list(weight_laws, L, "weight_laws"), law_list(bias_laws, L, "bias_laws")
    g1 = wl[0].kurtosis if first_layer_kurtosis is None else v.real(first_layer_kurtosis, "first_layer_kurtosis",
                                                                     minimum=-2.0)
    A2, A4 = (ap ** 2 + am ** 2) / 2, (ap ** 4 + am ** 4) / 2
    q, s, m = K1, K1 * K1, (3.0 + g1) * K1 * K1
    for l, n in enumerate(ws):
        c_w, c_b, kw, kb = cw[l], cb[l], wl[l + 1].kurtosis, bl[l + 1].kurtosis
        s_new = c_b ** 2 + 2 * c_b * c_w * A2 * q + c_w ** 2 / n * (A4 * m + (n - 1) * A2 ** 2 * s)
        m = 3 * s_new + kw * c_w ** 2 / n * A4 * m + kb * c_b ** 2
        q, s = c_b + c_w * A2 * q, s_new
    return float(q), float(m / q ** 2 - 3.0)
