r"""Exact output CDF of a one-hidden-layer network (single input), by characteristic-function inversion.

Given the hidden layer the output is :math:`N(0, S)`,
:math:`S = C_b + \frac{C_W}{n}\sum_{i=1}^n Y_i`, :math:`Y_i = \sigma(\sqrt{K_1}g_i)^2` iid, so its
characteristic function is

.. math::

    \varphi(t) = E\,e^{-t^2 S/2} = e^{-C_b t^2/2}\,\psi\!\left(\frac{C_W t^2}{2n}\right)^{n},\qquad
    \psi(\lambda) = E\,e^{-\lambda Y},

and, :math:`\varphi` being real and even, Gil-Pelaez (1951) gives

.. math::

    F(x) = \frac12 + \frac1\pi\int_0^\infty \frac{\sin(tx)}{t}\,\varphi(t)\,dt .

:math:`\psi` is a one-dimensional Gaussian integral (adaptive quadrature at log-spaced
:math:`\lambda`, then a cubic spline in :math:`\log\lambda`); the outer integral is Simpson's rule
up to a cut-off :math:`T` where :math:`|\varphi| < 10^{-12}`.  The stated error adds the
quadrature's own estimates, the spline's change when every other node is dropped, Simpson's change
at half the resolution, and the tail bound :math:`|\varphi(T)|`.  This is the computable reference
that calibrates the truncation budget of the 1/width Edgeworth series (Petrov 1975, ch. VI;
Halverson, Maiti & Stoner 2021).

References
----------
Gil-Pelaez, "Note on the inversion theorem", Biometrika 38:481 (1951).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import integrate, interpolate

from theory import validate as v
from theory.wide_networks._activations import ACTIVATION_NAMES, Activation, _cached_named

__all__ = ["ExactCDF", "exact_cdf"]

_LOG_LAM = np.linspace(-12.0, 16.0, 281)  # log10 of lambda


class ExactCDF:
    r"""The exact CDF :math:`F(x)` of :math:`z = b + \sum_i W_i\sigma(z_i)` (module docstring), with an error bound.

    Parameters
    ----------
    act
        A resolved activation.
    width, C_W, C_b, K1
        Hidden width :math:`n`, output-layer weight and bias variances, hidden preactivation variance.

    Raises
    ------
    ValueError
        The output law has an atom (:math:`\varphi(t)` does not decay: e.g. zero-bias ReLU), so the
        inversion does not apply.
    """

    def __init__(self, act: Activation, width: int, C_W: float, C_b: float, K1: float) -> None:
        self.n, self.cw, self.cb = width, C_W, C_b
        sk = math.sqrt(K1)

        def psi(lam: float) -> tuple[float, float]:
            f = lambda g: math.exp(-0.5 * g * g - lam * float(act.fn(np.array(sk * g))) ** 2)  # noqa: E731
            val, err = 0.0, 0.0
            for a, b in ((-np.inf, -1.0), (-1.0, 0.0), (0.0, 1.0), (1.0, np.inf)):
                r, e = integrate.quad(f, a, b, epsabs=1e-15, epsrel=1e-13, limit=400)
                val, err = val + r, err + e
            c = 1 / math.sqrt(2 * math.pi)
            return val * c, err * c

        vals = np.array([psi(10.0 ** x) for x in _LOG_LAM])
        logpsi = np.log(np.maximum(vals[:, 0], 1e-300))
        # an error delta psi moves phi = psi^n by n psi^(n-1) delta psi; the inversion integral weighs it by <= 2
        self._quad_err = float(np.max(2 * width * vals[:, 1] * np.maximum(vals[:, 0], 0.0) ** (width - 1)))
        self._spline = interpolate.CubicSpline(_LOG_LAM, logpsi)
        self._coarse = interpolate.CubicSpline(_LOG_LAM[::2], logpsi[::2])
        T = 8.0
        while abs(self.phi(np.array([T]))[0]) > 1e-12 and T < 1e7:
            T *= 2
        if abs(self.phi(np.array([T]))[0]) > 1e-12:
            raise ValueError("the output law has an atom (its characteristic function does not decay); "
                             "the inversion needs C_b > 0 or an activation vanishing only on a null set")
        self.T = T

    def phi(self, t: np.ndarray, coarse: bool = False) -> np.ndarray:
        """:math:`\\varphi(t)` from the spline of :math:`\\log\\psi` (``coarse``: every other node)."""
        lam = self.cw * t * t / (2 * self.n)
        lo = 10.0 ** _LOG_LAM[0]
        sp = self._coarse if coarse else self._spline
        lp = sp(np.log10(np.maximum(lam, lo)))
        lp = np.where(lam < lo, sp(_LOG_LAM[0]) * lam / lo, lp)  # log psi(lam) ~ -lam E[Y] near 0
        lp = np.where(lam > 10.0 ** _LOG_LAM[-1], -np.inf, lp)  # beyond the grid: phi is below every tolerance
        return np.exp(-0.5 * self.cb * t * t + self.n * lp)

    def _inversion(self, x: np.ndarray, points: int, coarse: bool = False) -> np.ndarray:
        # Simpson on a grid uniform in s = asinh(t) (dense near 0, sparse where phi is tiny and smooth)
        s = np.linspace(0.0, math.asinh(self.T), 2 * points + 1)
        t = np.sinh(s)
        w = np.full(s.size, 2.0)
        w[1::2], w[0], w[-1] = 4.0, 1.0, 1.0
        w *= (s[1] - s[0]) / 3 * np.cosh(s)
        kern = np.where(t[None, :] > 0, np.sin(np.outer(x, t)) / np.where(t > 0, t, 1.0), x[:, None])
        return 0.5 + kern @ (self.phi(t, coarse) * w) / math.pi

    def __call__(self, x: Any, return_error: bool = False) -> Any:
        """:math:`F(x)` (and its error bound when ``return_error``)."""
        xa = v.array(x, "x")
        flat = xa.ravel()
        points = int(min(40_000, max(4000, 40 * math.asinh(self.T) * (1 + float(np.max(np.abs(flat), initial=0.0))))))
        fine = self._inversion(flat, points)
        if not return_error:
            return fine.reshape(xa.shape)
        half = self._inversion(flat, points // 2)
        spl = self._inversion(flat, points, coarse=True)
        err = (np.abs(fine - half) + np.abs(fine - spl) + abs(float(self.phi(np.array([self.T]))[0]))
               + self._quad_err)
        return fine.reshape(xa.shape), err.reshape(xa.shape)


_CACHE: dict[tuple[Any, ...], ExactCDF] = {}


def exact_cdf(act: Activation, width: int, C_W: float, C_b: float, K1: float) -> ExactCDF:
    """An :class:`ExactCDF`, cached for named activations (building one takes a fraction of a second)."""
    key = (act.name, act.slopes, act.levels, width, C_W, C_b, K1)
    named = act.name in ACTIVATION_NAMES and _cached_named(act.name) is act
    if named and key in _CACHE:
        return _CACHE[key]
    out = ExactCDF(act, width, C_W, C_b, K1)
    if named:
        _CACHE[key] = out
    return out
