r"""Training to a minimum :math:`w^*` of the empirical loss (several restarts batched).

Private module; the public name is re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import copy
from typing import Callable, Sequence

import torch

from numerics import validate as v
from numerics.singular_learning._objective import make_problem
from numerics.singular_learning._target import problem_oracle

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
    batched program (the sampler's gradient oracle: a model's hand-written pullback when it has
    one, else ``vmap`` and one reverse pass) and the one with the lowest final loss is returned.

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
    fp = make_problem(model, loss_fn, data)
    steps = v.integer(steps, "steps", minimum=1)
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    restarts = v.integer(restarts, "restarts", minimum=1)
    init_scale = v.real(init_scale, "init_scale", minimum=0.0)
    g = torch.Generator().manual_seed(v.seed(seed))
    # the restarts' starts, drawn parameter by parameter, flattened to (restarts, d)
    noise = [torch.randn(restarts, *shape, generator=g, dtype=fp.w0.dtype).reshape(restarts, -1) for shape in fp.shapes]
    W = fp.w0.expand(restarts, -1) + init_scale * torch.cat(noise, 1).to(fp.w0.device)
    grads, _, _, _ = problem_oracle(fp, restarts, fp.data.n, model_vjp=True, compress=False)
    m, v2 = torch.zeros_like(W), torch.zeros_like(W)
    b1, b2, eps = 0.9, 0.999, 1e-12
    for t in range(1, steps + 1):
        gr, _ = grads(W, None)
        m = b1 * m + (1 - b1) * gr
        v2 = b2 * v2 + (1 - b2) * gr**2
        W = W - lr * (m / (1 - b1**t)) / ((v2 / (1 - b2**t)).sqrt() + eps)
    _, L = grads(W, None)
    if not torch.isfinite(L).any():
        raise FloatingPointError(f"every restart ended at a non-finite loss (lr={lr} too large?)")
    k = int(torch.argmin(torch.where(torch.isfinite(L), L, torch.inf)))
    out = copy.deepcopy(model)
    best = fp.params(W[k])
    with torch.no_grad():
        for n, p in out.named_parameters():
            if "model." + n in best:
                p.copy_(best["model." + n])
    return out, float(L[k])
