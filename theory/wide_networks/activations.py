"""Activation functions for the wide-network theory: resolution and Gaussian expectations.

An activation is given by name (``"linear"``, ``"relu"``, ``"erf"``, ``"tanh"``,
``"gelu"``, ``"silu"``), as ``("leaky_relu", slope)``, as a sympy expression in one
free symbol, or as a numpy-vectorised callable.  :func:`resolve_activation` turns
any of these into an :class:`Activation` carrying the function, its derivative,
and, for piecewise-linear activations, the two slopes :math:`a_\\pm` used by the
exact formulas.

Gaussian expectations :math:`\\langle f(z) \\rangle_K = E f(z),\\ z\\sim N(0,K)` are
exact for piecewise-linear activations and Gauss-Hermite quadrature otherwise
(:func:`gauss_expect_1d`, error estimated from a lower-order rule).

References
----------
Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4-5.
Golub & Welsch, Math. Comp. 23:221 (1969) -- Gauss quadrature rules.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import sympy as sp
from scipy import special

__all__ = ["Activation", "ActivationSpec", "resolve_activation", "gauss_expect_1d", "ACTIVATION_NAMES"]

ActivationSpec = Any  # str | tuple[str, float] | sympy.Expr | Callable[[ndarray], ndarray] | Activation

ACTIVATION_NAMES = ("linear", "relu", "erf", "tanh", "gelu", "silu", "leaky_relu")

_SQRT2 = math.sqrt(2.0)
_FD_STEP = 1e-5


@dataclass(frozen=True)
class Activation:
    """A resolved activation.

    Attributes
    ----------
    name
        Canonical name (``"relu"``, ``"leaky_relu(0.1)"``, ``"custom"``, ...).
    fn, dfn
        Vectorised numpy function and derivative.
    slopes
        ``(a_plus, a_minus)`` for piecewise-linear activations
        :math:`\\sigma(z) = a_+ z\\,1[z>0] + a_- z\\,1[z<0]`, else ``None``.
    derivative_error
        Relative error of ``dfn`` (0 when exact; about :math:`10^{-10}` for a
        user callable differentiated by central differences).
    """

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    dfn: Callable[[np.ndarray], np.ndarray]
    slopes: tuple[float, float] | None = None
    derivative_error: float = 0.0

    @property
    def closed_form(self) -> str | None:
        """``"piecewise_linear"``, ``"erf"`` or ``None`` (quadrature)."""
        if self.slopes is not None:
            return "piecewise_linear"
        if self.name == "erf":
            return "erf"
        return None

    @property
    def spec(self) -> Any:
        """A spec the numerics side understands (name or ``("leaky_relu", a)``)."""
        if self.slopes is not None and self.name.startswith("leaky_relu"):
            return ("leaky_relu", self.slopes[1])
        return self.name


def _pl(ap: float, am: float) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    def fn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, ap * z, am * z)

    def dfn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, ap, am) * np.ones_like(z)

    return fn, dfn


def _gelu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + special.erf(z / _SQRT2))


def _dgelu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + special.erf(z / _SQRT2)) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _silu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return z * special.expit(z)


def _dsilu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    s = special.expit(z)
    return s + z * s * (1.0 - s)


def _named(name: str) -> Activation:
    if name == "linear":
        f, d = _pl(1.0, 1.0)
        return Activation("linear", f, d, (1.0, 1.0))
    if name == "relu":
        f, d = _pl(1.0, 0.0)
        return Activation("relu", f, d, (1.0, 0.0))
    if name == "erf":
        return Activation("erf", special.erf, lambda z: 2.0 / math.sqrt(math.pi) * np.exp(-np.square(z)))
    if name == "tanh":
        return Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2)
    if name == "gelu":
        return Activation("gelu", _gelu, _dgelu)
    if name == "silu":
        return Activation("silu", _silu, _dsilu)
    if name == "leaky_relu":
        raise ValueError("activation 'leaky_relu' needs a slope: pass ('leaky_relu', slope)")
    raise ValueError(f"unknown activation {name!r}; accepted: {ACTIVATION_NAMES}, ('leaky_relu', slope), "
                     "a sympy expression in one symbol, or a numpy callable")


def resolve_activation(activation: ActivationSpec) -> Activation:
    """Resolve an activation spec into an :class:`Activation`.

    Parameters
    ----------
    activation
        A name in ``ACTIVATION_NAMES``, ``("leaky_relu", slope)`` with a finite
        slope, a sympy expression in exactly one free symbol (differentiated
        symbolically), a numpy-vectorised callable (differentiated by central
        differences, step :math:`10^{-5}`, relative error :math:`\\sim 10^{-10}`),
        or an :class:`Activation`.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        Unknown name, bad slope, expression with != 1 free symbol.
    TypeError
        Any other type.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return _cached_named(activation)
    if isinstance(activation, tuple):
        if len(activation) != 2 or activation[0] != "leaky_relu":
            raise ValueError(f"tuple activation must be ('leaky_relu', slope), got {activation!r}")
        try:
            a = float(activation[1])
        except (TypeError, ValueError):
            raise TypeError(f"leaky_relu slope must be a real number, got {activation[1]!r}") from None
        if not math.isfinite(a):
            raise ValueError(f"leaky_relu slope must be finite, got {a}")
        f, d = _pl(1.0, a)
        return Activation(f"leaky_relu({a:g})", f, d, (1.0, a))
    if isinstance(activation, sp.Basic):
        free = sorted(activation.free_symbols, key=str)
        if len(free) != 1:
            raise ValueError(f"sympy activation must have exactly one free symbol, got {free}")
        (x,) = free
        f = sp.lambdify(x, activation, modules=["scipy", "numpy"])
        d = sp.lambdify(x, sp.diff(activation, x), modules=["scipy", "numpy"])
        return Activation(f"sympy({activation})", lambda z: np.broadcast_to(f(np.asarray(z, float)), np.shape(z)) * 1.0,
                          lambda z: np.broadcast_to(d(np.asarray(z, float)), np.shape(z)) * 1.0)
    if callable(activation):
        fn = activation

        def dfn(z: np.ndarray) -> np.ndarray:
            z = np.asarray(z, dtype=float)
            h = _FD_STEP * np.maximum(1.0, np.abs(z))
            return (np.asarray(fn(z + h)) - np.asarray(fn(z - h))) / (2 * h)

        return Activation(getattr(fn, "__name__", "custom"), lambda z: np.asarray(fn(np.asarray(z, float)), float),
                          dfn, None, 1e-10)
    raise TypeError(f"activation must be a name, ('leaky_relu', slope), a sympy expression or a callable, "
                    f"got {type(activation).__name__}")


