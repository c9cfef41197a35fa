r"""Training to a minimum :math:`w^*` of the empirical loss (several restarts batched).

Private module; the public name is re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import copy
from typing import Callable, Sequence

import torch
from torch.func import functional_call, vmap

from numerics import validate as v
from numerics.singular_learning._torch import data_pair, loss_function, module

__all__ = ["train_to_minimum"]


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
    r"""Full-batch Adam to a minimum of :math:`L_n(w) = \mathrm{loss\_fn}(f(X; w), Y)`; restarts run batched.

    Adam (Kingma & Ba, ICLR 2015) with :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`,
    :math:`\epsilon = 10^{-12}`:
    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t`, :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)g_t^2`,
    :math:`w_t = w_{t-1} - \eta\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)`.  Restart ``k`` starts
    from the model's parameters plus ``init_scale`` times Gaussian noise; all restarts are one
    ``vmap``-ed program and the one with the lowest final loss is returned.

    Parameters
    ----------
    model
        The model; it is not modified (a trained deep copy is returned).
    loss_fn
        ``loss_fn(pred, y)``, the mean loss.
    data
        ``(X, Y)``.
    steps
        Adam steps (>= 1).
    lr
        Learning rate :math:`\eta > 0`.
    restarts
        Number of batched restarts (>= 1).
    init_scale
        Perturbation of each restart's start (>= 0).
    seed
        Seed of the perturbations.

    Returns
    -------
    (model, loss)
        The best restart as a new model and its final loss.

    Raises
    ------
    TypeError, ValueError
        Invalid arguments.
    FloatingPointError
        Every restart ended at a non-finite loss.
    """
    model = module(model)
    loss_fn = loss_function(loss_fn)
    X, Y = data_pair(data)
    steps = v.integer(steps, "steps", minimum=1)
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    restarts = v.integer(restarts, "restarts", minimum=1)
    init_scale = v.real(init_scale, "init_scale", minimum=0.0)
    names = [n for n, _ in model.named_parameters()]
    base = {n: p.detach() for n, p in model.named_parameters()}
    bufs = dict(model.named_buffers())
    g = torch.Generator().manual_seed(v.seed(seed))
    P = {n: (p.expand(restarts, *p.shape) + init_scale * torch.randn(restarts, *p.shape, generator=g, dtype=p.dtype).to(p.device)).clone()
         for n, p in base.items()}

    def f(params: dict[str, torch.Tensor]) -> torch.Tensor:
        return loss_fn(functional_call(model, {**params, **bufs}, (X,)), Y)

    fv = vmap(f)

    def gv(P: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        # batched forward, one reverse pass of the summed loss: restarts are independent
        with torch.enable_grad():
            Pg = {k: t.detach().requires_grad_(True) for k, t in P.items()}
            L = fv(Pg)
            gs = torch.autograd.grad(L.sum(), [Pg[k] for k in names])
        return dict(zip(names, gs)), L.detach()

    m = {n: torch.zeros_like(t) for n, t in P.items()}
    v2 = {n: torch.zeros_like(t) for n, t in P.items()}
    b1, b2, eps = 0.9, 0.999, 1e-12
    for t in range(1, steps + 1):
        gr, _ = gv(P)
        for n in names:
            m[n] = b1 * m[n] + (1 - b1) * gr[n]
            v2[n] = b2 * v2[n] + (1 - b2) * gr[n] ** 2
            P[n] = P[n] - lr * (m[n] / (1 - b1**t)) / ((v2[n] / (1 - b2**t)).sqrt() + eps)
    _, L = gv(P)
    if not torch.isfinite(L).any():
        raise FloatingPointError(f"every restart ended at a non-finite loss (lr={lr} too large?)")
    k = int(torch.argmin(torch.where(torch.isfinite(L), L, torch.inf)))
    out = copy.deepcopy(model)
    with torch.no_grad():
        for n, p in out.named_parameters():
            p.copy_(P[n][k])
    return out, float(L[k])
