r"""Hand-written forward/backward for stacked MLP ensembles (the private kernel of :mod:`numerics.ntk`).

For a member with layers :math:`z^{(l)} = c_l W^{(l)} h^{(l-1)} + s_l b^{(l)}`, :math:`h^{(l)} = \sigma(z^{(l)})`
and the summed loss :math:`\mathcal L = \tfrac{\kappa}{2}\sum_i (f(x_i) - y_i)^2` the gradients are
(backpropagation; Rumelhart, Hinton & Williams 1986; Goodfellow et al., *Deep Learning*, sec. 6.5)

.. math:: \delta^{(L)} = \kappa (f - y), \quad
          \nabla_{W^{(l)}}\mathcal L = c_l\, \delta^{(l)\top} h^{(l-1)}, \quad
          \nabla_{b^{(l)}}\mathcal L = s_l \sum_i \delta^{(l)}_i, \quad
          \delta^{(l-1)} = c_l\, (\delta^{(l)} W^{(l)}) \odot \sigma'(z^{(l-1)}).

All members are one batched program (``bmm``/``baddbmm`` on weights of shape ``(E, n_out, n_in)``);
each weight update is fused into one in-place ``baddbmm_`` with ``alpha = -rate * c_l`` after the
old weight has been used for :math:`\delta^{(l-1)}`, so no gradient tensor is ever materialised.

The empirical tangent kernel comes from the same backward pass with :math:`\delta^{(L)} = 1` per input
(:func:`tangent_kernel`): the gradient of :math:`f(x)` with respect to :math:`W^{(l)}` is the outer
product :math:`c_l\,\delta^{(l)}(x)\,h^{(l-1)}(x)^\top`, so the sum over its entries of products of two
such gradients factorises into two Gram matrices,

.. math:: \hat\Theta(x, x') = \sum_l \Big[\rho^W_l c_l^2\, \big(\delta^{(l)}(x)\cdot\delta^{(l)}(x')\big)
          \big(h^{(l-1)}(x)\cdot h^{(l-1)}(x')\big) + \rho^b_l s_l^2\, \delta^{(l)}(x)\cdot\delta^{(l)}(x')\Big],

with :math:`\rho_l` the per-layer learning-rate factors (Jacot, Gabriel & Hongler 2018, eq. 2;
Lee et al. 2019, eq. 5): no per-parameter Jacobian is ever formed.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

__all__ = ["forward", "gd_step", "tangent_kernel"]


def forward(params: Sequence[torch.Tensor], X: torch.Tensor, scales: Sequence[tuple[float, float]],
            act: Callable[[torch.Tensor], torch.Tensor], keep: bool = False
            ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    r"""Outputs ``(E, N)`` for inputs ``X`` of shape ``(N, d)`` (shared) or ``(E, N, d)``.

    The forward pass of the module docstring; with ``keep`` also the pre-activations and layer inputs
    that :func:`gd_step` and :func:`tangent_kernel` back-propagate through.

    Parameters
    ----------
    params : sequence of torch.Tensor
        ``[W1, b1, ..., WL, bL]``, weights of shape ``(E, n_out, n_in)``, biases ``(E, n_out)``.
    X : torch.Tensor
        Inputs, ``(N, d)`` shared by every member or ``(E, N, d)``.
    scales : sequence of tuple of float
        ``(c_l, s_l)`` per layer (:meth:`numerics.ntk.MLPSpec.scales`).
    act : callable
        The elementwise activation :math:`\sigma`.
    keep : bool, default False
        Keep the hidden pre-activations and layer inputs.

    Returns
    -------
    f : torch.Tensor
        The outputs, shape ``(E, N)``.
    zs : list of torch.Tensor
        The hidden pre-activations :math:`z^{(1..L-1)}` (empty unless ``keep``).
    hs : list of torch.Tensor
        The layer inputs :math:`h^{(0..L-1)}`, starting with the (expanded) input (only the input
        unless ``keep``).
    """
    E = params[0].shape[0]
    h = X if X.ndim == 3 else X.unsqueeze(0).expand(E, *X.shape)
    zs: list[torch.Tensor] = []
    hs: list[torch.Tensor] = [h]
    L = len(scales)
    for i, (c, s) in enumerate(scales):
        W, b = params[2 * i], params[2 * i + 1]
        z = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2), beta=s, alpha=c) if s != 0.0 else \
            torch.bmm(h, W.transpose(1, 2)).mul_(c)
        if i < L - 1:
            h = act(z)
            if keep:
                zs.append(z)
                hs.append(h)
        else:
            h = z
    return h.squeeze(-1), zs, hs


def gd_step(params: Sequence[torch.Tensor], X: torch.Tensor, target: torch.Tensor, loss_scale: float,
            scales: Sequence[tuple[float, float]], rates: Sequence[tuple[float, float]],
            act: Callable[[torch.Tensor], torch.Tensor],
            dact: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None) -> None:
    """One in-place GD step of every member on :math:`\\tfrac{\\kappa}{2}\\sum_i (f(x_i)-y_i)^2`.

    The backpropagation of the module docstring, each update fused into the weight in place.

    Parameters
    ----------
    params : sequence of torch.Tensor
        ``[W1, b1, ..., WL, bL]`` of every member; updated in place.
    X : torch.Tensor
        Inputs, ``(N, d)`` shared by every member or ``(E, N, d)`` (a minibatch per member).
    target : torch.Tensor
        Targets :math:`y`, shape ``(E, N)``.
    loss_scale : float
        :math:`\\kappa`.
    scales : sequence of tuple of float
        ``(c_l, s_l)`` per layer.
    rates : sequence of tuple of float
        ``(eta_W, eta_b)`` per layer.
    act : callable
        The elementwise activation :math:`\\sigma`.
    dact : callable or None
        ``dact(z, h)`` = :math:`\\sigma'(z)` given :math:`h = \\sigma(z)`; ``None`` for the identity.
    """
    f, zs, hs = forward(params, X, scales, act, keep=True)
    delta = (f - target).mul_(loss_scale).unsqueeze(-1)  # (E, N, 1)
    for i in range(len(scales) - 1, -1, -1):
        c, s = scales[i]
        rw, rb = rates[i]
        W, b = params[2 * i], params[2 * i + 1]
        h_prev = hs[i]
        if i > 0:  # back-propagate with the OLD weight before updating it
            dh = torch.bmm(delta, W)  # (E, N, n_in)
            dz = dh.mul_(c) if dact is None else dh.mul_(dact(zs[i - 1], hs[i]).mul_(c))
        if s != 0.0:
            b.add_(delta.sum(1), alpha=-rb * s)
        W.baddbmm_(delta.transpose(1, 2), h_prev, alpha=-rw * c)
        if i > 0:
            delta = dz


def tangent_kernel(params: Sequence[torch.Tensor], X: torch.Tensor, scales: Sequence[tuple[float, float]],
                   rates: Sequence[tuple[float, float]], act: Callable[[torch.Tensor], torch.Tensor],
                   dact: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None) -> torch.Tensor:
    """Every member's rate-weighted empirical tangent kernel on ``X`` (see the module docstring).

    Parameters
    ----------
    params : sequence of torch.Tensor
        ``[W1, b1, ..., WL, bL]`` of every member.
    X : torch.Tensor
        Inputs shared by every member, shape ``(N, d)``.
    scales : sequence of tuple of float
        ``(c_l, s_l)`` per layer.
    rates : sequence of tuple of float
        ``(rho_W, rho_b)`` per layer (:meth:`numerics.ntk.MLPSpec.rate_factors`).
    act : callable
        The elementwise activation :math:`\\sigma`.
    dact : callable or None
        ``dact(z, h)`` = :math:`\\sigma'(z)` given :math:`h = \\sigma(z)`; ``None`` for the identity.

    Returns
    -------
    torch.Tensor
        :math:`\\hat\\Theta(x_i, x_j)` of every member, shape ``(E, N, N)``.
    """
    _, zs, hs = forward(params, X, scales, act, keep=True)
    E, N = hs[0].shape[0], hs[0].shape[1]
    delta = torch.ones(E, N, 1, dtype=hs[0].dtype, device=hs[0].device)
    out = torch.zeros(E, N, N, dtype=hs[0].dtype, device=hs[0].device)
    for i in range(len(scales) - 1, -1, -1):
        c, s = scales[i]
        rw, rb = rates[i]
        dd = torch.bmm(delta, delta.transpose(1, 2))
        out.add_(dd * torch.bmm(hs[i], hs[i].transpose(1, 2)), alpha=rw * c * c)
        if s != 0.0 and rb != 0.0:
            out.add_(dd, alpha=rb * s * s)
        if i > 0:
            dh = torch.bmm(delta, params[2 * i]).mul_(c)
            delta = dh if dact is None else dh.mul_(dact(zs[i - 1], hs[i]))
    return out
