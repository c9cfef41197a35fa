"""Infinite-width kernels of MLPs: the NNGP kernel and the neural tangent kernel.

Architecture (``L = len(weight_variances)`` layers, ``L - 1`` hidden layers, scalar output):

.. math::

    z^{(1)} = W^{(1)} x + b^{(1)},\\qquad
    z^{(l+1)} = W^{(l+1)} \\sigma(z^{(l)}) + b^{(l+1)},\\qquad
    W^{(l)}_{ij} \\sim N(0, C_W^{(l)}/n_{l-1}),\\ b^{(l)}_i \\sim N(0, C_b^{(l)}),

with :math:`n_0 = d` the input dimension.  As all hidden widths go to infinity
the output is a Gaussian process with covariance (Neal 1996; Lee et al. 2018;
Matthews et al. 2018)

.. math::

    K^{(1)}(x,x') = C_b^{(1)} + C_W^{(1)} \\frac{x\\cdot x'}{d},\\qquad
    K^{(l+1)}(x,x') = C_b^{(l+1)} + C_W^{(l+1)} \\langle \\sigma(u)\\sigma(v) \\rangle_{K^{(l)}} ,

where :math:`(u,v)` is centred Gaussian with covariance
:math:`K^{(l)}` restricted to :math:`\\{x, x'\\}`.  The NTK (Jacot et al. 2018)
in **NTK parameterisation** (``z^{(l+1)} = \\sqrt{C_W/n_l}\\,\\omega\\,\\sigma + \\sqrt{C_b}\\,\\beta``
with unit-variance trainable :math:`\\omega,\\beta`, one learning rate
:math:`\\eta` for all parameters) is

.. math::

    \\Theta^{(1)} = K^{(1)},\\qquad
    \\Theta^{(l+1)} = K^{(l+1)} + C_W^{(l+1)} \\langle \\sigma'(u)\\sigma'(v) \\rangle_{K^{(l)}}\\,\\Theta^{(l)} .

In **standard parameterisation** the trainable parameters are :math:`W, b`
themselves, and the gradient flow uses the layer-width-scaled learning rates
of Lee et al. (2019, App. F) / Sohl-Dickstein et al. (2020):
:math:`\\eta / n_{l-1}` for :math:`W^{(l)}` and :math:`\\eta` for :math:`b^{(l)}`
(every layer has a bias parameter, initialised :math:`N(0, C_b^{(l)})` -- at zero when
:math:`C_b^{(l)} = 0` -- and trained, so it contributes 1 even then).  The weight-scale
factors then drop out of the "direct" term:

.. math::

    \\Theta_{\\rm std}^{(1)} = \\frac{x\\cdot x'}{d} + 1,\\qquad
    \\Theta_{\\rm std}^{(l+1)} = \\langle \\sigma\\sigma \\rangle_{K^{(l)}} + 1
        + C_W^{(l+1)} \\langle \\sigma'\\sigma' \\rangle_{K^{(l)}}\\,\\Theta_{\\rm std}^{(l)} .

With these conventions :math:`f_t` evolves under :math:`\\dot f = -\\eta\\,\\Theta\\,\\nabla_f L`
in both parameterisations.  The NNGP kernel is the same in both.

Closed forms: piecewise-linear activations (linear, ReLU, leaky ReLU, absolute value) by the
degree-1 arc-cosine kernel, piecewise-constant ones (step, sign) by the degree-0 arc-cosine
kernel (Cho & Saul 2009), erf by Williams (1997); smooth activations by two-dimensional
Gauss-Hermite quadrature (``return_error=True`` reports the difference to a rule of 3/4 the
order as the error, conservative for smooth integrands).  A callable detected as non-smooth
is refused (see :mod:`theory.wide_networks._activations`).

For piecewise-constant activations :math:`\\sigma' = (b_+ - b_-)\\delta`, so
:math:`\\langle\\sigma'(u)\\sigma'(v)\\rangle = (b_+-b_-)^2\\,p_{u,v}(0, 0) =
(b_+-b_-)^2 / (2\\pi\\sqrt{q_1q_2 - k_{12}^2})`, infinite when :math:`(u, v)` is degenerate
(the NTK of such a network is infinite on its diagonal: the limit of smoothed steps).

References
----------
Cho & Saul, NeurIPS 2009 ("Kernel methods for deep learning").
Williams, NeurIPS 1997 ("Computing with infinite networks").
Jacot, Gabriel & Hongler, NeurIPS 2018 (arXiv:1806.07572).
Lee et al., NeurIPS 2019 (arXiv:1902.06720), App. F.
Sohl-Dickstein, Novak, Schoenholz & Lee, arXiv:2001.07301 (2020).
Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4, 9.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from theory import validate as v
from theory.wide_networks._activations import Activation, ActivationSpec, _hermite, resolve_activation

__all__ = ["nngp_kernel", "ntk_kernel", "pair_expectations", "layer_variances"]

_CHUNK = 256


def _per_layer_values(value: Any, name: str, positive: bool, length: int | None = None) -> np.ndarray:
    """A float (broadcast later) or a sequence of reals, each > 0 (``positive``) or >= 0; a copy."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        x = v.real(value, name, minimum=0.0, open_min=positive)
        return np.array([x])
    return np.array(v.reals(value, name, minimum=0.0, open_min=positive, length=length))


