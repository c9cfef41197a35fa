r"""Activation functions for the wide-network theory: resolution and Gaussian expectations.

An activation is given by name (:data:`ACTIVATION_NAMES`), as ``("leaky_relu", slope)``, as a
sympy expression in one free symbol, or as a numpy-vectorised callable.
:func:`resolve_activation` turns any of these into an :class:`Activation` carrying the function,
its derivative and, where one exists, the data of a closed form:

* **positively homogeneous of degree 1** (piecewise linear with the kink at 0),
  :math:`\sigma(z) = a_+ z\,1[z>0] + a_- z\,1[z<0]`: ``linear`` (1, 1), ``relu`` (1, 0),
  ``abs`` (1, -1), ``("leaky_relu", a)`` (1, a); kernels by the degree-1 arc-cosine kernel
  (Cho & Saul 2009);
* **positively homogeneous of degree 0** (piecewise constant),
  :math:`\sigma(z) = b_+ 1[z>0] + b_- 1[z<0]`: ``step`` (1, 0), ``sign`` (1, -1); kernels by the
  degree-0 arc-cosine kernel (Cho & Saul 2009).  Their derivative is the distribution
  :math:`(b_+ - b_-)\,\delta(z)`, never integrated as a function:
  :math:`E[\delta(u)\delta(v)]` is the Gaussian density of :math:`(u, v)` at the origin;
* ``erf``: Williams (1997);
* smooth activations (``tanh``, ``gelu``, ``silu``, ``sigmoid``, smooth sympy expressions and
  callables): Gauss-Hermite quadrature with a conservative error estimate.

A sympy expression with ``Heaviside``, ``sign``, ``Abs``, ``Max``, ``Min`` or ``Piecewise`` is
accepted when it is homogeneous of degree 0 or 1 (it is then recognised exactly) and rejected
otherwise.  A numpy callable is probed on a grid: homogeneous ones are recognised; one with a jump
in itself or in one of its first three derivatives is marked non-smooth, and the quadrature-based
functions refuse it (Gauss-Hermite converges slowly there and its error estimate, the difference of
two rules, understates the real error by large factors).

References
----------
Cho & Saul, "Kernel methods for deep learning", NeurIPS 2009 (arc-cosine kernels of degree 0, 1).
Williams, "Computing with infinite networks", NeurIPS 1997.
Golub & Welsch, Math. Comp. 23:221 (1969) -- Gauss quadrature rules.
Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4-5.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import sympy as sp
from scipy import special

from theory import validate as v

__all__ = ["Activation", "ActivationSpec", "resolve_activation", "gauss_expect_1d", "ACTIVATION_NAMES"]

ActivationSpec = Any  # str | tuple[str, float] | sympy.Expr | Callable[[ndarray], ndarray] | Activation

#: The named activations; the numerics layer's table (``numerics.activations``) has the same names.
ACTIVATION_NAMES = ("linear", "relu", "erf", "tanh", "gelu", "silu", "sigmoid", "step", "sign", "abs", "leaky_relu")

_SQRT2 = math.sqrt(2.0)
_FD_STEP = 1e-5
_NONSMOOTH = (sp.Heaviside, sp.sign, sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.floor, sp.ceiling, sp.DiracDelta)

Fn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    r"""A resolved activation.

    Parameters
    ----------
    name : str
        Canonical name (``"relu"``, ``"leaky_relu(0.1)"``, ``"sympy(...)"``, a callable's name).
    fn, dfn : callable
        Vectorised numpy function and derivative (for ``levels`` the derivative is a Dirac delta
        and ``dfn`` raises).
    slopes : tuple of float, optional
        ``(a_+, a_-)`` when :math:`\sigma(z) = a_+ z 1[z>0] + a_- z 1[z<0]`, else ``None``.
    levels : tuple of float, optional
        ``(b_+, b_-)`` when :math:`\sigma(z) = b_+ 1[z>0] + b_- 1[z<0]`, else ``None``.
    derivative_error : float, default 0.0
        Relative error of ``dfn`` (0 when exact; about :math:`10^{-10}` for a user callable
        differentiated by central differences).
    smooth : bool, default True
        ``False`` for a callable with a detected jump in it or one of its first three derivatives
        (and no closed form): quadrature-based functions refuse it.
    note : str, default ""
        Why it is not smooth (empty otherwise).
    """

    name: str
    fn: Fn
    dfn: Fn
    slopes: tuple[float, float] | None = None
    levels: tuple[float, float] | None = None
    derivative_error: float = 0.0
    smooth: bool = True
    note: str = ""

    @property
    def closed_form(self) -> str | None:
        """``"piecewise_linear"``, ``"piecewise_constant"``, ``"erf"`` or ``None`` (quadrature)."""
        if self.slopes is not None:
            return "piecewise_linear"
        if self.levels is not None:
            return "piecewise_constant"
        if self.name == "erf":
            return "erf"
        return None

    @property
    def homogeneous(self) -> tuple[int, tuple[float, float]] | None:
        """``(degree, (sigma(1), sigma(-1)))`` for positively homogeneous activations, else ``None``."""
        if self.slopes is not None:
            return 1, (self.slopes[0], -self.slopes[1])
        if self.levels is not None:
            return 0, self.levels
        return None

    def require_quadrature(self, what: str) -> None:
        """Raise ``ValueError`` when ``what`` would need quadrature of a non-smooth activation.

        Parameters
        ----------
        what : str
            The computation asking (a function's name), which starts the error message.

        Raises
        ------
        ValueError
            ``smooth`` is false and there is no closed form (:attr:`closed_form` is ``None``).
        """
        if not self.smooth and self.closed_form is None:
            raise ValueError(
                f"{what}: activation {self.name!r} is not smooth ({self.note}); Gauss-Hermite quadrature "
                "converges slowly there and cannot state an honest error. Use a named activation with a "
                "closed form ('relu', 'abs', 'step', 'sign', ('leaky_relu', a)) or a smooth one")


def _pl(ap: float, am: float) -> tuple[Fn, Fn]:
    def fn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, ap * z, am * z)

    def dfn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, ap, am) * np.ones_like(z)

    return fn, dfn


def _pc(name: str, bp: float, bm: float) -> Activation:
    def fn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, bp, np.where(z < 0, bm, (bp + bm) / 2)) * 1.0

    def dfn(z: np.ndarray) -> np.ndarray:
        raise ValueError(f"the derivative of {name!r} is the distribution {bp - bm:g} delta(z), not a function")

    return Activation(name, fn, dfn, levels=(bp, bm))


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
    s = special.expit(np.asarray(z, dtype=float))
    return s + np.asarray(z, dtype=float) * s * (1.0 - s)


def _dsigmoid(z: np.ndarray) -> np.ndarray:
    s = special.expit(np.asarray(z, dtype=float))
    return s * (1.0 - s)


def _named(name: str) -> Activation:
    pl = {"linear": (1.0, 1.0), "relu": (1.0, 0.0), "abs": (1.0, -1.0)}
    if name in pl:
        f, d = _pl(*pl[name])
        return Activation(name, f, d, slopes=pl[name])
    if name == "step":
        return _pc("step", 1.0, 0.0)
    if name == "sign":
        return _pc("sign", 1.0, -1.0)
    smooth: dict[str, tuple[Fn, Fn]] = {
        "erf": (special.erf, lambda z: 2.0 / math.sqrt(math.pi) * np.exp(-np.square(z))),
        "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
        "gelu": (_gelu, _dgelu),
        "silu": (_silu, _dsilu),
        "sigmoid": (special.expit, _dsigmoid),
    }
    if name in smooth:
        return Activation(name, *smooth[name])
    if name == "leaky_relu":
        raise ValueError("activation 'leaky_relu' needs a slope: pass ('leaky_relu', slope)")
    raise ValueError(f"activation: unknown name {name!r}; accepted: {ACTIVATION_NAMES[:-1]}, ('leaky_relu', slope), "
                     "a sympy expression in one symbol, or a numpy callable")


@functools.lru_cache(maxsize=32)
def _cached_named(name: str) -> Activation:
    return _named(name)


def _from_sympy(expr: sp.Basic) -> Activation:
    free = sorted(expr.free_symbols, key=str)
    if len(free) != 1:
        raise ValueError(f"activation: a sympy expression must have exactly one free symbol, got {free}")
    (x,) = free
    name = f"sympy({expr})"
    if expr.has(*_NONSMOOTH):
        p = sp.Symbol("p_", positive=True)
        up, um = sp.simplify(expr.subs(x, p)), sp.simplify(expr.subs(x, -p))
        ap, am = sp.simplify(up / p), sp.simplify(um / (-p))
        if not ap.free_symbols and not am.free_symbols and ap.is_real and am.is_real:
            f, d = _pl(float(ap), float(am))
            return Activation(name, f, d, slopes=(float(ap), float(am)))
        if not up.free_symbols and not um.free_symbols and up.is_real and um.is_real:
            a = _pc(name, float(up), float(um))
            return a
        raise ValueError(f"activation: the sympy expression {expr} is not smooth and not positively homogeneous "
                         "(degree 0 or 1), so it has no closed-form kernel and quadrature cannot bound its error")
    f = sp.lambdify(x, expr, modules=["scipy", "numpy"])
    d = sp.lambdify(x, sp.diff(expr, x), modules=["scipy", "numpy"])
    return Activation(name, lambda z: np.broadcast_to(f(np.asarray(z, float)), np.shape(z)) * 1.0,
                      lambda z: np.broadcast_to(d(np.asarray(z, float)), np.shape(z)) * 1.0)


def _probe(fn: Fn, z: np.ndarray) -> np.ndarray:
    out = np.asarray(fn(z.copy()), dtype=float)
    if out.shape != z.shape or not np.all(np.isfinite(out)):
        raise ValueError("activation: a callable must map a float array to a finite float array of the same shape")
    return out


def _homogeneity(fn: Fn) -> tuple[int, tuple[float, float]] | None:
    """Degree 0 or 1 when ``fn(l z) = l^deg fn(z)`` on a grid for several ``l > 0`` (to rounding)."""
    z = np.concatenate([-np.geomspace(8.0, 1e-3, 60), np.geomspace(1e-3, 8.0, 60)])
    f = _probe(fn, z)
    scale = max(float(np.abs(f).max()), 1e-300)
    for deg in (1, 0):
        if all(np.allclose(_probe(fn, lam * z), lam ** deg * f, rtol=1e-12, atol=1e-13 * scale)
               for lam in (0.37, 1.9, 3.3)):
            one = _probe(fn, np.array([-1.0, 1.0]))
            return deg, (float(one[1]), float(one[0]))
    return None


def _smoothness(fn: Fn) -> str:
    """Empty when the 4th differences of ``fn`` shrink like ``h^4`` on [-8, 8]; else what jumps and where.

    A jump in the j-th derivative (j <= 3) makes the largest 4th difference scale like :math:`h^j`
    (ratio :math:`2^j \\le 8` between steps 2h and h, against 16 for a smooth function; threshold 11).
    """
    h = 1.0 / 256
    z = -8.0 + h * np.arange(4097)
    f = _probe(fn, z)
    d_h = np.abs(np.diff(f, 4))
    d_2h = np.abs(np.diff(f[::2], 4))
    floor = 1e-11 * max(1.0, float(np.abs(f).max()))
    if d_2h.max() <= floor:
        return ""
    ratio = d_2h.max() / max(d_h.max(), 1e-300)
    if ratio >= 11.0:
        return ""
    where = float(z[2 * int(np.argmax(d_2h)) + 4])
    return f"a jump in it or in one of its first three derivatives near z = {where:.3g}"


def _from_callable(fn: Fn) -> Activation:
    name = getattr(fn, "__name__", "custom")
    hom = _homogeneity(fn)
    if hom is not None:
        deg, (s1, sm1) = hom
        if deg == 1:
            f, d = _pl(s1, -sm1)
            return Activation(name, f, d, slopes=(s1, -sm1))
        return _pc(name, s1, sm1)

    def f(z: np.ndarray) -> np.ndarray:
        return np.asarray(fn(np.asarray(z, float)), float)

    def dfn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        h = _FD_STEP * np.maximum(1.0, np.abs(z))
        return (np.asarray(fn(z + h)) - np.asarray(fn(z - h))) / (2 * h)

    note = _smoothness(fn)
    return Activation(name, f, dfn, derivative_error=1e-10, smooth=not note, note=note)


def resolve_activation(activation: ActivationSpec) -> Activation:
    r"""Resolve an activation spec into an :class:`Activation`.

    Parameters
    ----------
    activation
        A name in ``ACTIVATION_NAMES``; ``("leaky_relu", slope)`` with a finite real slope; a sympy
        expression in exactly one free symbol (differentiated symbolically; non-smooth ones must be
        positively homogeneous of degree 0 or 1 and are then recognised as
        :math:`b_+1[z>0] + b_-1[z<0]` or :math:`a_+z1[z>0] + a_-z1[z<0]`); a numpy-vectorised
        callable (homogeneous ones recognised likewise; otherwise differentiated by central
        differences, step :math:`10^{-5}`, relative error :math:`\sim 10^{-10}`, and probed for
        smoothness); or an :class:`Activation`.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        Unknown name, ``"leaky_relu"`` without a slope, a non-finite slope, an expression with
        other than one free symbol or non-smooth and not homogeneous, a callable that does not
        return a finite array of its input's shape.
    TypeError
        Any other type (a string slope, a bool, ``None``).

    References
    ----------
    Cho & Saul, NeurIPS 2009 (homogeneous activations and their arc-cosine kernels).
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return _cached_named(activation)
    if isinstance(activation, (tuple, list)):
        if len(activation) != 2 or activation[0] != "leaky_relu":
            raise ValueError(f"activation: a tuple must be ('leaky_relu', slope), got {activation!r}")
        a = v.real(activation[1], "activation slope")
        f, d = _pl(1.0, a)
        return Activation(f"leaky_relu({a:g})", f, d, slopes=(1.0, a))
    if isinstance(activation, sp.Basic):
        return _from_sympy(activation)
    if callable(activation) and not isinstance(activation, type):
        return _from_callable(activation)
    raise TypeError(f"activation must be a name, ('leaky_relu', slope), a sympy expression or a callable; "
                    f"got {v.describe(activation)}")


@functools.lru_cache(maxsize=16)
def _hermite(order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(order)
    return x, w / math.sqrt(2 * math.pi)


def gauss_expect_1d(f: Fn, K: Any, *, order: int = 96) -> tuple[np.ndarray, np.ndarray]:
    r"""Gaussian expectation :math:`\langle f \rangle_K = \int f(\sqrt K\,\xi)\,\phi(\xi)\,d\xi` by Gauss-Hermite.

    Parameters
    ----------
    f
        Vectorised *smooth* function of ``z`` (for a kinked one the error estimate below is not a bound).
    K
        Variance(s) > 0 (array broadcast).
    order
        Number of probabilists' Gauss-Hermite nodes (>= 8); exact for polynomials of degree
        ``2 order - 1`` (Golub & Welsch 1969).

    Returns
    -------
    value, error
        The order-``order`` rule and the absolute difference to the rule of order ``2 order // 3``
        (an error estimate; conservative for smooth ``f``, whose rules converge geometrically).

    Raises
    ------
    TypeError, ValueError
        ``f`` not callable, ``K`` not a finite positive array, ``order`` not an int >= 8.
    """
    v.function(f, "f")
    Ka = v.array(K, "K")
    if np.any(Ka <= 0):
        raise ValueError("K must be > 0")
    order = v.integer(order, "order", minimum=8)
    out = []
    for n in (order, max(2, (2 * order) // 3)):
        x, w = _hermite(n)
        z = np.sqrt(Ka)[..., None] * x
        out.append(np.asarray(f(z), float) @ w)
    return out[0], np.abs(out[0] - out[1])
