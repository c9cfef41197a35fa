r"""Hand-written forward/backward for stacked MLP ensembles (private kernel of ``numerics.training``).

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
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import torch

__all__ = ["ACTIVATION_DERIVATIVES", "forward", "gd_step"]

_SQRT_2_OVER_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _d_gelu(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1.0 + torch.erf(z * (1.0 / math.sqrt(2.0)))) + z * _INV_SQRT_2PI * torch.exp(-0.5 * z * z)


def _d_silu(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


# sigma'(z) given (z, h = sigma(z))
ACTIVATION_DERIVATIVES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None] = {
    "linear": None,
    "relu": lambda z, h: (z > 0).to(z.dtype),
    "erf": lambda z, h: _SQRT_2_OVER_PI * torch.exp(-z * z),
    "tanh": lambda z, h: 1.0 - h * h,
    "gelu": _d_gelu,
    "silu": _d_silu,
}


def forward(params: Sequence[torch.Tensor], X: torch.Tensor, scales: Sequence[tuple[float, float]],
            act: Callable[[torch.Tensor], torch.Tensor], keep: bool = False
            ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """Outputs ``(E, N)`` for inputs ``X`` of shape ``(N, d)`` (shared) or ``(E, N, d)``; with ``keep`` the
    pre-activations and layer inputs for :func:`gd_step`."""
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
    """One in-place GD step of every member on :math:`\\tfrac{\\kappa}{2}\\sum_i (f(x_i)-y_i)^2`
    (``loss_scale`` = :math:`\\kappa`; ``rates[l] = (eta_W, eta_b)``; ``target`` of shape ``(E, N)``)."""
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
