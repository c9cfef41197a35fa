r"""The largest Hessian eigenvalue of the empirical loss, by power iteration on Hessian-vector products.

Private module; the public name is re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from numerics import validate as v
from numerics.singular_learning._objective import check_scalar_loss, make_problem

__all__ = ["hessian_max_eigenvalue"]


def hessian_max_eigenvalue(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    data: Sequence[torch.Tensor],
    *,
    iters: int = 30,
    max_rows: int = 2048,
    seed: int = 0,
    device: Any = None,
    dtype: Any = None,
    loss_form: str = "auto",
    parameters: Any = None,
) -> float:
    r"""Largest absolute Hessian eigenvalue :math:`h_{\max}` of :math:`L_n` at the model's parameters.

    Power iteration :math:`v \leftarrow Hv/\lVert Hv\rVert`, :math:`h = v^\top H v`, on exact
    Hessian-vector products (double backward), on at most ``max_rows`` rows of the data (a
    random subset drawn with ``seed`` when there are more).  It
    sets the SGLD step size through the quadratic stability law
    :math:`\epsilon A_{\max} < 4`, :math:`A_{\max} = n\beta h_{\max} + \gamma`, and the step-size
    bias :math:`\tfrac{\epsilon A_{\max}/4}{1 - \epsilon A_{\max}/4}`.

    Parameters
    ----------
    model, loss_fn, data, loss_form, parameters
        As in :func:`~numerics.singular_learning.estimate_llc` (the model is not modified).
    iters
        Power iterations (>= 1).
    max_rows
        Rows of data used (>= 1).
    seed
        Seed of the start vector.
    device, dtype
        Where and in which floating type to compute (default: the model's).

    Returns
    -------
    float
        :math:`|h_{\max}|` (0 when the Hessian vanishes).

    References
    ----------
    Golub & Van Loan, *Matrix Computations* (4th ed.), sec. 8.2 (power method);
    B. A. Pearlmutter, Neural Computation 6 (1994) 147 (Hessian-vector products).
    """
    iters = v.integer(iters, "iters", minimum=1)
    max_rows = v.integer(max_rows, "max_rows", minimum=1)
    seed = v.seed(seed)
    prob = make_problem(model, loss_fn, data, loss_form=loss_form, parameters=parameters, device=device, dtype=dtype)
    w0, n = prob.w0, prob.data.n
    check_scalar_loss(prob, min(n, max_rows))
    g = torch.Generator(device=w0.device).manual_seed(seed)
    rows = torch.arange(n, device=w0.device) if n <= max_rows else torch.randperm(n, generator=g, device=w0.device)[:max_rows]
    batch = prob.data.take(rows)
    vec = torch.randn(w0.shape, generator=g, device=w0.device, dtype=w0.dtype)
    vec = vec / vec.norm()
    lam = 0.0
    with torch.enable_grad():
        wg = w0.detach().requires_grad_(True)
        (gw,) = torch.autograd.grad(prob.loss(wg, batch), wg, create_graph=True, allow_unused=True)
        if gw is None or not gw.requires_grad:  # the gradient does not depend on w: the Hessian is zero
            return 0.0
        for _ in range(iters):
            (hv,) = torch.autograd.grad(gw, wg, grad_outputs=vec, retain_graph=True)
            lam = float(torch.dot(vec, hv))
            nrm = hv.norm()
            if not torch.isfinite(nrm) or nrm == 0:
                break
            vec = hv.detach() / nrm
    return abs(lam)
