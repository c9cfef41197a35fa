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

from numerics.training import MLPSpec, train_ensemble

__all__ = ["empirical_ntk", "ensemble_ntk", "trained_moments"]


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


def _raw_moments(f: np.ndarray, iu: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.concatenate([f, (f[:, :, None] * f[:, None, :])[:, iu[0], iu[1]]], axis=1)


def trained_moments(
    spec: MLPSpec, X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, *, steps: Sequence[int], lr: float,
    members: int, seed: int, pilot_members: int = 64, member_chunk: int = 65536, dtype: torch.dtype = torch.float64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and covariance of a GD-trained ensemble's outputs on ``X_test``, variance-reduced.

    Control variate (Glasserman, *Monte Carlo Methods in Financial Engineering*, 2003, sec. 4.1):
    each member's trained output :math:`f_t` is paired with its *linearised* prediction from its own
    initial outputs, :math:`g_t = A_tY + M_t f_0`, :math:`M_t = [-A_t,\ I]` acting on
    :math:`f_0 = (f_0(X), f_0(x))`, with
    :math:`A_t = ar\Theta_{xX}ar\Theta_{XX}^{-1}(I - (I - \etaar\Theta_{XX})^t)` built from the mean
    empirical NTK :math:`ar\Theta` of an independent pilot ensemble.  Since :math:`g_t` is linear in
    :math:`f_0`, its first two moments need only :math:`E f_0 = 0` (the last layer's weights are
    zero-mean and independent of the rest) and :math:`\operatorname{Cov} f_0 = E\hat K` with the
    member's last-layer kernel :math:`\hat K` at initialisation (law of total covariance; exact at any
    width).  Per member the raw moments are estimated by

    .. math:: Z = u(f_t) - u(g_t) + ig(A_tY,\ (A_tY)(A_tY)^	op + M_t\hat K M_t^	opig),
              \qquad u(f) = (f, f f^	op),

    whose mean is exactly :math:`E\,u(f_t)` for any fixed :math:`A_t`, and whose variance is
    :math:`O(1/n)` (both the linearisation error and :math:`\hat K` fluctuate like :math:`n^{-1/2}`),
    so the noise shrinks with the width.  ``dtype`` is the training precision (the pilot NTK is
    always float64; float32 rounding, ~1e-7 relative, is far below the resolved deviations).

    Returns
    -------
    (components, covariance)
        ``components`` concatenates, for each step, the test means and the upper triangle of the
        test covariance; ``covariance`` is their joint sampling covariance (delta method).
    """
    X = np.asarray(X_train, dtype=float)
    Y = np.asarray(Y_train, dtype=float)
    Xt = np.asarray(X_test, dtype=float)
    Xall = np.concatenate([X, Xt])
    N, M = X.shape[0], Xt.shape[0]
    steps = [int(s) for s in steps]
    if not steps or min(steps) < 1:
        raise ValueError(f"steps must be a non-empty sequence of ints >= 1, got {steps}")
    if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 3:
        raise ValueError(f"members must be an int >= 3, got {members!r}")
    ss = np.random.SeedSequence(int(seed)).generate_state(2)
    th = ensemble_ntk(spec, Xall, members=int(pilot_members), seed=int(ss[0]), dtype=torch.float64).mean(0)
    w, V = np.linalg.eigh(0.5 * (th[:N, :N] + th[:N, :N].T))
    if np.any(w <= 0):
        raise ValueError("pilot mean NTK on X_train is not positive definite (duplicate inputs?)")
    A = [th[N:, :N] @ (V * ((1.0 - (1.0 - lr * w) ** s) / w)) @ V.T for s in steps]
    r = train_ensemble(spec, X, Y, members=members, steps=max(steps), lr=lr, seed=int(ss[1]) % (2**31),
                       X_eval=Xall, record_steps=[0, *steps], member_chunk=member_chunk, dtype=dtype,
                       record_init_kernel=True)
    iu = np.triu_indices(M)
    f0, K0 = r.outputs[0], r.init_kernel
    Z = []
    for j, At in enumerate(A):
        m = At @ Y
        Mt = np.concatenate([-At, np.eye(M)], axis=1)
        g = m + f0 @ Mt.T
        second = m[:, None] * m[None, :] + np.einsum("ia,eab,jb->eij", Mt, K0, Mt)
        Z.append(_raw_moments(r.outputs[j + 1][:, N:], iu) - _raw_moments(g, iu)
                 + np.concatenate([np.broadcast_to(m, (members, M)), second[:, iu[0], iu[1]]], axis=1))
    Zm = np.concatenate(Z, axis=1)
    R = Zm.mean(0)
    covR = np.cov(Zm.T) / Zm.shape[0]
    # raw moments -> (mean, covariance) per step, with the Jacobian of C_ij = R2_ij - m_i m_j
    k = M + iu[0].size
    out = R.copy()
    Jac = np.eye(R.size)
    for j in range(len(steps)):
        o = j * k
        m = R[o:o + M]
        out[o + M:o + k] = R[o + M:o + k] - m[iu[0]] * m[iu[1]]
        for c, (a, b) in enumerate(zip(*iu)):
            Jac[o + M + c, o + a] -= m[b]
            Jac[o + M + c, o + b] -= m[a]
    return out, Jac @ covR @ Jac.T
