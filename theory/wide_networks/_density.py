"""Output density of a one-hidden-layer network as an Edgeworth expansion in 1/width.

With one hidden layer of width :math:`n` and a single input,

.. math::

    z = b + \\sum_{i=1}^{n} W_i\\,\\sigma(z_i) = \\frac{1}{\\sqrt n}\\sum_{i=1}^n X_i,\\qquad
    X_i = \\sqrt{C_W}\\,w_i\\,\\sigma(z_i) + \\sqrt{C_b}\\,\\beta_i ,

with :math:`w_i, \\beta_i` iid standard normal and :math:`z_i \\sim N(0, K_1)` iid: an
exact iid sum (the bias :math:`b \\sim N(0,C_b)` split into :math:`n` Gaussian pieces), so the
Edgeworth expansion of :class:`theory.edgeworth.Edgeworth` applies with :math:`1/n` as its
parameter (Halverson, Maiti & Stoner, arXiv:2008.08601; Roberts, Yaida & Hanin 2022, ch. 4).
The summand is symmetric, so the odd cumulants vanish and

.. math::

    \\kappa_2 = C_W\\langle\\sigma^2\\rangle + C_b,\\quad
    \\kappa_4 = 3C_W^2(\\langle\\sigma^4\\rangle - \\langle\\sigma^2\\rangle^2),\\quad
    \\kappa_6 = 15C_W^3\\langle\\sigma^6\\rangle - 45C_W^3\\langle\\sigma^4\\rangle\\langle\\sigma^2\\rangle
               + 30C_W^3\\langle\\sigma^2\\rangle^3 .
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theory.edgeworth import Edgeworth
from theory import validate as v
from theory.wide_networks._activations import ActivationSpec, gauss_expect_1d, resolve_activation
from theory.wide_networks._exact_cdf import exact_cdf
from theory.wide_networks._finite_width import default_weight_variance

__all__ = ["OutputDensity", "output_density"]


@dataclass(frozen=True)
class OutputDensity:
    """1/width Edgeworth expansion of the output of a one-hidden-layer network (in units of ``z``).

    ``pdf``/``cdf`` keep the :math:`n^{-1}` term (order 2 in :math:`n^{-1/2}`; the
    :math:`n^{-3/2}` term vanishes by symmetry); ``pdf_truncation``/``cdf_truncation`` are the
    first non-vanishing omitted term, :math:`O(n^{-2})`, which uses :math:`\\kappa_6`: an estimate, not a
    bound (at width 5 the real remainder is up to ~2x larger).  :meth:`exact_cdf` is the exact CDF
    (characteristic-function inversion, with an error bound): the computable reference against
    which the expansion's error is measured.

    Parameters
    ----------
    width : int
        Hidden width :math:`n \\ge 1`.
    cumulants : tuple of float
        :math:`(\\kappa_1, \\dots, \\kappa_6) = (0, \\kappa_2, 0, \\kappa_4, 0, \\kappa_6)` of one summand :math:`X_i` (module
        docstring); the output has variance :math:`\\kappa_2` and fourth cumulant :math:`\\kappa_4/n`.
    expansion : Edgeworth
        The Edgeworth expansion of the standardised sum built from ``cumulants``.
    network : tuple, optional
        ``(activation, C_W, C_b, K1)``: the resolved activation and variances, used by :meth:`exact_cdf`.
    """

    width: int
    cumulants: tuple[float, ...]
    expansion: Edgeworth
    network: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def variance(self) -> float:
        """Exact output variance :math:`\\kappa_2`."""
        return self.cumulants[1]

    @property
    def excess_kurtosis(self) -> float:
        """Exact output excess kurtosis :math:`\\kappa_4/(n\\kappa_2^2)`."""
        return self.cumulants[3] / (self.width * self.cumulants[1] ** 2)

    def _s(self, z: Any) -> np.ndarray:
        return v.array(z, "z") / math.sqrt(self.variance)

    def pdf(self, z: Any) -> np.ndarray:
        """Density of the output to :math:`O(1/n)`.

        Parameters
        ----------
        z : array_like
            Output values (finite), in units of the output.

        Returns
        -------
        numpy.ndarray
            Same shape as ``z``: the truncated expansion's density (per unit of ``z``; it can be negative in
            the tails, with a :class:`~theory.edgeworth.NegativeDensityWarning`).
        """
        return self.expansion.pdf(self._s(z), self.width, 3) / math.sqrt(self.variance)

    def cdf(self, z: Any) -> np.ndarray:
        """CDF of the output to :math:`O(1/n)`.

        Parameters
        ----------
        z : array_like
            Output values (finite), in units of the output.

        Returns
        -------
        numpy.ndarray
            Same shape as ``z``: the truncated expansion's :math:`P(\\text{output} \\le z)` (it can leave
            :math:`[0, 1]` in the tails, with a warning).
        """
        return self.expansion.cdf(self._s(z), self.width, 3)

    def pdf_truncation(self, z: Any) -> np.ndarray:
        """Absolute value of the :math:`n^{-2}` density term (the first non-vanishing omitted term).

        Parameters
        ----------
        z : array_like
            Output values (finite), in units of the output.

        Returns
        -------
        numpy.ndarray
            Same shape as ``z``, >= 0, per unit of ``z``: an estimate of :meth:`pdf`'s error, not a bound.
        """
        return self.expansion.pdf_truncation(self._s(z), self.width, 3) / math.sqrt(self.variance)

    def cdf_truncation(self, z: Any) -> np.ndarray:
        """Absolute value of the :math:`n^{-2}` CDF term (the first non-vanishing omitted term).

        Parameters
        ----------
        z : array_like
            Output values (finite), in units of the output.

        Returns
        -------
        numpy.ndarray
            Same shape as ``z``, >= 0: an estimate of :meth:`cdf`'s error, not a bound.
        """
        return self.expansion.cdf_truncation(self._s(z), self.width, 3)

    def exact_cdf(self, z: Any, return_error: bool = False) -> Any:
        r"""The exact output CDF by Gil-Pelaez inversion of :math:`\varphi(t) = e^{-C_bt^2/2}\psi(C_Wt^2/2n)^n`.

        Parameters
        ----------
        z
            Points (finite array).
        return_error
            Also return a bound on the numerical error.

        Returns
        -------
        numpy.ndarray (and its error bound when ``return_error``)

        Raises
        ------
        ValueError
            The law has an atom (zero-bias ReLU-like networks): the inversion does not apply.

        References
        ----------
        Gil-Pelaez, Biometrika 38:481 (1951); see :mod:`theory.wide_networks._exact_cdf`.
        """
        return_error = v.boolean(return_error, "return_error")
        za = v.array(z, "z")
        act, cw, cb, K1 = self.network
        return exact_cdf(act, self.width, cw, cb, K1)(za, return_error=return_error)


def output_density(activation: ActivationSpec, width: int, C_W: float | None = None, C_b: float = 0.0,
                   K1: float = 1.0) -> OutputDensity:
    """The 1/width Edgeworth density of a one-hidden-layer network's output (single input).

    Parameters
    ----------
    activation
        Any activation :func:`~theory.wide_networks.resolve_activation` accepts.
    width
        Hidden width :math:`n \\ge 1`.
    C_W, C_b
        Output-layer weight (> 0; default criticality, see ``default_weight_variance``) and bias (>= 0) variances.
    K1
        Hidden preactivation variance (> 0).

    Returns
    -------
    OutputDensity

    Raises
    ------
    TypeError, ValueError
        A width that is not an int >= 1, :math:`C_W \\le 0`, :math:`C_b < 0`, :math:`K_1 \\le 0`, a
        non-smooth activation without closed form.

    Notes
    -----
    Cumulants in the module docstring; Edgeworth series as in Petrov (1975), ch. VI.
    Zero-bias ReLU networks also have an atom of mass :math:`2^{-n}` at 0, not in the expansion.

    References
    ----------
    Halverson, Maiti & Stoner, Mach. Learn.: Sci. Technol. 2:035002 (2021), arXiv:2008.08601.
    """
    n = v.integer(width, "width", minimum=1)
    act = resolve_activation(activation)
    cw = default_weight_variance(act) if C_W is None else v.real(C_W, "C_W", minimum=0.0, open_min=True)
    cb = v.real(C_b, "C_b", minimum=0.0)
    K1 = v.real(K1, "K1", minimum=0.0, open_min=True)
    if act.slopes is not None:
        a = {p: (act.slopes[0] ** p + act.slopes[1] ** p) / 2 for p in (2, 4, 6)}
        s2, s4, s6 = a[2] * K1, 3 * a[4] * K1 ** 2, 15 * a[6] * K1 ** 3
    elif act.levels is not None:
        s2, s4, s6 = ((act.levels[0] ** p + act.levels[1] ** p) / 2 for p in (2, 4, 6))
    else:
        act.require_quadrature("output_density")
        s2, s4, s6 = (float(gauss_expect_1d(lambda z, p=p: act.fn(z) ** p, K1, order=160)[0]) for p in (2, 4, 6))
    k2 = cw * s2 + cb
    k4 = 3 * cw ** 2 * (s4 - s2 * s2)
    k6 = cw ** 3 * (15 * s6 - 45 * s4 * s2 + 30 * s2 ** 3)
    cum = (0.0, k2, 0.0, k4, 0.0, k6)
    return OutputDensity(width=n, cumulants=cum, expansion=Edgeworth(list(cum)), network=(act, cw, cb, K1))
