r"""Variance-reduced mean and covariance of GD-trained ensembles (:func:`trained_moments`).

The estimator pairs each member's trained outputs with their linearised prediction from the
member's own initial outputs (a control variate; Glasserman 2003, sec. 4.1), so that its noise
falls like :math:`1/n` with the width n instead of staying :math:`O(1)`.  That is what makes the
:math:`O(1/n)` finite-width deviation of a trained ensemble from the infinite-width NTK prediction
(Lee et al. 2019, arXiv:1902.06720; Roberts, Yaida & Hanin 2022, ch. 10-11) resolvable with
affordable ensembles.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.ntk._empirical import ensemble_ntk
from numerics.ntk._spec import MLPSpec, check_dtype
from numerics.ntk._training import train_ensemble

__all__ = ["trained_moments"]


def _raw_moments(f: np.ndarray, iu: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.concatenate([f, (f[:, :, None] * f[:, None, :])[:, iu[0], iu[1]]], axis=1)


def trained_moments(
    spec: MLPSpec, X_train: Any, Y_train: Any, X_test: Any, *, steps: Sequence[int], lr: float,
    members: int, seed: int, pilot_members: int = 64, member_chunk: int = 65536, dtype: torch.dtype = torch.float64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and covariance of a GD-trained ensemble's outputs on ``X_test``, variance-reduced.

    Control variate (Glasserman, *Monte Carlo Methods in Financial Engineering*, 2003, sec. 4.1):
    each member's trained output :math:`f_t` is paired with its *linearised* prediction from its own
    initial outputs, :math:`g_t = A_tY + M_t f_0`, :math:`M_t = [-A_t,\ I]` acting on
    :math:`f_0 = (f_0(X), f_0(x))`, with
    :math:`A_t = \bar\Theta_{xX}\bar\Theta_{XX}^{-1}(I - (I - \eta\bar\Theta_{XX})^t)` (Lee et al. 2019,
    App. C) built from the mean empirical NTK :math:`\bar\Theta` of an independent pilot ensemble.
    Since :math:`g_t` is linear in :math:`f_0`, its first two moments need only :math:`E f_0 = 0` (the
    last layer's weights are zero-mean and independent of the rest) and
    :math:`\operatorname{Cov} f_0 = E\hat K` with the member's last-layer kernel :math:`\hat K` at
    initialisation (law of total covariance; exact at any width).  Per member the raw moments are
    estimated by

    .. math:: Z = u(f_t) - u(g_t) + \big(A_tY,\ (A_tY)(A_tY)^\top + M_t\hat K M_t^\top\big),
              \qquad u(f) = (f, f f^\top),

    whose mean is exactly :math:`E\,u(f_t)` for any fixed :math:`A_t`, and whose variance is
    :math:`O(1/n)` (both the linearisation error and :math:`\hat K` fluctuate like :math:`n^{-1/2}`),
    so the noise shrinks with the width.  The raw moments are turned into means and covariances with
    the delta method.

    Parameters
    ----------
    spec
        The architecture.
    X_train, Y_train, X_test
        Shapes ``(N, d)``, ``(N,)``, ``(M, d)``; finite.
    steps
        GD steps (integers >= 1) at which the moments are estimated.
    lr
        Learning rate (> 0).
    members
        Ensemble size (>= 3).
    seed
        Seeds the pilot ensemble and the trained ensemble (independent streams).
    pilot_members
        Members of the pilot ensemble whose mean NTK builds :math:`A_t` (>= 1).
    member_chunk
        Members trained together (``train_ensemble``).
    dtype
        Training precision (``torch.float32`` or ``torch.float64``); the pilot NTK is always float64.

    Returns
    -------
    (components, covariance)
        ``components`` concatenates, for each step, the test means and the upper triangle of the
        test covariance; ``covariance`` is their joint sampling covariance (delta method).

    Raises
    ------
    TypeError, ValueError
        A bad argument; a pilot NTK on ``X_train`` that is not positive definite.
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec; got {v.describe(spec)}")
    X = v.array(X_train, "X_train", ndim=2, shape=(None, spec.in_dim), min_size=1)
    N = X.shape[0]
    Y = v.array(Y_train, "Y_train", ndim=1, shape=(N,))
    Xt = v.array(X_test, "X_test", ndim=2, shape=(None, spec.in_dim), min_size=1)
    M = Xt.shape[0]
    steps = list(v.integers(steps, "steps", minimum=1))
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    members = v.integer(members, "members", minimum=3)
    seed = v.seed(seed)
    pilot_members = v.integer(pilot_members, "pilot_members", minimum=1)
    dtype = check_dtype(dtype)
    Xall = np.concatenate([X, Xt])
    ss = np.random.SeedSequence(seed).generate_state(2)
    th = ensemble_ntk(spec, Xall, members=pilot_members, seed=int(ss[0]), dtype=torch.float64).mean(0)
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
        f_t = r.outputs[list(r.steps).index(steps[j])][:, N:]  # recorded steps are sorted and unique
        Z.append(_raw_moments(f_t, iu) - _raw_moments(g, iu)
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
