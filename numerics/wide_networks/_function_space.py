r"""Exact function-space sampling of MLP ensemble outputs on given inputs (no weights are drawn).

For an MLP with :math:`z^{(l)} = H^{(l-1)} W^{(l)} + \mathbf 1 b^{(l)\top}`, where
:math:`H^{(l-1)} = \sigma(z^{(l-1)})` is the ``(P, n_{l-1})`` matrix of activations on the
``P`` inputs (:math:`H^{(0)} = X`), :math:`W^{(l)}_{ij} \sim N(0, C_W^{(l)}/n_{l-1})` and
:math:`b^{(l)}_j \sim N(0, C_b^{(l)})` all independent: given :math:`H^{(l-1)}`, the ``n_l``
columns :math:`z^{(l)}_{:,j} = H^{(l-1)} W^{(l)}_{:,j} + b^{(l)}_j \mathbf 1` are iid Gaussian
vectors (a linear map of a Gaussian vector),

.. math::

    z^{(l)}_{:,j} \mid H^{(l-1)} \sim N\!\left(0,\ \Sigma^{(l)}\right), \qquad
    \Sigma^{(l)} = \frac{C_W^{(l)}}{n_{l-1}} H^{(l-1)} H^{(l-1)\top} + C_b^{(l)} \mathbf 1 \mathbf 1^\top = A A^\top,
    \quad A = \left[\sqrt{C_W^{(l)}/n_{l-1}}\, H^{(l-1)},\ \sqrt{C_b^{(l)}}\,\mathbf 1\right].

This is the layer-wise conditional Gaussian structure behind the NNGP limit (Neal 1996, ch. 2;
Lee et al. 2018, arXiv:1711.00165, sec. 2), used here at finite width: the sequence
:math:`z^{(1)} \to z^{(2)} \to \dots` is a Markov chain, so drawing each layer from its exact
conditional law reproduces the exact joint law of the outputs on the ``P`` inputs.  With
:math:`A^\top = Q R` (reduced QR, ``R`` of shape ``(k, P)``, ``k = min(n_{l-1} + 1, P)``),
:math:`R^\top R = A A^\top = \Sigma^{(l)}` and :math:`z^{(l)} = R^\top G`, ``G`` a ``(k, n_l)``
standard normal matrix, has exactly that law.  QR is backward stable and needs no positive
definiteness, so a singular :math:`\Sigma` (``P > n_{l-1} + 1``, dead ReLU units, duplicated
inputs) is handled exactly, where a Cholesky factorisation of :math:`\Sigma` would fail.  As the
batched QR is several times slower than a Gram matrix and its Cholesky factor (also exact, and
backward stable whenever it completes), the Cholesky factor is used for the members where it
completes and the QR for the others.  When
``A`` has at most ``P`` columns, or the layer at most ``P`` units (the scalar output layer),
``A`` itself is used (:math:`z = A G` is then the explicit-weight draw of that layer, cheaper
than a QR); for ``P = 1`` the factor is the norm :math:`\|A\|`.

Cost per member and layer: :math:`O(P^2 n_{l-1})` for the QR and ``k n_l`` normals, instead of
:math:`n_{l-1} n_l` normals and an :math:`O(P n_{l-1} n_l)` matmul for explicit weights.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

__all__ = ["covariance_factor", "function_space_chunk"]


def covariance_factor(
    H: torch.Tensor, weight_variance: float, bias_variance: float, n_out: int | None = None,
) -> torch.Tensor:
    r"""A factor ``F`` (``(..., P, k)``) with :math:`F F^\top = \frac{C_W}{n} H H^\top + C_b \mathbf 1\mathbf 1^\top`.

    ``H`` is ``(..., P, n)``.  Uses :math:`\|A\|` for ``P = 1``;
    :math:`A = [\sqrt{C_W/n}\,H, \sqrt{C_b}\mathbf 1]` itself when it has at most ``P`` columns or when
    the layer has ``n_out <= P`` units (then drawing ``A G`` is cheaper than a factorisation); else the
    Cholesky factor of :math:`A A^\top` for the members where it completes, and :math:`R^\top` from the
    reduced QR of :math:`A^\top` (Golub & Van Loan, *Matrix Computations*, 4th ed., sec. 5.2) for the
    others: exact for singular covariances, no positive-definiteness required.
    """
    P, n = H.shape[-2], H.shape[-1]
    A = H * math.sqrt(weight_variance / n)
    if bias_variance > 0:
        A = torch.cat([A, torch.full((*H.shape[:-1], 1), math.sqrt(bias_variance), dtype=H.dtype, device=H.device)], -1)
    if P == 1:
        return torch.linalg.vector_norm(A, dim=-1, keepdim=True)
    if A.shape[-1] <= P or (n_out is not None and n_out <= P):
        return A
    # Cholesky of the Gram matrix where it completes (backward stable whenever it does: Higham, *Accuracy and
    # Stability of Numerical Algorithms*, 2nd ed., thm 10.3), the QR of A^T for the members where it fails
    # (singular or numerically singular covariance: dead units, P > n + 1, duplicated inputs)
    L, info = torch.linalg.cholesky_ex(torch.matmul(A, A.transpose(-1, -2)))
    bad = info != 0
    if bool(bad.any()):
        L = L.clone()
        L[bad] = torch.linalg.qr(A[bad].transpose(-1, -2), mode="r").R.transpose(-1, -2)
    return L


def function_space_chunk(
    X: torch.Tensor, dims: list[int], weight_variances: list[float], bias_variances: list[float],
    activation: Callable[[torch.Tensor], torch.Tensor], members: int, generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Exact joint samples of the outputs of ``members`` MLPs on the inputs ``X`` (``(P, d)``), layer by layer.

    Returns the scalar outputs ``(members, P)`` and the last hidden activations
    :math:`H^{(L-1)}` (``(members, P, n_{L-1})``; ``X`` broadcast when there is no hidden layer),
    whose Gram matrix gives the conditional output covariance.  See the module docstring for the
    law (Neal 1996, ch. 2; Lee et al. 2018, arXiv:1711.00165).
    """
    L = len(dims) - 1
    h = X.unsqueeze(0)  # the first layer's factor is shared by all members
    z = h
    for l in range(L):
        F = covariance_factor(h, weight_variances[l], bias_variances[l], dims[l + 1])
        g = torch.randn((members, F.shape[-1], dims[l + 1]), generator=generator, dtype=X.dtype, device=X.device)
        z = torch.matmul(F, g)
        if l < L - 1:
            h = activation(z)
    return z[..., 0], h.expand(members, *h.shape[1:])
