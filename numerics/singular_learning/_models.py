r"""Models of singular learning theory and their mean squared loss.

* :func:`mse` -- the mean squared loss :math:`L_n`, with a per-chain batched form and a
  hand-written gradient for the sampler's fast path;
* :class:`DeepLinearNetwork` -- bias-free :math:`x \mapsto W_L \cdots W_1 x`, with a batched
  forward over stacked parameter vectors and its hand-written pullback;
* :class:`NormalCrossingModel` -- :math:`f(x; w) = x\prod_j w_j^{k_j}`, whose squared loss on
  standardised data is exactly :math:`K(w) = \prod_j w_j^{2k_j}`;
* :class:`QuadraticModel` -- linear regression, whose loss is exactly quadratic.

Private module; the public names are re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import torch

from numerics import validate as v
from numerics.singular_learning._torch import float_dtype

__all__ = ["mse", "DeepLinearNetwork", "NormalCrossingModel", "QuadraticModel"]


def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean squared error, summed over outputs and averaged over rows.

    .. math:: L_n = \frac1n\sum_{i=1}^n \lVert f(x_i) - y_i\rVert^2 .

    Parameters
    ----------
    pred, y
        Tensors of the same shape ``(n, outputs)``.

    Returns
    -------
    torch.Tensor
        The scalar :math:`L_n`.

    Raises
    ------
    TypeError
        ``pred`` or ``y`` is not a tensor.
    ValueError
        Their shapes differ (no silent broadcasting).

    Notes
    -----
    ``mse.batched(pred, y)`` is the same loss for stacked predictions ``(C, B, ...)`` of
    ``C`` chains (returns ``(C,)``), and ``mse.batched_value_and_grad(pred, y)`` returns it with
    :math:`\partial L_c/\partial\,\mathrm{pred} = 2 r_c/m` (:math:`r = \mathrm{pred} - y`,
    ``m`` rows per chain), which the sampler uses with a model's hand-written pullback.

    References
    ----------
    Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), sec. 1.1 (empirical loss).
    """
    if not isinstance(pred, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"mse: pred and y must be tensors; got {v.describe(pred)} and {v.describe(y)}")
    if pred.shape != y.shape:
        raise ValueError(f"mse: pred and y must have the same shape; got {tuple(pred.shape)} and {tuple(y.shape)}")
    return ((pred - y) ** 2).sum(-1).mean()


