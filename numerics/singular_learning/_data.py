r"""Data sets of the singular-learning experiments: normal crossing, quadratic, teacher-student, compression.

Private module; the public names are re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.singular_learning._models import DeepLinearNetwork, check_widths, mse
from numerics.singular_learning._torch import data_pair, float_dtype
from numerics.singular_learning._training import train_to_minimum

__all__ = ["normal_crossing_data", "quadratic_data", "deep_linear_teacher_student", "compress_linear_data"]


def normal_crossing_data(n: int, *, seed: int, dtype: Any = torch.float64, device: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Inputs with :math:`\frac1n\sum_i x_i^2 = 1` exactly and targets ``Y = 0``.

    With them the :func:`~numerics.singular_learning.mse` loss of
    :class:`~numerics.singular_learning.NormalCrossingModel` is exactly
    :math:`K(w) = \prod_j w_j^{2k_j}` (Watanabe 2009, sec. 2.4).

    Parameters
    ----------
    n
        Number of rows (>= 1).
    seed
        Seed of the Gaussian draws that are standardised.
    dtype, device
        Floating type and device of the tensors.

    Returns
    -------
    (X, Y)
        Tensors of shape ``(n, 1)``.
    """
    n = v.integer(n, "n", minimum=1)
    g = torch.Generator().manual_seed(v.seed(seed))
    x = torch.randn(n, 1, generator=g, dtype=float_dtype(dtype, "dtype"))
    x = x / x.pow(2).mean().sqrt()
    return x.to(device), torch.zeros_like(x).to(device)


