r"""Models for singular-learning checks and their training to :math:`w^*`.

* :class:`DeepLinearNetwork` -- bias-free :math:`x \mapsto W_L \cdots W_1 x`;
* :func:`deep_linear_teacher_student` -- a rank-``r`` teacher, noise-free data and a student
  trained to it (batched full-batch gradient descent from a small initialisation);
* :class:`NormalCrossingModel` -- :math:`f(x; w) = x\prod_j w_j^{k_j}` whose squared loss on
  standardised data is exactly :math:`K(w) = \prod_j w_j^{2k_j}`;
* :class:`QuadraticModel` -- linear regression whose loss is exactly quadratic;
* :func:`train_to_minimum` -- full-batch Adam for any model, several restarts batched with ``vmap``.
"""

from __future__ import annotations

import math

from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.func import functional_call, vmap

__all__ = [
    "DeepLinearNetwork",
    "NormalCrossingModel",
    "QuadraticModel",
    "deep_linear_teacher_student",
    "compress_linear_data",
    "normal_crossing_data",
    "quadratic_data",
    "train_to_minimum",
    "mse",
]


def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean squared error :math:`L_n = \frac1n\sum_i |f(x_i) - y_i|^2` (sum over outputs, mean over rows)."""
    return ((pred - y) ** 2).sum(-1).mean()


def _mse_batched(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-chain :func:`mse` of stacked predictions ``(C, B, ...)`` -> ``(C,)`` (no vmap needed)."""
    return ((pred - y) ** 2).sum(-1).flatten(1).mean(1)