@functools.lru_cache(maxsize=32)
def _cached_named(name: str) -> Activation:
    return _named(name)


@functools.lru_cache(maxsize=16)
def _hermite(order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(order)
    return x, w / math.sqrt(2 * math.pi)


def gauss_expect_1d(f: Callable[[np.ndarray], np.ndarray], K: Any, *, order: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian expectation :math:`\\langle f \\rangle_K = \\int f(\\sqrt K\\,\\xi)\\,\\phi(\\xi)\\,d\\xi` by Gauss-Hermite.

    Parameters
    ----------
    f
        Vectorised function of ``z``.
    K
        Variance(s) > 0 (array broadcast).
    order
        Number of probabilists' Gauss-Hermite nodes; exact for polynomials of
        degree ``2 order - 1`` (Golub & Welsch 1969).

    Returns
    -------
    value, error
        The order-``order`` rule and the absolute difference to the rule of
        order ``2 order // 3`` (an error estimate; conservative for smooth ``f``).
    """
    K = np.asarray(K, dtype=float)
    out = []
    for n in (order, max(2, (2 * order) // 3)):
        x, w = _hermite(n)
        z = np.sqrt(K)[..., None] * x
        out.append(np.asarray(f(z), float) @ w)
    return out[0], np.abs(out[0] - out[1])
