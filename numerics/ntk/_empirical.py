r"""The empirical neural tangent kernel of MLP ensembles.

For one network :math:`f_\theta` trained by GD with per-parameter rates :math:`\eta\rho_p`, the
empirical tangent kernel on inputs :math:`x, x'` is

.. math:: \hat\Theta(x, x') = \sum_p \rho_p\, \frac{\partial f_\theta(x)}{\partial\theta_p}
          \frac{\partial f_\theta(x')}{\partial\theta_p},

the kernel of the function-space step :math:`f_{t+1}(x) - f_t(x) = -\eta\sum_i \hat\Theta(x, x_i)(f_t(x_i) - y_i)
+ O(\eta^2)` (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572, eq. 2; Lee et al. 2019,
arXiv:1902.06720, eq. 5).  In the NTK parameterisation every :math:`\rho_p = 1`; in the standard
one :math:`\rho = 1/n_{l-1}` on :math:`W^{(l)}` (the rates of :func:`numerics.ntk.train_ensemble`), so
both converge to the same analytic NTK as the widths grow, with fluctuations of order
:math:`n^{-1/2}` (Hanin & Nica 2020, arXiv:1909.05989; Roberts, Yaida & Hanin 2022, ch. 8).

It is computed for the whole stacked ensemble by one batched backward pass per input set
(``numerics/ntk/_kernel.py``): the weight-gradient inner products factorise into Gram matrices of
the backpropagated errors and of the layer inputs, so no per-parameter Jacobian is formed.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.ntk._kernel import tangent_kernel
from numerics.ntk._spec import MLPSpec, check_device, check_dtype
from numerics.ntk._training import as_tensor

__all__ = ["empirical_ntk", "ensemble_ntk"]


def _check_params(spec: MLPSpec, params: Any) -> list[torch.Tensor]:
    s = spec.layer_sizes
    L = len(s) - 1
    if not isinstance(params, (list, tuple)) or len(params) != 2 * L or \
            not all(isinstance(p, torch.Tensor) for p in params):
        raise TypeError(f"params must be a list of {2 * L} tensors (spec.init); got {v.describe(params)}")
    E = params[0].shape[0]
    for i in range(L):
        W, b = params[2 * i], params[2 * i + 1]
        if tuple(W.shape) != (E, s[i + 1], s[i]) or tuple(b.shape) != (E, s[i + 1]):
            raise ValueError(f"params[{2 * i}], params[{2 * i + 1}] must have shapes (E, {s[i + 1]}, {s[i]}) and "
                             f"(E, {s[i + 1]}); got {tuple(W.shape)} and {tuple(b.shape)}")
    dtypes = {p.dtype for p in params}
    if len(dtypes) != 1:
        raise ValueError(f"params must share one dtype; got {sorted(map(str, dtypes))}")
    check_dtype(params[0].dtype, "params dtype")
    return list(params)


def empirical_ntk(spec: MLPSpec, params: Sequence[torch.Tensor], X1: Any, X2: Any | None = None,
                  *, member_chunk: int = 1024) -> torch.Tensor:
    r"""Empirical tangent kernel :math:`\hat\Theta(x, x')` of every ensemble member, shape ``(E, N1, N2)``.

    See the module docstring for the definition (rate-weighted, Jacot et al. 2018, eq. 2).

    Parameters
    ----------
    spec, params
        Architecture and stacked parameters (``spec.init``); the leading dimension is the member.
        Not modified.
    X1, X2
        Inputs ``(N1, d)`` and ``(N2, d)`` (arrays or tensors; ``X2`` defaults to ``X1``), finite.
    member_chunk
        Members processed at once (bounds memory).

    Returns
    -------
    torch.Tensor
        In the dtype and on the device of ``params``.

    Raises
    ------
    TypeError, ValueError
        A bad argument (named in the message).
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec; got {v.describe(spec)}")
    ps = _check_params(spec, params)
    dtype, device = ps[0].dtype, ps[0].device
    A = as_tensor(X1, "X1", ndim=2, width=spec.in_dim, dtype=dtype, device=device)
    B = A if X2 is None else as_tensor(X2, "X2", ndim=2, width=spec.in_dim, dtype=dtype, device=device)
    member_chunk = v.integer(member_chunk, "member_chunk", minimum=1)
    X = A if X2 is None else torch.cat([A, B])
    n1 = A.shape[0]
    act = spec.torch_activation
    scales, rates = spec.scales(), spec.rate_factors()
    E = ps[0].shape[0]
    out = []
    with torch.no_grad():
        for a in range(0, E, member_chunk):
            K = tangent_kernel([p.detach()[a:a + member_chunk] for p in ps], X, scales, rates, act.fn, act.dfn)
            out.append(K if X2 is None else K[:, :n1, n1:].contiguous())
    return torch.cat(out, dim=0)


def ensemble_ntk(spec: MLPSpec, X: Any, *, members: int, seed: int, member_chunk: int = 1024,
                 device: str | torch.device = "cpu", dtype: torch.dtype = torch.float64) -> np.ndarray:
    r"""Empirical NTKs :math:`\hat\Theta(x_i, x_j)` at initialisation of ``members`` fresh networks.

    The networks are ``spec.init(members, seed=seed)``; the kernel is :func:`empirical_ntk`.  Its
    ensemble mean is the analytic NTK in the NTK parameterisation at any width for one hidden
    layer, and up to :math:`O(1/n)` for deeper networks (Jacot et al. 2018; Hanin & Nica 2020).

    Parameters
    ----------
    spec
        The architecture.
    X
        Inputs ``(N, d)``, finite.
    members, seed
        Ensemble size (>= 1) and seed.
    member_chunk, device, dtype
        Members per batched pass; where and in which precision to compute.

    Returns
    -------
    numpy.ndarray
        Shape ``(members, N, N)``, float64.

    Raises
    ------
    TypeError, ValueError
        A bad argument (named in the message).
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec; got {v.describe(spec)}")
    dtype = check_dtype(dtype)
    device = check_device(device)
    Xt = as_tensor(X, "X", ndim=2, width=spec.in_dim, dtype=dtype, device=device)
    params = spec.init(members, seed=seed, device=device, dtype=dtype)
    return empirical_ntk(spec, params, Xt, member_chunk=member_chunk).cpu().double().numpy()