def layer_variances(weight_variances: Any, bias_variances: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Validate per-layer :math:`(C_W^{(l)})` and :math:`(C_b^{(l)})`; a scalar bias broadcasts.

    Raises ``TypeError`` for non-numbers and ``ValueError`` unless every :math:`C_W > 0` and
    :math:`C_b \ge 0` is finite and the lengths agree.
    """
    cw = _per_layer_values(weight_variances, "weight_variances", True)
    cb = _per_layer_values(bias_variances, "bias_variances", False)
    if cb.size == 1:
        cb = np.full(cw.size, cb[0])
    if cb.shape != cw.shape:
        raise ValueError(f"bias_variances must be a float or have {cw.size} entries (one per layer), got {cb.size}")
    return cw, cb


def _pl_pair(ap: float, am: float, q1: np.ndarray, k12: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.sqrt(q1 * q2)
    rho = np.clip(np.divide(k12, s, out=np.zeros_like(k12), where=s > 0), -1.0, 1.0)
    t = np.arccos(rho)
    j = np.sin(t) + (np.pi - t) * np.cos(t)  # Cho-Saul J_1(t)
    jm = np.sin(t) - t * np.cos(t)  # J_1(pi - t)
    ss = s / (2 * np.pi) * ((ap * ap + am * am) * j - 2 * ap * am * jm)
    dd = ((ap * ap + am * am) * (np.pi - t) + 2 * ap * am * t) / (2 * np.pi)
    return ss, dd


def _pc_pair(bp: float, bm: float, q1: np.ndarray, k12: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.sqrt(q1 * q2)
    rho = np.clip(np.divide(k12, s, out=np.zeros_like(k12), where=s > 0), -1.0, 1.0)
    t = np.arccos(rho)
    ss = ((bp * bp + bm * bm) * (np.pi - t) + 2 * bp * bm * t) / (2 * np.pi)  # Cho-Saul J_0: orthant probabilities
    det = np.maximum(q1 * q2 - k12 * k12, 0.0)
    with np.errstate(divide="ignore"):
        dd = (bp - bm) ** 2 / (2 * np.pi * np.sqrt(det))  # E[delta(u) delta(v)]: the density at the origin
    return ss, dd


def _erf_pair(q1: np.ndarray, k12: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = (1 + 2 * q1) * (1 + 2 * q2)
    ss = 2 / np.pi * np.arcsin(np.clip(2 * k12 / np.sqrt(a), -1.0, 1.0))
    dd = 4 / np.pi / np.sqrt(np.maximum(a - 4 * k12 * k12, 1e-300))
    return ss, dd


def _quad_pair(act: Activation, q1: np.ndarray, k12: np.ndarray, q2: np.ndarray, order: int,
               want_d: bool) -> tuple[np.ndarray, np.ndarray]:
    x, w = _hermite(order)
    shape = q1.shape
    q1, k12, q2 = (a.ravel() for a in (q1, k12, q2))
    ss = np.empty(q1.size)
    dd = np.empty(q1.size)
    ww = w[:, None] * w[None, :]
    for i in range(0, q1.size, _CHUNK):
        sl = slice(i, i + _CHUNK)
        a, c, b = q1[sl], k12[sl], q2[sl]
        s = np.sqrt(a * b)
        rho = np.clip(np.divide(c, s, out=np.zeros_like(c), where=s > 0), -1.0, 1.0)
        # symmetric factorisation u = sqrt(q1)(al xi1 + be xi2), v = sqrt(q2)(al xi1 - be xi2),
        # al^2 + be^2 = 1, al^2 - be^2 = rho: swapping (q1, q2) is xi2 -> -xi2, so the rule is exactly symmetric
        al = np.sqrt((1 + rho) / 2)[:, None, None]
        be = np.sqrt((1 - rho) / 2)[:, None, None]
        p = al * x[:, None] + 0 * x[None, :]
        m = be * x[None, :]
        u = np.sqrt(a)[:, None, None] * (p + m)  # (m, n, n)
        v = np.sqrt(b)[:, None, None] * (p - m)
        ss[sl] = np.einsum("mij,mij,ij->m", act.fn(u), act.fn(v), ww)
        if want_d:
            dd[sl] = np.einsum("mij,mij,ij->m", act.dfn(u), act.dfn(v), ww)
    return ss.reshape(shape), (dd.reshape(shape) if want_d else np.zeros(shape))


def pair_expectations(activation: ActivationSpec, q1: Any, k12: Any, q2: Any, *, order: int = 48,
                      derivative: bool = True) -> tuple[np.ndarray, np.ndarray]:
    r"""Gaussian pair expectations :math:`\langle\sigma(u)\sigma(v)\rangle` and :math:`\langle\sigma'(u)\sigma'(v)\rangle`.

    :math:`(u, v) \sim N(0, [[q_1, k_{12}], [k_{12}, q_2]])`, elementwise over broadcast arrays,
    :math:`t = \arccos(k_{12}/\sqrt{q_1q_2})`.  Piecewise-linear
    :math:`\sigma = a_+ z 1[z>0] + a_- z 1[z<0]` (degree-1 arc-cosine kernel, Cho & Saul 2009):

    .. math::

        \langle\sigma\sigma\rangle = \frac{\sqrt{q_1q_2}}{2\pi}
        \big[(a_+^2+a_-^2)(\sin t + (\pi-t)\cos t) - 2a_+a_-(\sin t - t\cos t)\big],\quad
        \langle\sigma'\sigma'\rangle = \frac{(a_+^2+a_-^2)(\pi-t) + 2a_+a_- t}{2\pi}.

    Piecewise-constant :math:`\sigma = b_+ 1[z>0] + b_- 1[z<0]` (degree 0, Cho & Saul 2009;
    :math:`\sigma' = (b_+-b_-)\delta`):

    .. math::

        \langle\sigma\sigma\rangle = \frac{(b_+^2+b_-^2)(\pi-t) + 2b_+b_- t}{2\pi},\quad
        \langle\sigma'\sigma'\rangle = \frac{(b_+-b_-)^2}{2\pi\sqrt{q_1q_2-k_{12}^2}}
        \ (+\infty \text{ when degenerate}).

    erf (Williams 1997): :math:`\frac{2}{\pi}\arcsin\frac{2k_{12}}{\sqrt{(1+2q_1)(1+2q_2)}}` and
    :math:`\frac{4}{\pi}[(1+2q_1)(1+2q_2) - 4k_{12}^2]^{-1/2}`.  Smooth activations: 2D Gauss-Hermite of
    ``order`` nodes per axis, on the symmetric factorisation of the pair.

    Parameters
    ----------
    activation
        Any spec :func:`~theory.wide_networks.resolve_activation` accepts (non-smooth callables are refused).
    q1, k12, q2
        Variances (> 0) and covariance, broadcastable arrays with :math:`k_{12}^2 \le q_1q_2`.
    order
        Gauss-Hermite nodes per axis (int >= 8).
    derivative
        Also compute the derivative pair (else zeros).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)

    Raises
    ------
    TypeError, ValueError
        Bad types, non-positive variances, a non-smooth activation without closed form.
    """
    act = resolve_activation(activation)
    order = v.integer(order, "order", minimum=8)
    derivative = v.boolean(derivative, "derivative")
    a1, a12, a2 = (v.array(a, n) for a, n in ((q1, "q1"), (k12, "k12"), (q2, "q2")))
    if np.any(a1 <= 0) or np.any(a2 <= 0):
        raise ValueError("q1 and q2 must be > 0")
    q1, k12, q2 = np.broadcast_arrays(a1, a12, a2)
    if np.any(k12 * k12 > q1 * q2 * (1 + 1e-12)):
        raise ValueError("k12 must satisfy k12^2 <= q1 q2")
    return _pair(act, q1, k12, q2, order, derivative)


def _pair(act: Activation, q1: np.ndarray, k12: np.ndarray, q2: np.ndarray, order: int,
          derivative: bool) -> tuple[np.ndarray, np.ndarray]:
    q1, k12, q2 = np.broadcast_arrays(q1, k12, q2)
    if act.slopes is not None:
        return _pl_pair(*act.slopes, q1, k12, q2)
    if act.levels is not None:
        return _pc_pair(*act.levels, q1, k12, q2)
    if act.closed_form == "erf":
        return _erf_pair(q1, k12, q2)
    act.require_quadrature("kernel")
    return _quad_pair(act, q1, k12, q2, order, derivative)


def _check_inputs(X1: Any, X2: Any) -> tuple[np.ndarray, np.ndarray]:
    A = v.array(X1, "X1", ndim=2, min_size=1)
    B = v.array(X2, "X2", ndim=2, min_size=1)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"X1 and X2 must have the same input dimension d, got {A.shape[1]} and {B.shape[1]}")
    return A, B


def _recursion(X1: np.ndarray, X2: np.ndarray, act: Activation, cw: np.ndarray, cb: np.ndarray,
               parameterization: str | None, order: int) -> tuple[np.ndarray, np.ndarray]:
    d = X1.shape[1]
    q1 = cb[0] + cw[0] * np.einsum("ij,ij->i", X1, X1) / d
    q2 = cb[0] + cw[0] * np.einsum("ij,ij->i", X2, X2) / d
    dot = X1 @ X2.T / d
    k12 = cb[0] + cw[0] * dot
    if parameterization == "standard":
        th = dot + 1.0
    else:
        th = k12.copy()
    want_d = parameterization is not None
    for l in range(1, cw.size):
        s11, _ = _pair(act, q1, q1, q1, order, False)
        s22, _ = _pair(act, q2, q2, q2, order, False)
        s12, d12 = _pair(act, q1[:, None], k12, q2[None, :], order, want_d)
        q1, q2 = cb[l] + cw[l] * s11, cb[l] + cw[l] * s22
        k12 = cb[l] + cw[l] * s12
        if parameterization == "standard":
            th = s12 + 1.0 + cw[l] * d12 * th
        elif parameterization == "ntk":
            th = k12 + cw[l] * d12 * th
    return k12, th


def _kernel(X1: Any, X2: Any, activation: ActivationSpec, weight_variances: Any, bias_variances: Any,
            parameterization: str | None, order: Any, return_error: Any) -> Any:
    A, B = _check_inputs(X1, X2)
    act = resolve_activation(activation)
    cw, cb = layer_variances(weight_variances, bias_variances)
    order = v.integer(order, "quadrature_order", minimum=8)
    return_error = v.boolean(return_error, "return_error")
    if cw.size > 1:
        act.require_quadrature("nngp_kernel/ntk_kernel")
    idx = 0 if parameterization is None else 1
    with np.errstate(invalid="ignore"):
        val = _recursion(A, B, act, cw, cb, parameterization, order)[idx]
    if not return_error:
        return val
    if act.closed_form is not None:
        err = np.zeros_like(val)
    else:
        with np.errstate(invalid="ignore"):
            low = _recursion(A, B, act, cw, cb, parameterization, max(8, (3 * order) // 4))[idx]
        err = np.abs(val - low) + act.derivative_error * np.abs(val)
    return val, err


def _check_param(parameterization: Any) -> str:
    return v.choice(parameterization, "parameterization", ("ntk", "standard"))


def nngp_kernel(X1: Any, X2: Any, activation: ActivationSpec, weight_variances: Sequence[float] | float,
                bias_variances: Sequence[float] | float, *, parameterization: str = "ntk",
                quadrature_order: int = 64, return_error: bool = False) -> Any:
    """NNGP kernel :math:`K^{(L)}(x, x')` of the scalar output of an infinitely wide MLP.

    Parameters
    ----------
    X1, X2
        Inputs of shape ``(points, d)``.
    activation
        A name in :data:`~theory.wide_networks.ACTIVATION_NAMES`, ``("leaky_relu", slope)``, a sympy
        expression or a numpy callable (see :func:`~theory.wide_networks.resolve_activation`).
    weight_variances
        :math:`(C_W^{(1)},\\dots,C_W^{(L)})`, each > 0; layer 1's weights have
        variance :math:`C_W^{(1)}/d`, layer l's :math:`C_W^{(l)}/n_{l-1}`.
    bias_variances
        :math:`C_b^{(l)} \\ge 0` per layer, or one float for all.
    parameterization
        ``"ntk"`` or ``"standard"``; the NNGP kernel is the same in both (accepted for symmetry).
    quadrature_order
        Gauss-Hermite nodes per axis for activations without a closed form.
    return_error
        Also return an elementwise error estimate (0 for closed forms; for
        quadrature the difference to a rule of 3/4 the order, plus the
        finite-difference derivative error for a user callable).

    Returns
    -------
    numpy.ndarray of shape ``(len(X1), len(X2))`` (and its error when ``return_error``).

    Raises
    ------
    TypeError
        A wrong type (a string, a bool, a float order).
    ValueError
        Shapes that do not fit, non-finite inputs, :math:`C_W \\le 0`, :math:`C_b < 0`, an order < 8,
        a non-smooth activation without closed form.

    Notes
    -----
    :math:`K^{(1)} = C_b^{(1)} + C_W^{(1)} x\\cdot x'/d`,
    :math:`K^{(l+1)} = C_b^{(l+1)} + C_W^{(l+1)}\\langle\\sigma\\sigma\\rangle_{K^{(l)}}`, see the module docstring.

    References
    ----------
    Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2; Lee et al., ICLR 2018 (arXiv:1711.00165);
    Cho & Saul, NeurIPS 2009; Williams, NeurIPS 1997; Roberts, Yaida & Hanin (2022), ch. 4.
    """
    _check_param(parameterization)
    return _kernel(X1, X2, activation, weight_variances, bias_variances, None, quadrature_order, return_error)


def ntk_kernel(X1: Any, X2: Any, activation: ActivationSpec, weight_variances: Sequence[float] | float,
               bias_variances: Sequence[float] | float, *, parameterization: str = "ntk",
               quadrature_order: int = 64, return_error: bool = False) -> Any:
    """Infinite-width neural tangent kernel :math:`\\Theta^{(L)}(x, x')` of the scalar output.

    ``parameterization="ntk"`` (default):
    :math:`\\Theta^{(l+1)} = K^{(l+1)} + C_W^{(l+1)}\\langle\\sigma'\\sigma'\\rangle_{K^{(l)}}\\Theta^{(l)}`,
    one learning rate for all (unit-variance) parameters.  ``"standard"``:
    :math:`\\Theta^{(l+1)} = \\langle\\sigma\\sigma\\rangle_{K^{(l)}} + 1
    + C_W^{(l+1)}\\langle\\sigma'\\sigma'\\rangle_{K^{(l)}}\\Theta^{(l)}`, :math:`\\Theta^{(1)} = x\\cdot x'/d + 1`,
    for learning rate :math:`\\eta/n_{l-1}` on :math:`W^{(l)}` and :math:`\\eta` on biases
    (every layer's bias is trained, also when :math:`C_b = 0` initialises it at zero).
    Either way the function-space gradient flow is :math:`\\dot f_t = -\\eta\\,\\Theta\\,\\nabla_f L`.

    For piecewise-constant activations (step, sign) :math:`\\langle\\sigma'\\sigma'\\rangle` is the
    Gaussian density at the origin, infinite on the diagonal: those entries are ``inf``.

    Parameters
    ----------
    X1, X2 : array_like
        Finite inputs of shape ``(points, d)``, the same ``d``.
    activation : str, tuple, sympy.Expr or callable
        As in :func:`nngp_kernel` (see :func:`~theory.wide_networks.resolve_activation`).
    weight_variances, bias_variances : float or sequence of float
        :math:`C_W^{(l)} > 0` and :math:`C_b^{(l)} \\ge 0` for layers 1 ... L (a float: one layer, or for
        ``bias_variances`` the same for all); layer 1's weights have variance :math:`C_W^{(1)}/d`.
    parameterization : {"ntk", "standard"}, default "ntk"
        Which tangent kernel (above).
    quadrature_order : int, default 64
        Gauss-Hermite nodes per axis for activations without a closed form (>= 8).
    return_error : bool, default False
        Also return an elementwise error estimate, as :func:`nngp_kernel` does.

    Returns
    -------
    numpy.ndarray of shape ``(len(X1), len(X2))`` (and its error when ``return_error``).

    Raises
    ------
    TypeError, ValueError
        As :func:`nngp_kernel`.

    References
    ----------
    Jacot, Gabriel & Hongler, NeurIPS 2018; Lee et al., NeurIPS 2019, App. F;
    Sohl-Dickstein et al., arXiv:2001.07301; Cho & Saul, NeurIPS 2009; Williams, NeurIPS 1997.
    """
    return _kernel(X1, X2, activation, weight_variances, bias_variances, _check_param(parameterization),
                   quadrature_order, return_error)
