r"""The samplers' state and bookkeeping: chains, the step-size coefficients and the recorder.

Private module of :mod:`numerics.singular_learning` (used by ``_samplers``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from numerics.singular_learning._target import LocalPosterior

__all__ = ["_Chains", "_Recorder", "_Step", "_axpy_", "HIST_CHUNK", "DIST_EVERY"]

#: The per-step loss history is stacked into one tensor every this many steps.
HIST_CHUNK = 4096
#: :math:`|w_t - w^*|^2` is recorded every this many steps (a thinned trace: the localization
#: diagnostic needs a covariance, not every draw, and the reduction costs as much as an SGLD update).
DIST_EVERY = 8


@dataclass
class _Chains:
    """The state of every chain: parameters, loss gradient, loss and the current minibatch rows."""

    w: torch.Tensor
    g: torch.Tensor
    L: torch.Tensor
    idx: torch.Tensor | None


class _Recorder:
    """Loss history (for the trace and the divergence test), squared distances to :math:`w^*`
    (for the localization diagnostic), snapshots of the parameters, acceptance sums, non-finite proposals."""

    def __init__(self, post: LocalPosterior, track_distance: bool = False, snapshots: tuple[int, int] | None = None) -> None:
        self.hist: list[torch.Tensor] = []
        self.chunks: list[torch.Tensor] = []  # hist stacked every HIST_CHUNK steps
        self.dist: list[torch.Tensor] = []
        self.w0, self.track = post.w0, track_distance
        self.snap_from, self.snap_every = snapshots if snapshots is not None else (-1, 0)
        self.snaps: list[torch.Tensor] = []
        self.t = 0
        self.acc_sum = torch.zeros(post.chains, device=post.w0.device, dtype=post.w0.dtype)
        self.acc_n = 0
        self.bad = torch.zeros(post.chains, dtype=torch.bool, device=post.w0.device)

    def loss(self, st: "_Chains") -> None:
        self.hist.append(st.L)
        if self.track and self.t % DIST_EVERY == 0:
            self.dist.append(torch.sub(st.w, self.w0).square_().sum(1))
        if self.snap_every and self.t >= self.snap_from and (self.t - self.snap_from) % self.snap_every == 0:
            self.snaps.append(st.w.clone())
        self.t += 1
        if len(self.hist) == HIST_CHUNK:
            self.chunks.append(torch.stack(self.hist))
            self.hist = []

    def accept(self, a: torch.Tensor) -> None:
        self.acc_sum += a
        self.acc_n += 1

    def history(self) -> torch.Tensor:
        """``(steps + 1, chains)``: :math:`L(w_0), \\dots, L(w_T)`."""
        return torch.cat([*self.chunks, torch.stack(self.hist)]) if self.hist else torch.cat(self.chunks)

    def distances(self) -> tuple[np.ndarray, torch.Tensor] | None:
        """``(steps t, (len(t), chains))``: :math:`|w_t - w^*|^2` at ``t = 0, DIST_EVERY, ...``, or ``None``."""
        if not self.track or not self.dist:
            return None
        return np.arange(len(self.dist)) * DIST_EVERY, torch.stack(self.dist)


@dataclass(frozen=True)
class _Step:
    """The step size, one number or one per chain (a ``(C, 1)`` tensor), and the coefficients derived from it."""

    eps: Any
    half: Any
    sq: Any
    inv2: Any  # 1 / (2 eps): a float, or (C,)

    @staticmethod
    def of(eps: np.ndarray, post: LocalPosterior) -> "_Step":
        if np.all(eps == eps[0]):  # one step for every chain: plain floats (the fastest ops)
            e = float(eps[0])
            return _Step(e, 0.5 * e, math.sqrt(e), 1.0 / (2 * e))
        t = torch.as_tensor(eps, device=post.w0.device, dtype=post.w0.dtype)[:, None]
        return _Step(t, 0.5 * t, t.sqrt(), (0.5 / t)[:, 0])


def _axpy_(x: torch.Tensor, a: Any, y: torch.Tensor) -> torch.Tensor:
    """``x += a * y`` in place, ``a`` a float or a per-chain ``(C, 1)`` tensor."""
    return x.add_(y, alpha=a) if isinstance(a, float) else x.addcmul_(y, a)