def _mse_batched(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-chain :func:`mse` of stacked predictions ``(C, B, ...)`` -> ``(C,)`` (no vmap needed)."""
    return ((pred - y) ** 2).sum(-1).flatten(1).mean(1)


_REDUCE_DIMS = {k: tuple(range(1, k)) for k in range(2, 16)}


def _mse_batched_value_and_grad(pred: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-chain :func:`mse` and its gradient in ``pred`` (consumes ``pred``'s storage for the gradient)."""
    r = pred - y
    m = math.prod(r.shape[1:-1])
    L = (r * r).sum(_REDUCE_DIMS[r.dim()]).mul_(1.0 / m)
    return L, r.mul_(2.0 / m)


# the sampler uses a loss's ``batched`` form when it has one, and ``batched_value_and_grad``
# (no autograd) together with a model's ``forward_stacked_vjp``
mse.batched = _mse_batched  # type: ignore[attr-defined]
mse.batched_value_and_grad = _mse_batched_value_and_grad  # type: ignore[attr-defined]


def check_widths(widths: Any, name: str = "widths") -> tuple[int, ...]:
    """``(input, hidden..., output)``: at least two integers >= 1."""
    return v.integers(widths, name, minimum=1, min_length=2)


class DeepLinearNetwork(torch.nn.Module):
    r"""Bias-free deep linear network :math:`f(x) = W_L\cdots W_1 x`.

    Parameters
    ----------
    widths
        ``(H_1, ..., H_{L+1})`` = ``(input, hidden..., output)``, each >= 1; weight ``W_i``
        has shape ``(H_{i+1}, H_i)``.
    init_scale
        Standard deviation of the iid Gaussian initial weights (>= 0).
    seed
        Seed of the initial weights.
    device, dtype
        Where and in which floating type the weights live (default ``float64``).

    Raises
    ------
    TypeError, ValueError
        Invalid widths, scale, seed or dtype.

    Notes
    -----
    :meth:`forward_stacked` evaluates ``C`` parameter vectors at once and
    :meth:`forward_stacked_vjp` adds the hand-written pullback: the fast path of
    :func:`numerics.singular_learning.sample_local_posterior`.

    References
    ----------
    M. Aoyagi, Neural Networks 172 (2024) 106132 (the model and its learning coefficient).
    """

    def __init__(self, widths: Sequence[int], *, init_scale: float = 0.1, seed: int = 0,
                 device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        self.widths = list(check_widths(widths))
        init_scale = v.real(init_scale, "init_scale", minimum=0.0)
        g = torch.Generator().manual_seed(v.seed(seed))
        dt = float_dtype(dtype, "dtype")
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter((init_scale * torch.randn(b, a, generator=g, dtype=dt)).to(device))
            for a, b in zip(self.widths[:-1], self.widths[1:])
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`x W_1^\\top \\cdots W_L^\\top` for rows ``x`` of shape ``(n, input)``.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, shape ``(n, input)`` (any leading dimensions), in the weights' dtype and device.

        Returns
        -------
        torch.Tensor
            The outputs, shape ``(n, output)`` (``x``'s leading dimensions kept).
        """
        for W in self.weights:
            x = x @ W.T
        return x

    def _stacked_weights(self, w: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per-layer ``(C, out, in)`` views of ``w`` and their transposes.

        The sampler updates its ``(C, d)`` state in place, so the views of the last state seen
        stay valid: they are cached (one slot, keyed by identity, storage, shape and stride;
        never for tensors that require grad, whose views would hold a graph).
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
        """Batched forward for ``C`` parameter vectors at once.

        ``w``: ``(C, d)`` flattened parameters in ``named_parameters`` order; ``x``: ``(C, B, input)``
        (or ``(B, input)``, shared).  Returns ``(C, B, output)``.  Activations are kept
        feature-major, ``(C, features, B)``, so each layer is ``bmm(W, h)`` with the batch as the
        long dimension (4-5x faster on CPU for small widths than ``bmm(h, W^T)``).

        Parameters
        ----------
        w : torch.Tensor
            Shape ``(C, d)``: ``C`` flattened parameter vectors, ``W_1, ..., W_L`` each row-major, in
            ``named_parameters`` order (``d`` the number of weights).
        x : torch.Tensor
            Inputs, shape ``(C, B, input)`` (one batch per vector) or ``(B, input)`` (shared).

        Returns
        -------
        torch.Tensor
            Shape ``(C, B, output)``: the outputs of each parameter vector.
        """
        h = (x if x.dim() == 3 else x.expand(w.shape[0], *x.shape)).transpose(1, 2)
        for W in self._stacked_weights(w)[0]:
            h = torch.bmm(W, h)
        return h.transpose(1, 2)

    def forward_stacked_vjp(self, w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
        r""":meth:`forward_stacked` and its pullback, by hand (no autograd).

        Returns ``(pred, pullback)``; ``pullback(g)`` maps :math:`g = \partial L/\partial\,\mathrm{pred}`
        ``(C, B, output)`` to :math:`\partial L/\partial w` ``(C, d)``.  With :math:`h_0 = x^\top`,
        :math:`h_k = W_k h_{k-1}` and :math:`g_L = g^\top`: :math:`\partial L/\partial W_k = g_k h_{k-1}^\top`,
        :math:`g_{k-1} = W_k^\top g_k` (the reverse-mode chain rule; Griewank & Walther,
        *Evaluating Derivatives*, 2008, ch. 3).  ``2L - 1`` bmm calls and one cat.

        Parameters
        ----------
        w : torch.Tensor
            Shape ``(C, d)``: ``C`` flattened parameter vectors, as for :meth:`forward_stacked`.
        x : torch.Tensor
            Inputs, shape ``(C, B, input)`` or ``(B, input)`` (shared).

        Returns
        -------
        pred : torch.Tensor
            Shape ``(C, B, output)``, as :meth:`forward_stacked` returns it.
        pullback : callable
            ``pullback(g)`` with ``g`` :math:`= \partial L/\partial\,\mathrm{pred}`, shape ``(C, B, output)``,
            returns :math:`\partial L/\partial w`, shape ``(C, d)`` (a new tensor).
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
    r"""The normal-crossing model :math:`f(x; w) = x\prod_j w_j^{k_j}`, parameters at :math:`w = 0`.

    With targets ``y = 0`` and standardised inputs (:math:`\frac1n\sum_i x_i^2 = 1`, see
    :func:`numerics.singular_learning.normal_crossing_data`) its :func:`mse` loss is exactly
    :math:`K(w) = \prod_j w_j^{2k_j}`.

    Parameters
    ----------
    powers
        The exponents :math:`k_j \ge 0` (integers), at least one positive.
    device, dtype
        Where and in which floating type the parameters live.

    Raises
    ------
    TypeError, ValueError
        Invalid powers or dtype.

    References
    ----------
    Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), sec. 2.4.
    """

    def __init__(self, powers: Sequence[int], *, device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        ks = v.integers(powers, "powers", minimum=0)
        if max(ks) == 0:
            raise ValueError(f"powers must contain at least one positive exponent; got {list(ks)}")
        dt = float_dtype(dtype, "dtype")
        self.exponents = ks
        # a plain attribute, not a buffer: the model has parameters only, so the sampler's
        # hand-written batched path applies
        self._k = torch.tensor(ks, dtype=dt, device=device)
        self.w = torch.nn.Parameter(torch.zeros(len(ks), dtype=dt, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r""":math:`x \prod_j w_j^{k_j}`.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, any shape (``(n, 1)`` for :func:`mse` against targets ``(n, 1)``).

        Returns
        -------
        torch.Tensor
            ``x`` times the monomial :math:`\prod_j w_j^{k_j}`, same shape as ``x``.
        """
        return x * torch.prod(self.w ** self._k.to(self.w.device))

    def _monomials(self, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        r"""For ``C`` parameter vectors ``(C, d)``: :math:`P = \prod_j w_j^{k_j}` ``(C,)`` and
        :math:`\partial P/\partial w_j = k_j w_j^{k_j - 1}\prod_{i \ne j} w_i^{k_i}` ``(C, d)`` (no division by :math:`w_j`)."""
        ks = self.exponents
        pw = [w[:, j] ** k if k else torch.ones_like(w[:, j]) for j, k in enumerate(ks)]
        P = torch.stack(pw, 1).prod(1)
        cols = []
        for j, k in enumerate(ks):
            others = [pw[i] for i in range(len(ks)) if i != j]
            rest = torch.stack(others, 1).prod(1) if others else torch.ones_like(P)
            cols.append(k * w[:, j] ** (k - 1) * rest if k else torch.zeros_like(P))
        return P, torch.stack(cols, 1)

    def forward_stacked(self, w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Batched forward for ``C`` parameter vectors at once.

        Parameters
        ----------
        w : torch.Tensor
            Shape ``(C, d)``: ``C`` parameter vectors :math:`(w_1, \\dots, w_d)`, ``d = len(powers)``.
        x : torch.Tensor
            Inputs, shape ``(C, B, 1)`` (one batch per vector) or ``(B, 1)`` (shared).

        Returns
        -------
        torch.Tensor
            Shape ``(C, B, 1)`` (``(B, 1)`` inputs broadcast): each vector's outputs.
        """
        return x * self._monomials(w)[0][:, None, None]

    def forward_stacked_vjp(self, w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
        r""":meth:`forward_stacked` and its pullback by hand: :math:`\partial L/\partial w_j = (\sum_b g_b x_b)\,\partial P/\partial w_j`.

        Parameters
        ----------
        w : torch.Tensor
            Shape ``(C, d)``: ``C`` parameter vectors, as for :meth:`forward_stacked`.
        x : torch.Tensor
            Inputs, shape ``(C, B, 1)`` or ``(B, 1)`` (shared).

        Returns
        -------
        pred : torch.Tensor
            Shape ``(C, B, 1)``, as :meth:`forward_stacked` returns it.
        pullback : callable
            ``pullback(g)`` with ``g`` :math:`= \partial L/\partial\,\mathrm{pred}`, shape ``(C, B, 1)``, returns
            :math:`\partial L/\partial w`, shape ``(C, d)``.
        """
        P, dP = self._monomials(w)
        x3 = x if x.dim() == 3 else x.expand(w.shape[0], *x.shape)

        def pullback(g: torch.Tensor) -> torch.Tensor:
            return (g * x3).sum((1, 2))[:, None] * dP

        return x3 * P[:, None, None], pullback


class QuadraticModel(torch.nn.Module):
    r"""Linear regression :math:`f(x; w) = x^\top w` (one output), parameters at :math:`w = 0`.

    Its :func:`mse` loss is exactly quadratic, :math:`L_n(w) = \tfrac12 w^\top H w + \dots` with
    :math:`H = 2X^\top X/n` (with :func:`numerics.singular_learning.quadratic_data` the curvatures are
    chosen).

    Parameters
    ----------
    dim
        Number of parameters (>= 1).
    device, dtype
        Where and in which floating type the parameters live.

    References
    ----------
    Welling & Teh, ICML 2011 (SGLD on a Gaussian posterior).
    """

    def __init__(self, dim: int, *, device: Any = None, dtype: Any = torch.float64) -> None:
        super().__init__()
        d = v.integer(dim, "dim", minimum=1)
        self.w = torch.nn.Parameter(torch.zeros(d, 1, dtype=float_dtype(dtype, "dtype"), device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`x w`.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, shape ``(n, dim)``, in the parameters' dtype and device.

        Returns
        -------
        torch.Tensor
            The predictions, shape ``(n, 1)``.
        """
        return x @ self.w
