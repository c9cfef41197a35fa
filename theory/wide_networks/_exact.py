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
from theory.wide_networks._finite_width import check_widths

__all__ = ["exact_moment_ratio", "layer_factor_moments", "relu_zero_atom", "scale_invariant_slopes"]


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


def exact_moment_ratio(activation: ActivationSpec, hidden_widths: Sequence[int] | int, k: int = 4) -> float:
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

    Returns
    -------
    float
        :math:`(k-1)!!\\prod_l E[Y_l^{k/2}]/E[Y_l]^{k/2}` (module docstring); independent of
        :math:`C_W` and :math:`K_1` (scale invariance), exact at every width (single input,
        Gaussian weights, zero bias).  For ``k = 4``: :math:`3\\prod_l(1 + c/n_l)`.

    Raises
    ------
    TypeError
        A wrong type (a float ``k`` or width, a string, a bool).
    ValueError
        A non-scale-invariant activation, both slopes 0, a width < 1, ``k < 2``.

    References
    ----------
    Hanin & Nica, "Products of many large random matrices and gradients in deep neural networks",
    Commun. Math. Phys. 376:287 (2020); Roberts, Yaida & Hanin (2022), sec. 5.
    """
    slopes = scale_invariant_slopes(activation)
    ws = check_widths(hidden_widths, allow_empty=True)
    k = v.integer(k, "k", minimum=2)
    if k % 2:
        return 0.0
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
