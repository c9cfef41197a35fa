r"""Recognised models and losses: hand-written batched gradients, and the exact data compression.

The generic route (``vmap`` over ``functional_call`` and autograd,
:func:`~numerics.singular_learning._objective.generic_grads`) works for any module; what can be
recognised takes a faster route with the same mathematics (tested equal to the generic one):

* a model with ``forward_stacked_vjp`` (:class:`~numerics.singular_learning.DeepLinearNetwork`,
  :class:`~numerics.singular_learning.NormalCrossingModel`), or a ``torch.nn.Sequential`` of
  bias-free ``nn.Linear`` layers (a deep linear network: the same stacked pullback);
* a ``torch.nn.Sequential`` of ``nn.Linear`` layers (with or without bias) and ``Tanh``, ``ReLU``,
  ``Sigmoid`` or ``Identity`` activations (:class:`StackedMLP`: forward and pullback by hand, one
  ``bmm`` per layer and direction for every chain at once);
* with the losses :func:`~numerics.singular_learning.mse`, ``nn.MSELoss()`` /
  ``torch.nn.functional.mse_loss`` (mean over every element) and ``nn.CrossEntropyLoss()`` (class
  indices, mean), whose gradients in the outputs are :math:`2r/m` and
  :math:`(\mathrm{softmax}(z) - e_y)/m`.

For a model linear in its input (the deep linear networks above) under a mean squared loss
the data compress exactly to ``input`` rows (:func:`~numerics.singular_learning.compress_linear_data`:
the loss changes by a constant only), so every step is a full-batch step on ``p`` rows -- exact
gradients, cheaper than a minibatch of the original rows.

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from numerics.singular_learning._objective import Problem

__all__ = ["StackedMLP", "fast_route"]

_ACTS = {torch.nn.Tanh: "tanh", torch.nn.ReLU: "relu", torch.nn.Sigmoid: "sigmoid", torch.nn.Identity: "identity"}


def _act(kind: str, h: torch.Tensor) -> torch.Tensor:
    if kind == "tanh":
        return torch.tanh(h)
    if kind == "relu":
        return torch.relu(h)
    if kind == "sigmoid":
        return torch.sigmoid(h)
    return h


def _act_grad_(kind: str, g: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``g * act'(pre)`` from the activation's output ``y``."""
    if kind == "tanh":
        return g * (1 - y * y)
    if kind == "relu":
        return g * (y > 0)
    if kind == "sigmoid":
        return g * (y * (1 - y))
    return g