def _mse_batched_value_and_grad(pred: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-chain :func:`mse` and its gradient in ``pred``: :math:`L_c = \frac1m\sum|r_c|^2`, :math:`\partial L_c/\partial r_c = 2r_c/m`.

    ``pred``, ``y``: ``(C, B, ..., out)``; ``m`` = rows per chain.  No autograd (the manual
    reverse mode of :mod:`numerics.sgld`, with a model's ``forward_stacked_vjp``).
    """
    r = pred - y
    m = math.prod(r.shape[1:-1])
    L = (r * r).sum(_REDUCE_DIMS[r.dim()]).mul_(1.0 / m)
    return L, r.mul_(2.0 / m)


_REDUCE_DIMS = {k: tuple(range(1, k)) for k in range(2, 16)}


# numerics.sgld uses a loss's ``batched`` form when it has one (see sample_local_posterior),
# and ``batched_value_and_grad`` (manual reverse mode) with a model's ``forward_stacked_vjp``
mse.batched = _mse_batched  # type: ignore[attr-defined]
mse.batched_value_and_grad = _mse_batched_value_and_grad  # type: ignore[attr-defined]


def _check_widths(widths: Sequence[int]) -> list[int]:
    ws = [int(w) for w in widths]
    if len(ws) < 2 or any(w < 1 for w in ws):
        raise ValueError(f"widths must have >= 2 entries, each >= 1, got {list(widths)}")
    return ws


class DeepLinearNetwork(torch.nn.Module):
    r"""Bias-free deep linear network with widths ``(input, hidden..., output)``.

    Weights ``W_i`` of shape ``(H_{i+1}, H_i)``; :math:`f(x) = W_L\cdots W_1 x`.
    Reference: Aoyagi, Neural Networks 172 (2024).
    """

    def __init__(self, widths: Sequence[int], *, init_scale: float = 0.1, seed: int = 0,
                 device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        self.widths = _check_widths(widths)
        g = torch.Generator().manual_seed(int(seed))
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter((init_scale * torch.randn(b, a, generator=g, dtype=dtype)).to(device))
            for a, b in zip(self.widths[:-1], self.widths[1:])
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for W in self.weights:
            x = x @ W.T
        return x

    def _stacked_weights(self, w: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per-layer ``(C, out, in)`` views of ``w`` and their transposes.

        The SGLD sampler updates its ``(C, d)`` state in place, so the views of the last state
        seen stay valid: they are cached (one slot, keyed by identity and storage; never for
        tensors that require grad, whose views would hold a graph).
        """
        cache = self.__dict__.get("_view_cache")
        if cache is not None and cache[0] is w and cache[1] == (w.data_ptr(), w.shape, w.stride()):
            return cache[2], cache[3]
        C = w.shape[0]
        pairs = list(zip(self.widths[:-1], self.widths[1:]))
        # one split (its backward is a single cat) rather than one slice per layer
        Ws = [Wf.reshape(C, b, a) for (a, b), Wf in zip(pairs, torch.split(w, [a * b for a, b in pairs], dim=1))]
        WTs = [W.transpose(1, 2) for W in Ws]
        if not w.requires_grad and w.is_contiguous():  # then every reshape above is a view
            self.__dict__["_view_cache"] = (w, (w.data_ptr(), w.shape, w.stride()), Ws, WTs)
        return Ws, WTs

    def forward_stacked(self, w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Batched forward for ``C`` parameter vectors at once (the fast path of :mod:`numerics.sgld`).

        ``w``: ``(C, d)`` flattened parameters in ``named_parameters`` order; ``x``: ``(C, B, input)``
        (or ``(B, input)``, shared).  Returns ``(C, B, output)``.  Activations are kept
        feature-major, ``(C, features, B)``, so each layer is ``bmm(W, h)`` with the batch as the
        long dimension -- 4-5x faster on CPU for small widths than the row-major
        ``bmm(h, W^T)``, whose inner dimension is the tiny width.
        """
        h = (x if x.dim() == 3 else x.expand(w.shape[0], *x.shape)).transpose(1, 2)
        for W in self._stacked_weights(w)[0]:
            h = torch.bmm(W, h)
        return h.transpose(1, 2)

    def forward_stacked_vjp(self, w: torch.Tensor, x: torch.Tensor):
        r""":meth:`forward_stacked` and its pullback, by hand (no autograd).

        Returns ``(pred, pullback)``; ``pullback(g)`` maps :math:`g = \partial L/\partial\,\mathrm{pred}`
        ``(C, B, output)`` to :math:`\partial L/\partial w` ``(C, d)``.  With :math:`h_0 = x^\top`,
        :math:`h_k = W_k h_{k-1}` and :math:`g_L = g^\top`: :math:`\partial L/\partial W_k = g_k h_{k-1}^\top`,
        :math:`g_{k-1} = W_k^\top g_k` (reverse-mode chain rule).  ``2L - 1`` bmm calls and one
        cat, against autograd's graph bookkeeping -- the per-step overhead that dominates
        SGLD on small networks.
        """
        C = w.shape[0]
        Ws, WTs = self._stacked_weights(w)
        x3 = x if x.dim() == 3 else x.expand(C, *x.shape)
        h = x3.transpose(1, 2)
        hTs = [x3]  # h_k^T, k = 0 .. L-1
        for W in Ws:
            h = torch.bmm(W, h)
            hTs.append(h.transpose(1, 2))
        last = len(Ws) - 1

        def pullback(g: torch.Tensor) -> torch.Tensor:
            g = g.transpose(1, 2)
            parts: list[torch.Tensor] = [g] * (last + 1)
            for k in range(last, 0, -1):
                parts[k] = torch.bmm(g, hTs[k]).view(C, -1)
                g = torch.bmm(WTs[k], g)
            parts[0] = torch.bmm(g, x3).view(C, -1)
            return torch.cat(parts, 1)

        return hTs[-1], pullback


class NormalCrossingModel(torch.nn.Module):
    r""":math:`f(x; w) = x\prod_j w_j^{k_j}`; with ``y = 0`` and :math:`\frac1n\sum x_i^2 = 1`
    its mean squared loss is exactly :math:`K(w) = \prod_j w_j^{2k_j}` (Watanabe 2009, sec. 2.4)."""

    def __init__(self, powers: Sequence[int], *, device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        ks = [int(k) for k in powers]
        if not ks or any(k < 0 for k in ks) or max(ks) == 0:
            raise ValueError(f"powers must be non-negative ints with one positive, got {list(powers)}")
        self.register_buffer("powers", torch.tensor(ks, dtype=dtype, device=device))
        self.w = torch.nn.Parameter(torch.zeros(len(ks), dtype=dtype, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.prod(self.w ** self.powers)


class QuadraticModel(torch.nn.Module):
    """Linear regression ``x @ w`` (exactly quadratic squared loss)."""

    def __init__(self, dim: int, *, device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        if int(dim) < 1:
            raise ValueError(f"dim must be >= 1, got {dim}")
        self.w = torch.nn.Parameter(torch.zeros(int(dim), 1, dtype=dtype, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w


def normal_crossing_data(n: int, *, seed: int, dtype: Any = torch.float64, device: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``(X, Y)`` with :math:`\frac1n\sum x_i^2 = 1` exactly and ``Y = 0``."""
    g = torch.Generator().manual_seed(int(seed))
    x = torch.randn(int(n), 1, generator=g, dtype=dtype)
    x = x / x.pow(2).mean().sqrt()
    return x.to(device), torch.zeros_like(x).to(device)


def quadratic_data(curvatures: Sequence[float], n: int, *, seed: int, dtype: Any = torch.float64,
                   device: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Data whose :func:`mse` loss for :class:`QuadraticModel` is :math:`\tfrac12\sum_i h_i w_i^2` exactly.

    :math:`X = \sqrt{n}\,Q\,\mathrm{diag}(\sqrt{h_i/2})` with :math:`Q^TQ = I`, so that the
    Hessian :math:`2X^TX/n = \mathrm{diag}(h)`; ``Y = 0`` (minimum at ``w* = 0``).
    """
    h = np.asarray(curvatures, dtype=float)
    if h.ndim != 1 or np.any(h < 0) or not np.all(np.isfinite(h)) or int(n) < h.size:
        raise ValueError("curvatures must be finite, >= 0, and n >= len(curvatures)")
    g = torch.Generator().manual_seed(int(seed))
    Q, _ = torch.linalg.qr(torch.randn(int(n), h.size, generator=g, dtype=dtype))
    X = np.sqrt(n) * Q * torch.as_tensor(np.sqrt(h / 2), dtype=dtype)
    return X.to(device), torch.zeros(int(n), 1, dtype=dtype, device=device)


def train_to_minimum(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    data: Sequence[torch.Tensor],
    *,
    steps: int = 2000,
    lr: float = 1e-2,
    restarts: int = 1,
    init_scale: float = 0.0,
    seed: int = 0,
) -> tuple[torch.nn.Module, float]:
    r"""Full-batch Adam to a minimum of :math:`L_n`; ``restarts`` runs batched with ``vmap``.

    Restart ``k`` starts from the model's parameters plus ``init_scale`` times Gaussian noise;
    the restart with the lowest final loss is returned as a new model (the input is not
    modified) together with that loss.  Reference: Kingma & Ba, ICLR 2015 (Adam).
    """
    import copy

    X, Y = data
    names = [n for n, _ in model.named_parameters()]
    base = {n: p.detach() for n, p in model.named_parameters()}
    bufs = dict(model.named_buffers())
    g = torch.Generator().manual_seed(int(seed))
    P = {n: (p.expand(restarts, *p.shape) + init_scale * torch.randn(restarts, *p.shape, generator=g, dtype=p.dtype).to(p.device)).clone()
         for n, p in base.items()}

    def f(params: dict[str, torch.Tensor]) -> torch.Tensor:
        return loss_fn(functional_call(model, {**params, **bufs}, (X,)), Y)

    fv = vmap(f)

    def gv(P: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        # batched forward, one reverse pass of the summed loss: restarts are independent
        with torch.enable_grad():
            Pg = {k: v.detach().requires_grad_(True) for k, v in P.items()}
            L = fv(Pg)
            gs = torch.autograd.grad(L.sum(), [Pg[k] for k in names])
        return dict(zip(names, gs)), L.detach()

    m = {n: torch.zeros_like(v) for n, v in P.items()}
    v2 = {n: torch.zeros_like(v) for n, v in P.items()}
    b1, b2, eps = 0.9, 0.999, 1e-12
    for t in range(1, int(steps) + 1):
        gr, _ = gv(P)
        for n in names:
            m[n] = b1 * m[n] + (1 - b1) * gr[n]
            v2[n] = b2 * v2[n] + (1 - b2) * gr[n] ** 2
            P[n] = P[n] - lr * (m[n] / (1 - b1**t)) / ((v2[n] / (1 - b2**t)).sqrt() + eps)
    _, L = gv(P)
    k = int(torch.argmin(torch.where(torch.isfinite(L), L, torch.inf)))
    out = copy.deepcopy(model)
    with torch.no_grad():
        for n, p in out.named_parameters():
            p.copy_(P[n][k])
    return out, float(L[k])


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
    r"""A rank-``r`` teacher :math:`T = U\,\mathrm{diag}(s)\,V^T`, noise-free data and a student at :math:`w^*`.

    Inputs :math:`x \sim N(0, I)`, outputs :math:`y = Tx` (so :math:`L_n(w^*) = 0` and the
    tempered posterior sees :math:`K_n(w) = \mathrm{tr}[(P(w)-T)\hat\Sigma(P(w)-T)^T]`,
    whose RLCT is Aoyagi's).  The student is the balanced factorisation
    :math:`W_1 = S^{1/L}V^T`, :math:`W_i = S^{1/L}`, :math:`W_L = US^{1/L}` (zero outside the
    teacher's subspace) -- the point gradient descent from a small balanced initialisation
    converges to (Arora, Cohen, Hazan, ICML 2018) -- plus ``init_scale`` noise in every
    weight, then trained with full-batch Adam back to :math:`L_n < 10^{-12}`.

    Default singular values ``s = (1, ..., 1)``.
    """
    ws = _check_widths(widths)
    r = int(rank)
    if r < 0 or r > min(ws):
        raise ValueError(f"rank must be in [0, min(widths)] = [0, {min(ws)}], got {rank}")
    s = np.ones(r) if singular_values is None else np.asarray(singular_values, dtype=float)
    if s.shape != (r,) or np.any(s <= 0):
        raise ValueError(f"singular_values must be {r} positive numbers")
    g = torch.Generator().manual_seed(int(seed))
    M, N, L = ws[0], ws[-1], len(ws) - 1
    U, _ = torch.linalg.qr(torch.randn(N, max(r, 1), generator=g, dtype=dtype))
    Vm, _ = torch.linalg.qr(torch.randn(M, max(r, 1), generator=g, dtype=dtype))
    U, Vm = U[:, :r], Vm[:, :r]
    root = torch.as_tensor(s ** (1.0 / L), dtype=dtype)
    T = U @ torch.diag(torch.as_tensor(s, dtype=dtype)) @ Vm.T
    X = torch.randn(int(n), M, generator=g, dtype=dtype)
    Y = X @ T.T
    net = DeepLinearNetwork(ws, init_scale=0.0, dtype=dtype)
    with torch.no_grad():
        for i, W in enumerate(net.weights):
            W.zero_()
            if r == 0:
                continue
            if i == 0 and L == 1:
                W.copy_(T)
            elif i == 0:
                W[:r, :] = root[:, None] * Vm.T
            elif i == L - 1:
                W[:, :r] = U * root[None, :]
            else:
                W[:r, :r] = torch.diag(root)
            W.add_(init_scale * torch.randn(W.shape, generator=g, dtype=dtype))
    if init_scale > 0:
        net, _ = train_to_minimum(net, mse, (X, Y), steps=400, lr=1e-3, seed=seed)
    net = net.to(device)
    return net, (X.to(device), Y.to(device))


def compress_linear_data(data: Sequence[torch.Tensor]) -> tuple[tuple[torch.Tensor, torch.Tensor], float]:
    r"""Exact compression of ``(X, Y)`` for models linear in the input, under :func:`mse`.

    For any model of the form :math:`f(x; w) = A(w)\,x` (deep linear networks, any
    parameterisation of :math:`A`), the mean squared loss depends on the data only through
    :math:`X^TX` and :math:`X^TY`.  With the thin QR factorisation :math:`X = QR`
    (:math:`R` is :math:`p	imes p`, :math:`p` = input dimension) set
    :math:`X' = \sqrt{p/n}\,R` and :math:`Y' = \sqrt{p/n}\,Q^TY`; then for every :math:`w`

    .. math:: L'_p(w) = 	frac1p\|X'A^T - Y'\|_F^2 = L_n(w) - c,\qquad
              c = 	frac1n\|(I - QQ^T)Y\|_F^2 \ge 0,

    a constant.  Gradients, Hessians, the tempered posterior and the LLC
    :math:`neta(E[L_n] - L_n(w^*))` are therefore *identical* on ``(X', Y')`` -- keep passing
    the original ``n`` through ``n_beta`` -- while a full-batch step costs :math:`p` rows
    instead of :math:`n`.  Returns ``((X', Y'), c)``.  Requires ``n >= p`` (otherwise there is
    nothing to compress).  Reference: Golub & Van Loan, *Matrix Computations*, sec. 5.3
    (least squares via QR).
    """
    X, Y = data
    if X.dim() != 2 or Y.dim() != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must be 2-d with the same number of rows, got {tuple(X.shape)} and {tuple(Y.shape)}")
    n, p = X.shape
    if n < p:
        raise ValueError(f"need at least as many rows as inputs to compress, got n={n} < p={p}")
    if not (torch.isfinite(X).all() and torch.isfinite(Y).all()):
        raise ValueError("data contains non-finite values (NaN or inf)")
    Q, R = torch.linalg.qr(X)
    s = (p / n) ** 0.5
    QtY = Q.T @ Y
    c = float(((Y * Y).sum() - (QtY * QtY).sum()) / n)
    return (s * R, s * QtY), max(c, 0.0)
