r"""The empirical neural tangent kernel of MLP ensembles via ``torch.func``.

For one network :math:`f_\theta` the empirical NTK on inputs :math:`x, x'` is

.. math:: \hat\Theta(x, x') = \sum_p \frac{\partial f_\theta(x)}{\partial\theta_p}
          \frac{\partial f_\theta(x')}{\partial\theta_p},

computed here from the Jacobian (``torch.func.jacrev``) of a single member, ``vmap``-ed
over the stacked ensemble (members in chunks to bound memory).  With the NTK
parameterisation it converges to the deterministic analytic NTK as the widths grow, with
fluctuations of order :math:`n^{-1/2}` (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572;
Hanin & Nica 2020, arXiv:1909.05989).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.func import jacrev, vmap

from numerics.training import MLPSpec

__all__ = ["empirical_ntk", "ensemble_ntk"]


def empirical_ntk(spec: MLPSpec, params: Sequence[torch.Tensor], X1: torch.Tensor, X2: torch.Tensor | None = None,
                  *, member_chunk: int = 16) -> torch.Tensor:
    r"""Empirical NTK of every ensemble member, shape ``(E, N1, N2)``.

    Parameters
    ----------
    spec, params
        Architecture and stacked parameters (``spec.init``); the leading dimension is the member.
    X1, X2
        Inputs ``(N1, d)`` and ``(N2, d)`` (``X2`` defaults to ``X1``).
    member_chunk
        Members whose Jacobians are held at once (memory ``member_chunk * (N1 + N2) * P``).
    """
    same = X2 is None
    if X2 is None:
        X2 = X1
    for name, X in (("X1", X1), ("X2", X2)):
        if X.ndim != 2 or X.shape[1] != spec.in_dim:
            raise ValueError(f"{name} must have shape (N, {spec.in_dim}), got {tuple(X.shape)}")
        if not torch.isfinite(X).all():
            raise ValueError(f"{name} contains non-finite values")
    if isinstance(member_chunk, bool) or not isinstance(member_chunk, (int, np.integer)) or member_chunk < 1:
        raise ValueError(f"member_chunk must be an int >= 1, got {member_chunk!r}")

    def single(ps: tuple[torch.Tensor, ...], X: torch.Tensor) -> torch.Tensor:
        return spec.apply([p.unsqueeze(0) for p in ps], X)[0]

    def ntk_one(ps: tuple[torch.Tensor, ...]) -> torch.Tensor:
        j1 = jacrev(single)(ps, X1)
        j2 = j1 if same else jacrev(single)(ps, X2)
        return sum(a.reshape(a.shape[0], -1) @ b.reshape(b.shape[0], -1).T for a, b in zip(j1, j2))

    E = params[0].shape[0]
    out = []
    for a in range(0, E, int(member_chunk)):
        chunk = tuple(p.detach()[a:a + member_chunk] for p in params)
        out.append(vmap(ntk_one)(chunk))
    return torch.cat(out, dim=0)


def ensemble_ntk(spec: MLPSpec, X: np.ndarray | torch.Tensor, *, members: int, seed: int, member_chunk: int = 16,
                 device: str | torch.device = "cpu", dtype: torch.dtype = torch.float64) -> np.ndarray:
    """Empirical NTKs at initialisation of ``members`` fresh networks, shape ``(E, N, N)`` (numpy)."""
    Xt = torch.as_tensor(np.asarray(X) if not isinstance(X, torch.Tensor) else X).to(device=device, dtype=dtype)
    params = spec.init(members, seed=seed, device=device, dtype=dtype)
    return empirical_ntk(spec, params, Xt, member_chunk=member_chunk).cpu().numpy()