class StackedMLP:
    r"""Batched forward and pullback of a ``Sequential`` of ``Linear`` layers and elementwise activations.

    Parameters are the flat vector in ``named_parameters`` order (each layer's weight ``(out, in)``
    then its bias).  Activations are kept feature-major, ``(C, features, B)``, so a layer is one
    ``baddbmm``.  The pullback is reverse-mode by hand: :math:`\partial L/\partial W_k = g_k h_{k-1}^\top`,
    :math:`\partial L/\partial b_k = \sum_b g_k`, :math:`g_{k-1} = \sigma'(\cdot) \odot W_k^\top g_k`
    (Griewank & Walther, *Evaluating Derivatives*, 2008, ch. 3).
    """

    def __init__(self, layers: list[tuple[Any, ...]]) -> None:
        self.layers = layers  # ("linear", in, out, bias) or ("act", kind)
        self.sizes: list[int] = []
        for lay in layers:
            if lay[0] == "linear":
                self.sizes.append(lay[1] * lay[2])
                if lay[3]:
                    self.sizes.append(lay[2])

    @staticmethod
    def recognise(model: torch.nn.Module) -> "StackedMLP | None":
        if type(model) is not torch.nn.Sequential or len(model) == 0:
            return None
        layers: list[tuple[Any, ...]] = []
        for m in model:
            if type(m) is torch.nn.Linear:
                layers.append(("linear", m.in_features, m.out_features, m.bias is not None))
            elif type(m) in _ACTS:
                layers.append(("act", _ACTS[type(m)]))
            else:
                return None
        return StackedMLP(layers) if any(lay[0] == "linear" for lay in layers) else None

    @property
    def linear_in_input(self) -> bool:
        """No bias and no non-identity activation: :math:`f(x) = A(w)x`."""
        return all((lay[0] == "linear" and not lay[3]) or (lay[0] == "act" and lay[1] == "identity") for lay in self.layers)

    def _split(self, w: torch.Tensor) -> list[torch.Tensor]:
        return list(torch.split(w, self.sizes, dim=1))

    def forward_stacked_vjp(self, w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
        C = w.shape[0]
        parts = self._split(w)
        x3 = x if x.dim() == 3 else x.expand(C, *x.shape)
        h = x3.transpose(1, 2)
        tape: list[tuple[Any, ...]] = []
        j = 0
        for lay in self.layers:
            if lay[0] == "linear":
                W = parts[j].view(C, lay[2], lay[1])
                b = parts[j + 1] if lay[3] else None
                j += 2 if lay[3] else 1
                tape.append(("linear", W, h, b is not None))
                h = torch.baddbmm(b.unsqueeze(2), W, h) if b is not None else torch.bmm(W, h)
            else:
                h = _act(lay[1], h)
                tape.append(("act", lay[1], h))

        def pullback(g: torch.Tensor) -> torch.Tensor:
            g = g.transpose(1, 2)
            grads: list[torch.Tensor] = []
            for k in range(len(tape) - 1, -1, -1):
                t = tape[k]
                if t[0] == "act":
                    g = _act_grad_(t[1], g, t[2])
                    continue
                W, hin, has_b = t[1], t[2], t[3]
                if has_b:
                    grads.append(g.sum(2))
                grads.append(torch.bmm(g, hin.transpose(1, 2)).reshape(C, -1))
                if k > 0:
                    g = torch.bmm(W.transpose(1, 2), g)
            return torch.cat(grads[::-1], 1)

        return h.transpose(1, 2), pullback


def _mse_elements_vg(pred: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-chain mean over every element of :math:`r^2` (``nn.MSELoss()``) and :math:`\\partial/\\partial\\,\\mathrm{pred} = 2r/m`."""
    r = pred - y
    m = math.prod(r.shape[1:])
    return (r * r).flatten(1).sum(1).mul_(1.0 / m), r.mul_(2.0 / m)


def _cross_entropy_vg(pred: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-chain mean cross-entropy of logits ``(C, B, K)`` and class indices ``(C, B)``; gradient :math:`(\mathrm{softmax} - e_y)/B`."""
    B = pred.shape[1]
    lse = torch.logsumexp(pred, -1)
    L = (lse - pred.gather(-1, y.unsqueeze(-1)).squeeze(-1)).mean(1)
    g = torch.softmax(pred, -1)
    g.scatter_add_(-1, y.unsqueeze(-1), torch.full_like(g[..., :1], -1.0))
    return L, g.mul_(1.0 / B)


def _loss_vg(loss_fn: Any, y: torch.Tensor) -> tuple[Callable[..., Any] | None, bool]:
    """``(batched value-and-grad, is a mean squared loss)`` of a recognised loss, else ``(None, False)``."""
    vg = getattr(loss_fn, "batched_value_and_grad", None)
    if callable(vg):
        return vg, getattr(loss_fn, "__name__", "") == "mse"
    if loss_fn is torch.nn.functional.mse_loss or (type(loss_fn) is torch.nn.MSELoss and loss_fn.reduction == "mean"):
        return _mse_elements_vg, y.is_floating_point()
    if (type(loss_fn) is torch.nn.CrossEntropyLoss and loss_fn.reduction == "mean" and loss_fn.weight is None
            and loss_fn.label_smoothing == 0.0 and y.dim() == 1 and not y.is_floating_point()
            and not bool((y == loss_fn.ignore_index).any())):
        return _cross_entropy_vg, False
    return None, False


def _stacked_model(model: torch.nn.Module) -> tuple[Any, str, bool] | None:
    """``(object with forward_stacked_vjp, route name, linear in the input)`` or ``None``."""
    if callable(getattr(model, "forward_stacked_vjp", None)):
        return model, "hand-written pullback", type(model).__name__ == "DeepLinearNetwork"
    mlp = StackedMLP.recognise(model)
    if mlp is None:
        return None
    if mlp.linear_in_input:
        from numerics.singular_learning._models import DeepLinearNetwork

        lin = [lay for lay in mlp.layers if lay[0] == "linear"]
        widths = [lin[0][1]] + [lay[2] for lay in lin]
        return DeepLinearNetwork(widths, init_scale=0.0), "deep linear network (Sequential of bias-free Linear), hand-written pullback", True
    return mlp, "Sequential MLP, hand-written batched pullback", False


def fast_route(prob: Problem, chains: int, batch: int, compress: bool) -> tuple[Callable[..., Any], str, Problem | None, float] | None:
    """A recognised route for ``prob``: ``(grads, name, compressed problem or None, loss offset)``, or ``None``.

    ``grads(w, idx)`` has the signature of :func:`~numerics.singular_learning._objective.generic_grads`.
    The compressed problem (when the data were compressed) replaces ``prob``'s data by ``p`` rows;
    its losses are the original ones minus ``offset``.
    """
    f = prob.data
    if prob.form != "outputs" or prob.subset or prob.has_buffers or len(f.fields) != 2:
        return None
    X, Y = f.fields
    if not X.is_floating_point():
        return None
    rec = _stacked_model(prob.model)
    if rec is None:
        return None
    stacked, name, linear = rec
    vg, squared = _loss_vg(prob.loss_fn, Y)
    if vg is None:
        return None
    offset, out = 0.0, None
    if compress and linear and squared and X.dim() == 2 and Y.dim() == 2 and f.n > X.shape[1]:
        from numerics.singular_learning._batches import Fields
        from numerics.singular_learning._data import compress_linear_data

        (Xc, Yc), _ = compress_linear_data((X, Y))
        out = Problem(**{**prob.__dict__, "data": Fields((Xc, Yc), "tuple")})
        with torch.no_grad():  # the constant, in the loss's own scale (mse sums outputs, nn.MSELoss averages them)
            offset = float(prob.full_loss(prob.w0) - out.full_loss(prob.w0))
        name += f"; data compressed exactly from {f.n} to {Xc.shape[0]} rows (full batch)"
        X, Y, batch = Xc, Yc, Xc.shape[0]
    n = X.shape[0]
    Yfull = Y.expand(chains, *Y.shape)
    vjp = stacked.forward_stacked_vjp

    def grads(w: torch.Tensor, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        if idx is None or batch >= n:
            xb, yb = X, Yfull
        else:
            xb = X.index_select(0, idx).view(chains, -1, *X.shape[1:])
            yb = Y.index_select(0, idx).view(chains, -1, *Y.shape[1:])
        pred, pullback = vjp(w, xb)
        L, gpred = vg(pred, yb)
        return pullback(gpred), L

    return grads, name, out, offset