def quadratic_data(curvatures: Sequence[float], n: int, *, seed: int, dtype: Any = torch.float64,
                   device: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Data whose :func:`~numerics.singular_learning.mse` loss for :class:`~numerics.singular_learning.QuadraticModel`
    is :math:`L_n(w) = \tfrac12\sum_i h_i w_i^2` exactly.

    :math:`X = \sqrt{n}\,Q\,\mathrm{diag}(\sqrt{h_i/2})` with :math:`Q^\top Q = I` (thin QR of a
    Gaussian matrix; Golub & Van Loan, *Matrix Computations*, sec. 5.2), so the Hessian
    :math:`2X^\top X/n = \mathrm{diag}(h)`; ``Y = 0`` (minimum at :math:`w^* = 0`).

    Parameters
    ----------
    curvatures
        :math:`h_i \ge 0`, at least one.
    n
        Rows, at least ``len(curvatures)``.
    seed
        Seed of the random rotation.
    dtype, device
        Floating type and device.

    Returns
    -------
    (X, Y)
        ``(n, len(curvatures))`` and ``(n, 1)``.
    """
    h = np.asarray(v.reals(curvatures, "curvatures", minimum=0.0))
    n = v.integer(n, "n", minimum=h.size)
    dt = float_dtype(dtype, "dtype")
    g = torch.Generator().manual_seed(v.seed(seed))
    Q, _ = torch.linalg.qr(torch.randn(n, h.size, generator=g, dtype=dt))
    X = np.sqrt(n) * Q * torch.as_tensor(np.sqrt(h / 2), dtype=dt)
    return X.to(device), torch.zeros(n, 1, dtype=dt, device=device)


def _balanced_student(ws: tuple[int, ...], r: int, U: torch.Tensor, Vm: torch.Tensor, s: np.ndarray, init_scale: float,
                      g: torch.Generator, dtype: torch.dtype) -> DeepLinearNetwork:
    """The balanced factorisation of ``U diag(s) Vm^T`` plus ``init_scale`` noise in every weight."""
    L = len(ws) - 1
    root = torch.as_tensor(s ** (1.0 / L), dtype=dtype)
    net = DeepLinearNetwork(ws, init_scale=0.0, dtype=dtype)
    with torch.no_grad():
        for i, W in enumerate(net.weights):
            W.zero_()
            if r == 0:  # the zero network is the exact minimum; no perturbation
                continue
            if i == 0 and L == 1:
                W.copy_(U @ torch.diag(torch.as_tensor(s, dtype=dtype)) @ Vm.T)
            elif i == 0:
                W[:r, :] = root[:, None] * Vm.T
            elif i == L - 1:
                W[:, :r] = U * root[None, :]
            else:
                W[:r, :r] = torch.diag(root)
            W.add_(init_scale * torch.randn(W.shape, generator=g, dtype=dtype))
    return net


def deep_linear_teacher_student(
    widths: Sequence[int],
    rank: int,
    n: int,
    *,
    seed: int,
    singular_values: Sequence[float] | None = None,
    init_scale: float = 1e-3,
    dtype: Any = torch.float64,
    device: Any = None,
) -> tuple[DeepLinearNetwork, tuple[torch.Tensor, torch.Tensor]]:
    r"""A rank-``r`` teacher :math:`T = U\,\mathrm{diag}(s)\,V^\top`, noise-free data and a student at :math:`w^*`.

    Inputs :math:`x \sim N(0, I)`, outputs :math:`y = Tx` (so :math:`L_n(w^*) = 0` and the
    tempered posterior sees :math:`K_n(w) = \mathrm{tr}[(P(w)-T)\hat\Sigma(P(w)-T)^\top]`, whose
    learning coefficient is Aoyagi's).  The student is the balanced factorisation
    :math:`W_1 = S^{1/L}V^\top`, :math:`W_i = S^{1/L}`, :math:`W_L = US^{1/L}` (zero outside the
    teacher's subspace) -- the point gradient descent from a small balanced initialisation
    converges to (Arora, Cohen & Hazan, ICML 2018) -- plus ``init_scale`` noise in every weight,
    then trained with full-batch Adam (:func:`~numerics.singular_learning.train_to_minimum`)
    back to a minimum.

    Parameters
    ----------
    widths
        ``(input, hidden..., output)``, each >= 1.
    rank
        Teacher rank, ``0 <= rank <= min(widths)``.
    n
        Rows of data (>= 1).
    seed
        Seed of the teacher, the data and the perturbation.
    singular_values
        The teacher's ``rank`` positive singular values (default all one).
    init_scale
        Perturbation of the balanced student before retraining (>= 0; 0 keeps the exact factorisation).
    dtype, device
        Floating type and device.

    Returns
    -------
    (net, (X, Y))
        The trained student and the data.

    References
    ----------
    M. Aoyagi, Neural Networks 172 (2024) 106132; Arora, Cohen & Hazan, ICML 2018.
    """
    ws = check_widths(widths)
    r = v.integer(rank, "rank", minimum=0, maximum=min(ws))
    n = v.integer(n, "n", minimum=1)
    init_scale = v.real(init_scale, "init_scale", minimum=0.0)
    s = np.ones(r) if singular_values is None else np.asarray(
        v.reals(singular_values, "singular_values", minimum=0.0, open_min=True, length=r, min_length=0))
    dt = float_dtype(dtype, "dtype")
    g = torch.Generator().manual_seed(v.seed(seed))
    M, N = ws[0], ws[-1]
    U, _ = torch.linalg.qr(torch.randn(N, max(r, 1), generator=g, dtype=dt))
    Vm, _ = torch.linalg.qr(torch.randn(M, max(r, 1), generator=g, dtype=dt))
    U, Vm = U[:, :r], Vm[:, :r]
    T = U @ torch.diag(torch.as_tensor(s, dtype=dt)) @ Vm.T
    X = torch.randn(n, M, generator=g, dtype=dt)
    Y = X @ T.T
    net = _balanced_student(ws, r, U, Vm, s, init_scale, g, dt)
    if init_scale > 0:
        net, _ = train_to_minimum(net, mse, (X, Y), steps=400, lr=1e-3, seed=seed)
    return net.to(device), (X.to(device), Y.to(device))


def compress_linear_data(data: Sequence[torch.Tensor]) -> tuple[tuple[torch.Tensor, torch.Tensor], float]:
    r"""Exact compression of ``(X, Y)`` for models linear in the input, under :func:`~numerics.singular_learning.mse`.

    For any model :math:`f(x; w) = A(w)\,x` (deep linear networks, any parameterisation of
    :math:`A`) the mean squared loss depends on the data only through :math:`X^\top X` and
    :math:`X^\top Y`.  With the thin QR factorisation :math:`X = QR` (:math:`R` is
    :math:`p\times p`, :math:`p` = input dimension) set :math:`X' = \sqrt{p/n}\,R` and
    :math:`Y' = \sqrt{p/n}\,Q^\top Y`; then for every :math:`w`

    .. math:: L'_p(w) = \frac1p\|X'A^\top - Y'\|_F^2 = L_n(w) - c,\qquad
              c = \frac1n\|(I - QQ^\top)Y\|_F^2 \ge 0,

    a constant.  Gradients, Hessians, the tempered posterior and the LLC
    :math:`n\beta(E[L_n] - L_n(w^*))` are therefore identical on ``(X', Y')`` (keep passing the
    original ``n`` through ``n_beta``), while a full-batch step costs :math:`p` rows instead of :math:`n`.

    Parameters
    ----------
    data
        ``(X, Y)``: 2-d finite tensors with ``n >= p`` rows.

    Returns
    -------
    ((X', Y'), c)

    Raises
    ------
    TypeError, ValueError
        Not a pair of 2-d finite tensors, or fewer rows than inputs.

    References
    ----------
    Golub & Van Loan, *Matrix Computations* (4th ed.), sec. 5.3 (least squares via QR).
    """
    X, Y = data_pair(data)
    if X.dim() != 2 or Y.dim() != 2:
        raise ValueError(f"X and Y must be 2-d; got shapes {tuple(X.shape)} and {tuple(Y.shape)}")
    n, p = X.shape
    if n < p:
        raise ValueError(f"need at least as many rows as inputs to compress; got n={n} < p={p}")
    Q, R = torch.linalg.qr(X)
    s = (p / n) ** 0.5
    QtY = Q.T @ Y
    c = float(((Y * Y).sum() - (QtY * QtY).sum()) / n)
    return (s * R, s * QtY), max(c, 0.0)
